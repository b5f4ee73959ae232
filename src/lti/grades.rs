//! Assignment and Grade Services 2.0: a tool's line items in a course (its gradebook columns,
//! each perhaps tied to one of its lessons) and the scores it posts to them. Every score is
//! kept; the latest per learner is the result. A tool sees and changes only its own line items.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::Endpoints;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

#[derive(Debug, Clone, QueryableByName)]
pub struct LineItem {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub course_id: Uuid,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub lesson_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Double)]
    pub score_maximum: f64,
    #[diesel(sql_type = Text)]
    pub resource_id: String,
    #[diesel(sql_type = Text)]
    pub tag: String,
}

impl LineItem {
    /// As AGS shows it (`application/vnd.ims.lis.v2.lineitem+json`).
    pub fn json(&self, at: &Endpoints) -> Value {
        let mut v = json!({
            "id": at.line_item(self.course_id, self.id),
            "scoreMaximum": self.score_maximum,
            "label": self.label,
            "resourceId": self.resource_id,
            "tag": self.tag,
        });
        if let Some(lesson) = self.lesson_id {
            v["resourceLinkId"] = lesson.to_string().into();
        }
        v
    }
}

fn invalid(reason: &str) -> AppError {
    AppError::BadRequest(Msg::new("lti-request-invalid").text("reason", reason))
}

/// A line item as a tool sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItemIn {
    pub score_maximum: f64,
    pub label: String,
    #[serde(default)]
    pub resource_id: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub resource_link_id: Option<String>,
}

impl LineItemIn {
    pub fn parse(body: &[u8]) -> Result<Self, AppError> {
        let item: Self = serde_json::from_slice(body)
            .map_err(|e| invalid(&format!("the line item is not readable ({e})")))?;
        if !(item.score_maximum.is_finite() && item.score_maximum > 0.0) {
            return Err(invalid("scoreMaximum must be a number above 0"));
        }
        let label = item.label.trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(invalid("label must be 1 to 200 characters"));
        }
        if item.resource_id.chars().count() > 200 || item.tag.chars().count() > 200 {
            return Err(invalid("resourceId and tag are at most 200 characters"));
        }
        Ok(item)
    }
}

const COLUMNS: &str = "id, course_id, lesson_id, label, score_maximum, resource_id, tag";

/// The tool's line items in the course, filtered as AGS allows, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
    filter: (Option<Uuid>, Option<&str>, Option<&str>),
    limit: i64,
) -> Result<Vec<LineItem>, AppError> {
    let (lesson, resource_id, tag) = filter;
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_line_items
          WHERE tenant_id = $1 AND tool_id = $2 AND course_id = $3
            AND ($4::uuid IS NULL OR lesson_id = $4)
            AND ($5::text IS NULL OR resource_id = $5)
            AND ($6::text IS NULL OR tag = $6)
          ORDER BY created_at, id LIMIT $7"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<SqlUuid, _>(course)
    .bind::<Nullable<SqlUuid>, _>(lesson)
    .bind::<Nullable<Text>, _>(resource_id)
    .bind::<Nullable<Text>, _>(tag)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// One of the tool's line items in the course.
pub async fn get(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
    id: Uuid,
) -> Result<Option<LineItem>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_line_items
          WHERE tenant_id = $1 AND tool_id = $2 AND course_id = $3 AND id = $4"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<SqlUuid, _>(course)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// The lesson a `resourceLinkId` names: one of this tool's lessons in this course.
async fn own_lesson(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
    link: Option<&str>,
) -> Result<Option<Uuid>, AppError> {
    let Some(link) = link else { return Ok(None) };
    let lesson: Uuid = link
        .parse()
        .map_err(|_| invalid("resourceLinkId names no resource link of this tool here"))?;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = SqlUuid)]
        lesson_id: Uuid,
    }
    let found: Option<Found> = diesel::sql_query(
        "SELECT k.lesson_id FROM lti_links k
           JOIN lessons l ON l.tenant_id = k.tenant_id AND l.id = k.lesson_id
           JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE k.tenant_id = $1 AND k.tool_id = $2 AND s.course_id = $3 AND k.lesson_id = $4",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<SqlUuid, _>(course)
    .bind::<SqlUuid, _>(lesson)
    .get_result(conn)
    .await
    .optional()?;
    found
        .map(|f| Some(f.lesson_id))
        .ok_or_else(|| invalid("resourceLinkId names no resource link of this tool here"))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
    item: &LineItemIn,
) -> Result<LineItem, AppError> {
    let lesson = own_lesson(conn, tenant, tool, course, item.resource_link_id.as_deref()).await?;
    insert(conn, tenant, (tool, course, lesson), item).await
}

