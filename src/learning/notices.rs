//! Mail a learner gets about their courses, written in the transaction of the change.

use std::sync::Arc;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::courses;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::UserId;
use crate::mail::{Composer, Kind, outbox};
use crate::tenancy::Tenant;

/// Who to tell that they are enrolled, and how.
#[derive(Clone)]
pub struct EnrollNotice {
    pub composer: Arc<Composer>,
    pub school: Arc<Tenant>,
    pub name: String,
    pub email: String,
    /// The learner's language.
    pub locale: Locale,
}

impl EnrollNotice {
    /// Writes the enrollment confirmation for course `slug` to the outbox.
    pub async fn send(
        &self,
        conn: &mut AsyncPgConnection,
        user: UserId,
        slug: &str,
    ) -> Result<(), AppError> {
        let title: String = courses::table
            .filter(courses::tenant_id.eq(self.school.id.0))
            .filter(courses::slug.eq(slug))
            .select(courses::title)
            .first(conn)
            .await?;
        let mut ctx = tera::Context::new();
        ctx.insert("name", &self.name);
        ctx.insert("course", &title);
        ctx.insert(
            "link",
            &format!("{}/courses/{slug}", self.composer.origin(&self.school)),
        );
        let mail = self.composer.compose(
            &self.school,
            Kind::Enrollment,
            (&self.email, Some(user)),
            self.locale,
            ctx,
        )?;
        outbox::enqueue(conn, self.school.id, &mail).await
    }
}
