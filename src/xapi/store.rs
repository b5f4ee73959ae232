//! The statement rows: claimed a batch at a time under a lease (`FOR UPDATE SKIP LOCKED`, so two
//! instances never send one at once), and their outcome recorded.

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    Array, BigInt, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::statement::Row;
use crate::error::AppError;
use crate::ids::TenantId;

/// How long a claimed batch is the claimer's; after that another sender may send it again.
pub const LEASE_SECS: f64 = 60.0;

/// Up to `limit` of the school's due statements, leased to the caller, oldest first, with what
/// they name.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<Row>, AppError> {
    let mut rows: Vec<Row> = diesel::sql_query(
        "WITH due AS (
            SELECT s.id FROM xapi_statements s
             WHERE s.tenant_id = $1 AND s.status = 'pending' AND s.next_attempt_at <= now()
               AND (s.claimed_until IS NULL OR s.claimed_until < now())
             ORDER BY s.created_at LIMIT $2
             FOR UPDATE SKIP LOCKED)
         UPDATE xapi_statements s
            SET claimed_until = now() + make_interval(secs => $3), attempts = s.attempts + 1
           FROM due, users u, courses c
          WHERE s.id = due.id AND u.tenant_id = s.tenant_id AND u.id = s.user_id
            AND c.tenant_id = s.tenant_id AND c.id = s.course_id
         RETURNING s.id, s.verb, s.created_at, s.attempts, s.user_id, u.name AS user_name,
                   u.email AS user_email, c.slug AS course_slug, c.title AS course_title,
                   c.language AS course_language,
                   (SELECT l.slug FROM lessons l
                     WHERE l.tenant_id = s.tenant_id AND l.id = s.lesson_id) AS lesson_slug,
                   (SELECT l.title FROM lessons l
                     WHERE l.tenant_id = s.tenant_id AND l.id = s.lesson_id) AS lesson_title,
                   EXISTS (SELECT 1 FROM quizzes q
                            WHERE q.tenant_id = s.tenant_id AND q.lesson_id = s.lesson_id)
                     AS lesson_is_quiz,
                   s.certificate_id, s.result",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<BigInt, _>(limit)
    .bind::<Double, _>(LEASE_SECS)
    .load(conn)
    .await?;
    rows.sort_by_key(|r| r.created_at);
    Ok(rows)
}

/// What sending a batch came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The LRS's HTTP status, if it answered.
    pub status: Option<i32>,
    /// `None`: stored (a 2xx).
    pub error: Option<String>,
}

/// What becomes of one statement of a sent batch.
#[derive(Debug, Clone, Copy)]
pub enum Fate {
    Delivered,
    /// Due again at this instant.
    RetryAt(DateTime<Utc>),
    Failed,
}

/// Records the outcome of the batch: each statement's fate, the LRS's answer on all of them.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    fates: &[(Uuid, Fate)],
    outcome: &Outcome,
) -> Result<(), AppError> {
    let ids: Vec<Uuid> = fates.iter().map(|(id, _)| *id).collect();
    let (status, next): (Vec<&str>, Vec<Option<DateTime<Utc>>>) = fates
        .iter()
        .map(|(_, fate)| match fate {
            Fate::Delivered => ("delivered", None),
            Fate::RetryAt(at) => ("pending", Some(*at)),
            Fate::Failed => ("failed", None),
        })
        .unzip();
    diesel::sql_query(
        "UPDATE xapi_statements s
            SET status = f.status, claimed_until = NULL, last_status = $5, last_error = $6,
                delivered_at = CASE WHEN f.status = 'delivered' THEN now() END,
                next_attempt_at = coalesce(f.next_at, s.next_attempt_at)
           FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS f(id, status, next_at)
          WHERE s.tenant_id = $1 AND s.id = f.id",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Text>, _>(status)
    .bind::<Array<Nullable<Timestamptz>>, _>(next)
    .bind::<Nullable<Integer>, _>(outcome.status)
    .bind::<Nullable<Text>, _>(&outcome.error)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up the school's pending statements when it no longer has an LRS to send them to.
pub async fn abandon(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<usize, AppError> {
    Ok(diesel::sql_query(
        "UPDATE xapi_statements
            SET status = 'failed', claimed_until = NULL, last_error = 'the school has no LRS'
          WHERE tenant_id = $1 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .execute(conn)
    .await?)
}