async fn insert(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    (tool, course, lesson): (Uuid, Uuid, Option<Uuid>),
    item: &LineItemIn,
) -> Result<LineItem, AppError> {
    Ok(diesel::sql_query(format!(
        "INSERT INTO lti_line_items (tenant_id, tool_id, course_id, lesson_id, label,
                                     score_maximum, resource_id, tag)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<SqlUuid, _>(course)
    .bind::<Nullable<SqlUuid>, _>(lesson)
    .bind::<Text, _>(item.label.trim())
    .bind::<Double, _>(item.score_maximum)
    .bind::<Text, _>(&item.resource_id)
    .bind::<Text, _>(&item.tag)
    .get_result(conn)
    .await?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    current: &LineItem,
    item: &LineItemIn,
) -> Result<LineItem, AppError> {
    let lesson = match item.resource_link_id.as_deref() {
        Some(link) => own_lesson(conn, tenant, tool, current.course_id, Some(link)).await?,
        None => current.lesson_id,
    };
    Ok(diesel::sql_query(format!(
        "UPDATE lti_line_items SET lesson_id = $3, label = $4, score_maximum = $5,
                resource_id = $6, tag = $7
          WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(current.id)
    .bind::<Nullable<SqlUuid>, _>(lesson)
    .bind::<Text, _>(item.label.trim())
    .bind::<Double, _>(item.score_maximum)
    .bind::<Text, _>(&item.resource_id)
    .bind::<Text, _>(&item.tag)
    .get_result(conn)
    .await?)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    item: &LineItem,
) -> Result<(), AppError> {
    diesel::sql_query("DELETE FROM lti_line_items WHERE tenant_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(item.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The line item a lesson's launches report to, made with the lesson.
pub async fn for_lesson(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    course: Uuid,
    lesson: Uuid,
    label: &str,
    score_maximum: f64,
) -> Result<Uuid, AppError> {
    let item = LineItemIn {
        label: label.chars().take(200).collect(),
        score_maximum,
        resource_id: String::new(),
        tag: String::new(),
        resource_link_id: None,
    };
    Ok(insert(conn, tenant, (tool, course, Some(lesson)), &item)
        .await?
        .id)
}

/// The first line item tied to the lesson, if any.
pub async fn of_lesson(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    lesson: Uuid,
) -> Result<Option<Uuid>, AppError> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let found: Option<Id> = diesel::sql_query(
        "SELECT id FROM lti_line_items WHERE tenant_id = $1 AND lesson_id = $2
          ORDER BY created_at, id LIMIT 1",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|f| f.id))
}

const ACTIVITY: &[&str] = &[
    "Initialized",
    "Started",
    "InProgress",
    "Submitted",
    "Completed",
];
const GRADING: &[&str] = &[
    "FullyGraded",
    "Pending",
    "PendingManual",
    "Failed",
    "NotReady",
];

/// A score as a tool posts it (`application/vnd.ims.lis.v1.score+json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScoreJson {
    user_id: String,
    #[serde(default)]
    score_given: Option<f64>,
    #[serde(default)]
    score_maximum: Option<f64>,
    #[serde(default)]
    comment: Option<String>,
    timestamp: String,
    activity_progress: String,
    grading_progress: String,
}

/// A score, checked.
#[derive(Debug, Clone)]
pub struct Score {
    pub user: Uuid,
    pub given: Option<f64>,
    pub maximum: Option<f64>,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    pub activity: String,
    pub grading: String,
}

impl Score {
    pub fn parse(body: &[u8]) -> Result<Self, AppError> {
        let s: ScoreJson = serde_json::from_slice(body)
            .map_err(|e| invalid(&format!("the score is not readable ({e})")))?;
        let user = s
            .user_id
            .parse()
            .map_err(|_| invalid("userId names no learner of this course"))?;
        let at = DateTime::parse_from_rfc3339(&s.timestamp)
            .map_err(|_| invalid("timestamp must be an ISO 8601 date-time with a time zone"))?
            .with_timezone(&Utc);
        if !ACTIVITY.contains(&s.activity_progress.as_str()) {
            return Err(invalid("activityProgress is not one AGS defines"));
        }
        if !GRADING.contains(&s.grading_progress.as_str()) {
            return Err(invalid("gradingProgress is not one AGS defines"));
        }
        match (s.score_given, s.score_maximum) {
            (Some(g), Some(m)) if g.is_finite() && m.is_finite() && g >= 0.0 && m > 0.0 => {}
            (Some(_), _) => {
                return Err(invalid(
                    "scoreGiven needs a scoreMaximum above 0, and both must be numbers, scoreGiven at least 0",
                ));
            }
            (None, _) => {}
        }
        if s.comment.as_ref().is_some_and(|c| c.chars().count() > 4000) {
            return Err(invalid("comment is at most 4000 characters"));
        }
        Ok(Self {
            user,
            given: s.score_given,
            maximum: s.score_maximum.filter(|_| s.score_given.is_some()),
            comment: s.comment,
            at,
            activity: s.activity_progress,
            grading: s.grading_progress,
        })
    }

    /// The score in per cent, if it is a final one.
    pub fn final_percent(&self) -> Option<f64> {
        match (self.grading.as_str(), self.given, self.maximum) {
            ("FullyGraded", Some(g), Some(m)) => Some(g / m * 100.0),
            _ => None,
        }
    }
}

/// Records `score` on `item`: refused for someone not enrolled in the course, or older than the
/// learner's latest score on it.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    item: &LineItem,
    score: &Score,
) -> Result<(), AppError> {
    #[derive(QueryableByName)]
    struct Latest {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        latest: Option<DateTime<Utc>>,
        #[diesel(sql_type = BigInt)]
        enrolled: i64,
    }
    let state: Latest = diesel::sql_query(
        "SELECT (SELECT max(scored_at) FROM lti_scores
                  WHERE tenant_id = $1 AND line_item_id = $2 AND user_id = $3) AS latest,
                (SELECT count(*) FROM enrollments e
                  WHERE e.tenant_id = $1 AND e.course_id = $4 AND e.user_id = $3) AS enrolled",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(item.id)
    .bind::<SqlUuid, _>(score.user)
    .bind::<SqlUuid, _>(item.course_id)
    .get_result(conn)
    .await?;
    if state.enrolled == 0 {
        return Err(AppError::Unprocessable(Msg::new("lti-score-not-enrolled")));
    }
    if state.latest.is_some_and(|l| l > score.at) {
        return Err(AppError::Conflict(Msg::new("lti-score-older")));
    }
    diesel::sql_query(
        "INSERT INTO lti_scores (tenant_id, line_item_id, user_id, score_given, score_maximum,
                                 activity_progress, grading_progress, comment, scored_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(item.id)
    .bind::<SqlUuid, _>(score.user)
    .bind::<Nullable<Double>, _>(score.given)
    .bind::<Nullable<Double>, _>(score.maximum)
    .bind::<Text, _>(&score.activity)
    .bind::<Text, _>(&score.grading)
    .bind::<Nullable<Text>, _>(&score.comment)
    .bind::<Timestamptz, _>(score.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The pass mark (per cent) of the lesson `item` is tied to, if it is an LTI lesson.
pub async fn pass_mark(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    item: &LineItem,
) -> Result<Option<i32>, AppError> {
    #[derive(QueryableByName)]
    struct Mark {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pass_mark: i32,
    }
    let Some(lesson) = item.lesson_id else {
        return Ok(None);
    };
    let found: Option<Mark> = diesel::sql_query(
        "SELECT pass_mark FROM lti_links WHERE tenant_id = $1 AND lesson_id = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(lesson)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|m| m.pass_mark))
}

#[derive(Debug, QueryableByName)]
pub struct Result_ {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Nullable<Double>)]
    pub score_given: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub score_maximum: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub comment: Option<String>,
}

/// Each learner's latest score on `item` (or one learner's), as AGS results.
pub async fn results(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    item: &LineItem,
    user: Option<Uuid>,
    at: &Endpoints,
) -> Result<Vec<Value>, AppError> {
    let rows: Vec<Result_> = diesel::sql_query(
        "SELECT DISTINCT ON (user_id) user_id, score_given, score_maximum, comment
           FROM lti_scores
          WHERE tenant_id = $1 AND line_item_id = $2 AND ($3::uuid IS NULL OR user_id = $3)
          ORDER BY user_id, scored_at DESC, received_at DESC LIMIT 1000",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(item.id)
    .bind::<Nullable<SqlUuid>, _>(user)
    .load(conn)
    .await?;
    let line_item = at.line_item(item.course_id, item.id);
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut v = json!({
                "id": format!("{line_item}/results/{}", r.user_id),
                "scoreOf": line_item,
                "userId": r.user_id.to_string(),
            });
            if let (Some(g), Some(m)) = (r.score_given, r.score_maximum) {
                // Results are on the line item's scale.
                v["resultScore"] = (g / m * item.score_maximum).into();
                v["resultMaximum"] = item.score_maximum.into();
            }
            if let Some(c) = r.comment {
                v["comment"] = c.into();
            }
            v
        })
        .collect())
}

#[derive(Debug, QueryableByName, serde::Serialize)]
pub struct PersonScore {
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Nullable<Double>)]
    pub score_given: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub score_maximum: Option<f64>,
    #[diesel(sql_type = Text)]
    pub grading_progress: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub comment: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub scored_at: DateTime<Utc>,
}

/// Every score tools sent about `user` (for their personal-data export).
pub async fn of_person(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: Uuid,
) -> Result<Vec<PersonScore>, AppError> {
    Ok(diesel::sql_query(
        "SELECT i.label, s.score_given, s.score_maximum, s.grading_progress, s.comment, s.scored_at
           FROM lti_scores s JOIN lti_line_items i ON i.tenant_id = s.tenant_id AND i.id = s.line_item_id
          WHERE s.tenant_id = $1 AND s.user_id = $2 ORDER BY s.scored_at",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?)
}
