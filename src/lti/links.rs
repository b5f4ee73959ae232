//! LTI lessons: a lesson of kind `lti` launches its tool at a URL (the resource link is the
//! lesson), reports to a line item made with it, and is completed by a final score at or above
//! its pass mark.

use diesel::sql_types::{Bool, Integer, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::grades;
use super::tools::Tool;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::outbound;

/// What launching a lesson needs.
#[derive(Debug, Clone, QueryableByName)]
pub struct Link {
    #[diesel(sql_type = SqlUuid)]
    pub tool_id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Integer)]
    pub pass_mark: i32,
}

/// A new LTI lesson, as given.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub title: String,
    pub url: String,
    pub pass_mark: i32,
    /// The line item's maximum score.
    pub score_maximum: f64,
}

impl NewLink {
    pub fn parse(title: &str, url: &str, pass_mark: i32, score_maximum: f64) -> Result<Self, Msg> {
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(Msg::new("error-the-title-has-1-to"));
        }
        let url = outbound::parse(url).map_err(|reason| {
            Msg::new("lti-url-invalid")
                .text("field", "url")
                .text("reason", reason)
        })?;
        if !(0..=100).contains(&pass_mark) {
            return Err(Msg::new("lti-pass-mark-invalid"));
        }
        if !(score_maximum.is_finite() && score_maximum > 0.0) {
            return Err(
                Msg::new("lti-request-invalid").text("reason", "scoreMaximum must be above 0")
            );
        }
        Ok(Self {
            title: title.to_owned(),
            url: url.into(),
            pass_mark,
            score_maximum,
        })
    }
}

/// Makes the new `lti` lesson `lesson` of `course` launch `tool`, with its line item. Names the
/// school in every statement.
pub async fn attach(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    (course, lesson): (Uuid, Uuid),
    tool: &Tool,
    new: &NewLink,
) -> Result<(), AppError> {
    diesel::sql_query(
        "INSERT INTO lti_links (lesson_id, tenant_id, tool_id, url, pass_mark)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind::<SqlUuid, _>(lesson)
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool.id)
    .bind::<Text, _>(&new.url)
    .bind::<Integer, _>(new.pass_mark)
    .execute(conn)
    .await?;
    grades::for_lesson(
        conn,
        tenant,
        tool.id,
        course,
        lesson,
        &new.title,
        new.score_maximum,
    )
    .await?;
    Ok(())
}

/// The lesson's link, if it is an LTI lesson.
pub async fn load(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
) -> Result<Option<Link>, AppError> {
    Ok(diesel::sql_query(
        "SELECT tool_id, url, pass_mark FROM lti_links WHERE tenant_id = $1 AND lesson_id = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .get_result(conn)
    .await
    .optional()?)
}

/// Whether `tool` is placed in the course: one of its lessons or line items is there. A tool's
/// services reach only the courses it is placed in.
pub async fn placed(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
) -> Result<bool, AppError> {
    #[derive(QueryableByName)]
    struct Placed {
        #[diesel(sql_type = Bool)]
        placed: bool,
    }
    let p: Placed = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM lti_line_items
                         WHERE tenant_id = $1 AND tool_id = $2 AND course_id = $3) AS placed",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<SqlUuid, _>(course)
    .get_result(conn)
    .await?;
    Ok(p.placed)
}

/// The course (and lesson) a launch is about, as the tool is told.
#[derive(Debug, Clone, QueryableByName)]
pub struct Placement {
    #[diesel(sql_type = Text)]
    pub course_slug: String,
    #[diesel(sql_type = Text)]
    pub course_title: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub lesson_title: Option<String>,
}

pub async fn placement(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: Uuid,
    lesson: Option<Uuid>,
) -> Result<Option<Placement>, AppError> {
    Ok(diesel::sql_query(
        "SELECT c.slug AS course_slug, c.title AS course_title,
                (SELECT l.title FROM lessons l WHERE l.tenant_id = c.tenant_id AND l.id = $3)
                  AS lesson_title
           FROM courses c WHERE c.tenant_id = $1 AND c.id = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(lesson)
    .get_result(conn)
    .await
    .optional()?)
}
