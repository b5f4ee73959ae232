//! `eduflow quiz import`: a GIFT file becomes a quiz lesson at the end of a course. This is
//! owner-side code (it may run as a role that bypasses row-level security), so every statement
//! names the school.

use uuid::Uuid;

use super::store::append_lesson;
use crate::assessment::{gift, quizzes};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::i18n::Msg;

/// Adds the quiz and returns its lesson's id.
pub async fn import(
    pool: &PgPool,
    school: &str,
    course: &str,
    title: &str,
    source: &str,
    settings: &quizzes::Settings,
) -> Result<Uuid, AppError> {
    gift::parse(source).map_err(|e| AppError::Unprocessable(e.message))?;
    let title = title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Unprocessable(Msg::new(
            "error-the-title-has-1-to",
        )));
    }
    let tenant = crate::tenancy::lifecycle::school_id(pool, school).await?;
    let (course, source, settings) = (course.to_owned(), source.to_owned(), settings.clone());
    tenant_tx(pool, tenant, "quiz_import", move |conn| {
        Box::pin(async move {
            let course = super::store::named_course(conn, tenant, &course).await?;
            let lesson =
                append_lesson(conn, tenant, course, None, (&title, "quiz"), "Assessment").await?;
            quizzes::save(conn, tenant, lesson, &source, &settings).await?;
            Ok(lesson)
        })
    })
    .await
}
