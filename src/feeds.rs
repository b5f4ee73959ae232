//! What a school's systems poll: progress, certificates and enrollments that changed since a
//! mark, oldest first. A row's time is taken inside its transaction, which commits a little
//! later; so a feed lists only rows older than [`SETTLE`], and a transaction that commits out of
//! order within that window is not skipped by a client that has read past it.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::TenantId;
use crate::keyset::Mark;

/// How old a change must be to be listed: longer than any write transaction takes.
pub const SETTLE: &str = "2 seconds";

/// A learner's progress in one lesson.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Progress {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub course: String,
    #[diesel(sql_type = Text)]
    pub lesson: String,
    #[diesel(sql_type = SqlUuid)]
    #[serde(skip)]
    pub lesson_id: Uuid,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub completed_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Integer)]
    pub position_seconds: i32,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

impl Progress {
    pub fn mark(&self) -> Mark {
        Mark(self.updated_at, self.user_id, self.lesson_id)
    }
}

pub async fn progress(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    after: Option<Mark>,
    limit: i64,
) -> Result<Vec<Progress>, AppError> {
    feed(
        conn,
        tenant,
        after,
        limit,
        "SELECT p.user_id, u.email, c.slug AS course, l.slug AS lesson, p.lesson_id,
                p.completed_at, p.position_seconds, p.updated_at
           FROM lesson_progress p
           JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.user_id
           JOIN lessons l ON l.id = p.lesson_id
           JOIN courses c ON c.id = p.course_id
          WHERE p.tenant_id = $1 AND p.updated_at < now() - interval '2 seconds'
            AND ($2::timestamptz IS NULL OR (p.updated_at, p.user_id, p.lesson_id) > ($2, $3, $4))
          ORDER BY p.updated_at, p.user_id, p.lesson_id
          LIMIT $5",
    )
    .await
}

/// A certificate as issued, revoked or restored.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Certificate {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub course: String,
    #[diesel(sql_type = Timestamptz)]
    pub issued_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub revoked_reason: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub changed_at: DateTime<Utc>,
}

impl Certificate {
    pub fn mark(&self) -> Mark {
        Mark(self.changed_at, self.id, Uuid::nil())
    }
}

pub async fn certificates(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    after: Option<Mark>,
    limit: i64,
) -> Result<Vec<Certificate>, AppError> {
    feed(
        conn,
        tenant,
        after,
        limit,
        "SELECT x.id, x.user_id, u.email, c.slug AS course, x.issued_at, x.revoked_at,
                x.revoked_reason, x.changed_at
           FROM certificates x
           JOIN users u ON u.tenant_id = x.tenant_id AND u.id = x.user_id
           JOIN courses c ON c.id = x.course_id
          WHERE x.tenant_id = $1 AND x.changed_at < now() - interval '2 seconds'
            AND ($2::timestamptz IS NULL OR (x.changed_at, x.id, $4) > ($2, $3, $4))
          ORDER BY x.changed_at, x.id
          LIMIT $5",
    )
    .await
}

/// An enrollment, as made.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Enrollment {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub course: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

impl Enrollment {
    pub fn mark(&self) -> Mark {
        Mark(self.created_at, self.id, Uuid::nil())
    }
}

/// Enrollments that exist now, in the order they were made (a removed one is no longer listed).
pub async fn enrollments(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    after: Option<Mark>,
    limit: i64,
) -> Result<Vec<Enrollment>, AppError> {
    feed(
        conn,
        tenant,
        after,
        limit,
        "SELECT e.id, e.user_id, u.email, c.slug AS course, e.created_at
           FROM enrollments e
           JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
           JOIN courses c ON c.id = e.course_id
          WHERE e.tenant_id = $1 AND e.created_at < now() - interval '2 seconds'
            AND ($2::timestamptz IS NULL OR (e.created_at, e.id, $4) > ($2, $3, $4))
          ORDER BY e.created_at, e.id
          LIMIT $5",
    )
    .await
}

/// Runs a feed's `sql`: `$1` the school, `$2`–`$4` the mark (a feed keyed on one id compares its
/// `$4`, the nil second id, with itself), `$5` the limit. Every feed lists rows older than
/// [`SETTLE`] only.
async fn feed<T>(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    after: Option<Mark>,
    limit: i64,
    sql: &'static str,
) -> Result<Vec<T>, AppError>
where
    T: QueryableByName<diesel::pg::Pg> + Send + 'static,
{
    debug_assert!(sql.contains(SETTLE));
    let (at, a, b) = unmark(after);
    Ok(diesel::sql_query(sql)
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<Nullable<Timestamptz>, _>(at)
        .bind::<SqlUuid, _>(a)
        .bind::<SqlUuid, _>(b)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?)
}

fn unmark(after: Option<Mark>) -> (Option<DateTime<Utc>>, Uuid, Uuid) {
    match after {
        Some(Mark(at, a, b)) => (Some(at), a, b),
        None => (None, Uuid::nil(), Uuid::nil()),
    }
}
