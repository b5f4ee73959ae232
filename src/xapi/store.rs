//! The statement rows: claimed a batch at a time under a lease (`FOR UPDATE SKIP LOCKED`, so two
//! instances never send one at once), and their outcome recorded.

use diesel::sql_types::{Array, BigInt, Bool, Double, Integer, Nullable, Text, Uuid as SqlUuid};
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

/// Records the outcome of the batch `ids`: stored, or due again after `retry_base` doubled per
/// attempt (up to six hours), or given up after `max_attempts`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    ids: &[Uuid],
    outcome: &Outcome,
    (retry_base, max_attempts): (f64, i32),
) -> Result<(), AppError> {
    diesel::sql_query(
        "UPDATE xapi_statements
            SET status = CASE WHEN $3 THEN 'delivered'
                              WHEN attempts >= $7 THEN 'failed' ELSE 'pending' END,
                claimed_until = NULL, last_status = $4, last_error = $5,
                delivered_at = CASE WHEN $3 THEN now() END,
                next_attempt_at = CASE WHEN $3 THEN next_attempt_at
                    ELSE now() + make_interval(secs => least($6 * 2 ^ (attempts - 1), 21600)) END
          WHERE tenant_id = $1 AND id = ANY ($2)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Bool, _>(outcome.error.is_none())
    .bind::<Nullable<Integer>, _>(outcome.status)
    .bind::<Nullable<Text>, _>(&outcome.error)
    .bind::<Double, _>(retry_base)
    .bind::<Integer, _>(max_attempts)
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
