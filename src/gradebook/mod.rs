//! A course's gradebook: its learners (in the order they enrolled, a page at a time) against its
//! graded items — quiz lessons, the line items tools post scores to, SCORM packages — with each learner's
//! latest and best score, whether they passed, whether the item's lesson is completed, and an
//! instructor's override with its comment, which is the grade that counts where there is one.
//! Scores are per cent of the item's maximum.

pub mod csv;

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, By, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::keyset::Cursor;

/// One graded item of a course.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Item {
    /// `quiz:<lesson id>`, `tool:<line item id>` or `scorm:<lesson id>`.
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    /// The lesson it grades, if any (completion is that lesson's).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub lesson: Option<Uuid>,
    /// The per cent that passes, if the item has one.
    #[diesel(sql_type = Nullable<Double>)]
    pub pass_mark: Option<f64>,
}

/// What an instructor set instead of the earned grade.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    pub score: f64,
    pub comment: String,
}

/// One learner's standing on one item.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cell {
    pub latest: Option<f64>,
    pub best: Option<f64>,
    pub passed: Option<bool>,
    pub completed: bool,
    #[serde(rename = "override")]
    pub overridden: Option<Override>,
    /// A SCORM package the learner played that never set a status: it cannot complete, and
    /// the instructor is told so rather than see it silently pass or stay blank.
    pub no_status: bool,
}

impl Cell {
    /// The grade that counts: the override, else the best score.
    pub fn grade(&self) -> Option<f64> {
        self.overridden.as_ref().map(|o| o.score).or(self.best)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub user: Uuid,
    pub name: String,
    pub email: String,
    pub enrolled_at: DateTime<Utc>,
    /// In the order of the items.
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cursor(&self) -> Cursor {
        Cursor(self.enrolled_at, self.user)
    }
}

/// The course's graded items: its quiz lessons in course order, then tools' line items.
pub async fn items(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: Uuid,
) -> Result<Vec<Item>, AppError> {
    Ok(diesel::sql_query(
        "SELECT 'quiz:' || l.id AS key, l.title, l.id AS lesson, q.pass_mark::float8 AS pass_mark
           FROM quizzes q JOIN lessons l ON l.tenant_id = q.tenant_id AND l.id = q.lesson_id
           JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE q.tenant_id = $1 AND s.course_id = $2
         UNION ALL
         SELECT 'tool:' || i.id, i.label, i.lesson_id, k.pass_mark::float8
           FROM lti_line_items i
           LEFT JOIN lti_links k ON k.tenant_id = i.tenant_id AND k.lesson_id = i.lesson_id
          WHERE i.tenant_id = $1 AND i.course_id = $2
         UNION ALL
         SELECT 'scorm:' || l.id, l.title, l.id, NULL::float8
           FROM scorm_packages p JOIN lessons l ON l.tenant_id = p.tenant_id AND l.id = p.lesson_id
           JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE p.tenant_id = $1 AND s.course_id = $2
         ORDER BY 1",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .load(conn)
    .await?)
}

#[derive(QueryableByName)]
struct Learner {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Timestamptz)]
    enrolled_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Score {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    item: String,
    #[diesel(sql_type = Nullable<Double>)]
    latest: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    best: Option<f64>,
    #[diesel(sql_type = Nullable<Bool>)]
    passed: Option<bool>,
    #[diesel(sql_type = Bool)]
    no_status: bool,
}

#[derive(QueryableByName)]
struct Done {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    lesson_id: Uuid,
}

#[derive(QueryableByName)]
struct Set {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    item: String,
    #[diesel(sql_type = Double)]
    score: f64,
    #[diesel(sql_type = Text)]
    comment: String,
}

/// Which learners' rows.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// Up to this many enrolled after the cursor (from the first without one).
    Page(Option<Cursor>, i64),
    /// Just this learner (none if not enrolled).
    One(Uuid),
}

