//! `eduflow quiz import`: a GIFT file becomes a quiz lesson at the end of a course. This is
//! owner-side code (it may run as a role that bypasses row-level security), so every statement
//! names the school.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::{gift, quizzes};
use crate::db::schema::{courses, lessons, sections};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::slug::slugify;

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
    let base = match slugify(&title, 100) {
        s if s.is_empty() => "quiz".to_owned(),
        s => s,
    };
    let tenant = crate::tenancy::lifecycle::school_id(pool, school).await?;
    let (course, source, settings) = (course.to_owned(), source.to_owned(), settings.clone());
    tenant_tx(pool, tenant, "quiz_import", move |conn| {
        Box::pin(async move {
            let course: Uuid = courses::table
                .filter(courses::tenant_id.eq(tenant.0))
                .filter(courses::slug.eq(&course))
                .select(courses::id)
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| {
                    AppError::Unprocessable(
                        Msg::new("error-no-course-here").text("course", course.to_string()),
                    )
                })?;
            let last: Option<Uuid> = sections::table
                .filter(sections::tenant_id.eq(tenant.0))
                .filter(sections::course_id.eq(course))
                .order(sections::position.desc())
                .select(sections::id)
                .first(conn)
                .await
                .optional()?;
            let section = match last {
                Some(section) => section,
                None => {
                    diesel::insert_into(sections::table)
                        .values((
                            sections::tenant_id.eq(tenant.0),
                            sections::course_id.eq(course),
                            sections::position.eq(1),
                            sections::title.eq("Assessment"),
                        ))
                        .returning(sections::id)
                        .get_result(conn)
                        .await?
                }
            };
            let taken: Vec<String> = lessons::table
                .inner_join(sections::table)
                .filter(sections::tenant_id.eq(tenant.0))
                .filter(sections::course_id.eq(course))
                .select(lessons::slug)
                .load(conn)
                .await?;
            let slug = std::iter::once(base.clone())
                .chain((2..).map(|n| format!("{base}-{n}")))
                .find(|s| !taken.contains(s))
                .expect("an unused slug");
            let position: Option<i32> = lessons::table
                .filter(lessons::tenant_id.eq(tenant.0))
                .filter(lessons::section_id.eq(section))
                .select(diesel::dsl::max(lessons::position))
                .first(conn)
                .await?;
            let lesson: Uuid = diesel::insert_into(lessons::table)
                .values((
                    lessons::tenant_id.eq(tenant.0),
                    lessons::section_id.eq(section),
                    lessons::position.eq(position.unwrap_or(0) + 1),
                    lessons::slug.eq(slug),
                    lessons::title.eq(title),
                    lessons::kind.eq("quiz"),
                ))
                .returning(lessons::id)
                .get_result(conn)
                .await?;
            quizzes::save(conn, tenant, lesson, &source, &settings).await?;
            Ok(lesson)
        })
    })
    .await
}