/// The learners `pick` names, each with a cell per item of `items`.
pub async fn rows(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    course: Uuid,
    items: &[Item],
    pick: Pick,
) -> Result<Vec<Row>, AppError> {
    let (after, limit, only) = match pick {
        Pick::Page(after, limit) => (after, limit, None),
        Pick::One(user) => (None, 1, Some(user)),
    };
    let learners: Vec<Learner> = diesel::sql_query(
        "SELECT u.id, u.name, u.email, e.created_at AS enrolled_at
           FROM enrollments e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
          WHERE e.tenant_id = $1 AND e.course_id = $2 AND u.erased_at IS NULL
            AND ($3::timestamptz IS NULL OR (e.created_at, u.id) > ($3, $4))
            AND ($6::uuid IS NULL OR u.id = $6)
          ORDER BY e.created_at, u.id LIMIT $5",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<Nullable<Timestamptz>, _>(after.map(|c| c.0))
    .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.1))
    .bind::<BigInt, _>(limit)
    .bind::<Nullable<SqlUuid>, _>(only)
    .load(conn)
    .await?;
    let users: Vec<Uuid> = learners.iter().map(|l| l.id).collect();
    let scores: Vec<Score> = diesel::sql_query(
        "SELECT user_id, 'quiz:' || lesson_id AS item,
                (array_agg(score::float8 ORDER BY number DESC))[1] AS latest,
                max(score)::float8 AS best, bool_or(passed) AS passed, false AS no_status
           FROM quiz_attempts
          WHERE tenant_id = $1 AND user_id = ANY($2)
            AND lesson_id IN (SELECT l.id FROM lessons l JOIN sections s ON s.id = l.section_id
                               WHERE s.tenant_id = $1 AND s.course_id = $3)
          GROUP BY user_id, lesson_id
         UNION ALL
         SELECT s.user_id, 'tool:' || s.line_item_id,
                (array_agg(100 * s.score_given / s.score_maximum ORDER BY s.scored_at DESC))[1],
                max(100 * s.score_given / s.score_maximum),
                CASE WHEN k.pass_mark IS NULL THEN NULL
                     ELSE coalesce(bool_or(s.grading_progress = 'FullyGraded'
                                           AND 100 * s.score_given / s.score_maximum >= k.pass_mark), false)
                END,
                false
           FROM lti_scores s
           JOIN lti_line_items i ON i.tenant_id = s.tenant_id AND i.id = s.line_item_id
           LEFT JOIN lti_links k ON k.tenant_id = i.tenant_id AND k.lesson_id = i.lesson_id
          WHERE s.tenant_id = $1 AND s.user_id = ANY($2) AND i.course_id = $3
            AND s.score_given IS NOT NULL
          GROUP BY s.user_id, s.line_item_id, k.pass_mark
         UNION ALL
         SELECT a.user_id, 'scorm:' || a.lesson_id,
                (array_agg(a.score ORDER BY a.updated_at DESC) FILTER (WHERE a.score IS NOT NULL))[1],
                max(a.score), bool_or(a.passed), NOT bool_or(a.status_set)
           FROM scorm_attempts a
           JOIN lessons l ON l.tenant_id = a.tenant_id AND l.id = a.lesson_id
           JOIN sections s ON s.tenant_id = l.tenant_id AND s.id = l.section_id
          WHERE a.tenant_id = $1 AND a.user_id = ANY($2) AND s.course_id = $3
          GROUP BY a.user_id, a.lesson_id",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(&users)
    .bind::<SqlUuid, _>(course)
    .load(conn)
    .await?;
    let done: Vec<Done> = diesel::sql_query(
        "SELECT user_id, lesson_id FROM lesson_progress
          WHERE tenant_id = $1 AND course_id = $2 AND user_id = ANY($3) AND completed_at IS NOT NULL",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<Array<SqlUuid>, _>(&users)
    .load(conn)
    .await?;
    let set: Vec<Set> = diesel::sql_query(
        "SELECT user_id, item, score, comment FROM grade_overrides
          WHERE tenant_id = $1 AND course_id = $2 AND user_id = ANY($3)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<Array<SqlUuid>, _>(&users)
    .load(conn)
    .await?;
    Ok(learners
        .into_iter()
        .map(|l| Row {
            cells: items
                .iter()
                .map(|item| {
                    let score = scores
                        .iter()
                        .find(|s| s.user_id == l.id && s.item == item.key);
                    Cell {
                        latest: score.and_then(|s| s.latest),
                        best: score.and_then(|s| s.best),
                        passed: score.and_then(|s| s.passed),
                        no_status: score.is_some_and(|s| s.no_status),
                        completed: item.lesson.is_some_and(|lesson| {
                            done.iter()
                                .any(|d| d.user_id == l.id && d.lesson_id == lesson)
                        }),
                        overridden: set
                            .iter()
                            .find(|o| o.user_id == l.id && o.item == item.key)
                            .map(|o| Override {
                                score: o.score,
                                comment: o.comment.clone(),
                            }),
                    }
                })
                .collect(),
            user: l.id,
            name: l.name,
            email: l.email,
            enrolled_at: l.enrolled_at,
        })
        .collect())
}

/// An override about a learner, as their personal-data export shows it.
#[derive(Debug, Serialize, QueryableByName)]
pub struct PersonOverride {
    #[diesel(sql_type = Text)]
    pub course: String,
    #[diesel(sql_type = Text)]
    pub item: String,
    #[diesel(sql_type = Double)]
    pub score: f64,
    #[diesel(sql_type = Text)]
    pub comment: String,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
}

/// Every override about `user` (for their personal-data export).
pub async fn overrides_of(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: Uuid,
) -> Result<Vec<PersonOverride>, AppError> {
    Ok(diesel::sql_query(
        "SELECT c.title AS course, o.item, o.score, o.comment, o.at
           FROM grade_overrides o JOIN courses c ON c.tenant_id = o.tenant_id AND c.id = o.course_id
          WHERE o.tenant_id = $1 AND o.user_id = $2 ORDER BY o.at",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?)
}

/// An override as an instructor gives it, checked.
#[derive(Debug, Clone)]
pub struct NewOverride {
    pub user: Uuid,
    pub item: String,
    pub score: f64,
    pub comment: String,
}

impl NewOverride {
    pub fn parse(user: &str, item: &str, score: &str, comment: &str) -> Result<Self, Msg> {
        let user = user
            .parse()
            .map_err(|_| Msg::new("grade-learner-unknown"))?;
        let score: f64 = score
            .trim()
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|s: &f64| (0.0..=100.0).contains(s))
            .ok_or_else(|| Msg::new("grade-score-invalid"))?;
        let comment = comment.trim();
        if comment.is_empty() || comment.chars().count() > 2000 {
            return Err(Msg::new("grade-comment-invalid"));
        }
        Ok(Self {
            user,
            item: item.to_owned(),
            score,
            comment: comment.to_owned(),
        })
    }
}

/// Sets (or replaces) an override, on the audit log as `by`'s with the grade it replaces. The
/// item must be one of the course's and the learner enrolled in it.
pub async fn set_override(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    course: Uuid,
    new: &NewOverride,
) -> Result<(), AppError> {
    let items = items(conn, tenant, course).await?;
    let Some(at) = items.iter().position(|i| i.key == new.item) else {
        return Err(AppError::Unprocessable(Msg::new("grade-item-unknown")));
    };
    let before = rows(conn, tenant, course, &items, Pick::One(new.user))
        .await?
        .pop()
        .ok_or_else(|| AppError::Unprocessable(Msg::new("grade-learner-unknown")))?;
    diesel::sql_query(
        "INSERT INTO grade_overrides (tenant_id, course_id, user_id, item, score, comment)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, course_id, user_id, item) DO UPDATE
            SET score = EXCLUDED.score, comment = EXCLUDED.comment, at = now()",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(course)
    .bind::<SqlUuid, _>(new.user)
    .bind::<Text, _>(&new.item)
    .bind::<Double, _>(new.score)
    .bind::<Text, _>(&new.comment)
    .execute(conn)
    .await?;
    let cell = &before.cells[at];
    let change = Change::new("grade.overridden", format!("user:{}", new.user))
        .before(serde_json::json!({ "item": new.item, "grade": cell.grade() }))
        .after(serde_json::json!({
            "item": new.item, "course": course, "grade": new.score, "comment": new.comment,
        }));
    audit::record(conn, tenant, by, change).await
}
