//! Webhook endpoints and deliveries in the database. Every statement names its school besides
//! relying on RLS, since the CLI may run as a superuser.

use chrono::{DateTime, Utc};
use diesel::sql_types::{
    Array, BigInt, Bool, Integer, Interval, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::signature::new_secret;
use crate::audit::{self, By, Change};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::keyset::Cursor;

/// A claimed delivery is someone's for this long; then it is due again.
pub const LEASE_SECS: i64 = 60;

/// An endpoint as admins see it (never its secret).
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Endpoint {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Array<Text>)]
    pub events: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub failures: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub disabled_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub disabled_reason: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub previous_until: Option<DateTime<Utc>>,
}

const ENDPOINT: &str =
    "id, url, events, created_at, failures, disabled_at, disabled_reason, previous_until";

#[derive(QueryableByName)]
struct Secret {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    secret: String,
}

/// Adds an endpoint, on the audit log as `by`'s; returns its signing secret (to show once).
pub async fn add(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    url: &str,
    events: &[&str],
) -> Result<String, AppError> {
    let row: Secret = diesel::sql_query(
        "INSERT INTO webhook_endpoints (tenant_id, url, events, secret) VALUES ($1, $2, $3, $4)
         RETURNING id, secret",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(url)
    .bind::<Array<Text>, _>(events)
    .bind::<Text, _>(new_secret())
    .get_result(conn)
    .await?;
    let change = Change::new("webhook.added", format!("webhook:{}", row.id))
        .after(serde_json::json!({ "url": url, "events": events }));
    audit::record(conn, tenant, by, change).await?;
    Ok(row.secret)
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Vec<Endpoint>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {ENDPOINT} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id LIMIT 100"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .load(conn)
    .await?)
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Endpoint>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {ENDPOINT} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// A new secret for the endpoint; the old one is honoured (signed with too) for `overlap`.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    id: Uuid,
    overlap: std::time::Duration,
) -> Result<Option<String>, AppError> {
    let row: Option<Secret> = diesel::sql_query(
        "UPDATE webhook_endpoints
            SET previous_secret = secret, previous_until = now() + $3, secret = $4
          WHERE tenant_id = $1 AND id = $2 RETURNING id, secret",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .bind::<Interval, _>(diesel::data_types::PgInterval::from_microseconds(
        overlap.as_micros() as i64,
    ))
    .bind::<Text, _>(new_secret())
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| r.secret))
}

/// Serves a disabled endpoint again (its failures forgotten). `false`: no such endpoint.
pub async fn enable(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    id: Uuid,
) -> Result<bool, AppError> {
    Ok(diesel::sql_query(
        "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, failures = 0
          WHERE tenant_id = $1 AND id = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?
        > 0)
}

/// Removes an endpoint and its deliveries; returns its URL.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<String>, AppError> {
    #[derive(QueryableByName)]
    struct Url {
        #[diesel(sql_type = Text)]
        url: String,
    }
    let gone: Option<Url> = diesel::sql_query(
        "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 RETURNING url",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(gone.map(|g| g.url))
}

/// One delivery as the endpoint's log shows it.
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Delivery {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub last_status: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub last_latency_ms: Option<i32>,
}

/// The endpoint's deliveries, newest first, `limit` after `after`.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    endpoint: Uuid,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Delivery>, AppError> {
    let (at, id) = after.map(|Cursor(at, id)| (at, id)).unzip();
    Ok(diesel::sql_query(
        "SELECT id, event, created_at, status, attempts,
                CASE WHEN status = 'pending' THEN next_attempt_at END AS next_attempt_at,
                delivered_at, last_status, last_error, last_latency_ms
           FROM webhook_deliveries
          WHERE tenant_id = $1 AND endpoint_id = $2
            AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
          ORDER BY created_at DESC, id DESC LIMIT $5",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(endpoint)
    .bind::<Nullable<Timestamptz>, _>(at)
    .bind::<Nullable<SqlUuid>, _>(id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// Sends a delivery again now, whatever became of it (same message id, so receivers can tell).
pub async fn redeliver(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    endpoint: Uuid,
    delivery: Uuid,
) -> Result<bool, AppError> {
    let n = diesel::sql_query(
        "UPDATE webhook_deliveries
            SET status = 'pending', next_attempt_at = now(), claimed_until = NULL
          WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(endpoint)
    .bind::<SqlUuid, _>(delivery)
    .execute(conn)
    .await?;
    if n > 0 {
        diesel::sql_query("SELECT pg_notify('eduflow_webhook', $1)")
            .bind::<Text, _>(tenant.0.to_string())
            .execute(conn)
            .await?;
    }
    Ok(n > 0)
}

/// A delivery leased to a sender.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub endpoint: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
    /// The rotated-out secret, while it is still honoured.
    #[diesel(sql_type = Nullable<Text>)]
    pub previous_secret: Option<String>,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// Up to `limit` of the school's due deliveries to live endpoints, leased to the caller, oldest
/// first.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<Claimed>, AppError> {
    Ok(diesel::sql_query(
        "WITH due AS (
            SELECT d.id FROM webhook_deliveries d
              JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
             WHERE d.tenant_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= now()
               AND (d.claimed_until IS NULL OR d.claimed_until < now()) AND e.disabled_at IS NULL
             ORDER BY d.next_attempt_at, d.created_at LIMIT $2
             FOR UPDATE OF d SKIP LOCKED)
         UPDATE webhook_deliveries d
            SET claimed_until = now() + make_interval(secs => $3), attempts = d.attempts + 1
           FROM due, webhook_endpoints e
          WHERE d.id = due.id AND e.id = d.endpoint_id AND e.tenant_id = d.tenant_id
         RETURNING d.id, d.endpoint_id AS endpoint, e.url, e.secret,
                   CASE WHEN e.previous_until > now() THEN e.previous_secret END AS previous_secret,
                   d.payload::text AS body, d.attempts, d.created_at",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(LEASE_SECS as f64)
    .load(conn)
    .await?)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery: Uuid,
    pub endpoint: Uuid,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<i32>,
    pub latency_ms: i32,
    /// `None`: delivered (a 2xx).
    pub error: Option<String>,
    /// When to try again (`None` with an error: given up).
    pub retry_at: Option<DateTime<Utc>>,
}

/// An endpoint disabled by [`record`]: its URL, and why.
#[derive(Debug, Clone, QueryableByName)]
pub struct Disabled {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub url: String,
    /// The last attempt's failure, as the network or the receiver gave it (English).
    #[diesel(sql_type = Text)]
    pub reason: String,
    /// Failed attempts in a row.
    #[diesel(sql_type = Integer)]
    pub failures: i32,
}

/// Records attempts. An endpoint's failures in a row are counted; the attempt that brings them
/// to `disable_after` disables it (returned, so its admins can be told in this transaction).
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    attempts: &[Attempt],
    disable_after: i32,
) -> Result<Vec<Disabled>, AppError> {
    let mut disabled = Vec::new();
    for a in attempts {
        let status = match (&a.error, a.retry_at) {
            (None, _) => "delivered",
            (Some(_), Some(_)) => "pending",
            (Some(_), None) => "failed",
        };
        diesel::sql_query(
            "UPDATE webhook_deliveries
                SET status = $3, claimed_until = NULL, last_status = $4, last_error = $5,
                    last_latency_ms = $6, next_attempt_at = coalesce($7, next_attempt_at),
                    delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END
              WHERE tenant_id = $1 AND id = $2",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(a.delivery)
        .bind::<Text, _>(status)
        .bind::<Nullable<Integer>, _>(a.status)
        .bind::<Nullable<Text>, _>(&a.error)
        .bind::<Integer, _>(a.latency_ms)
        .bind::<Nullable<Timestamptz>, _>(a.retry_at)
        .execute(conn)
        .await?;
        #[derive(QueryableByName)]
        struct Failures {
            #[diesel(sql_type = Integer)]
            failures: i32,
        }
        let counted: Option<Failures> = diesel::sql_query(
            "UPDATE webhook_endpoints SET failures = CASE WHEN $3 THEN failures + 1 ELSE 0 END
              WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL RETURNING failures",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(a.endpoint)
        .bind::<Bool, _>(a.error.is_some())
        .get_result(conn)
        .await
        .optional()?;
        let Some(Failures { failures }) = counted else {
            continue;
        };
        if a.error.is_none() || failures < disable_after {
            continue;
        }
        let now_disabled: Option<Disabled> = diesel::sql_query(
            "UPDATE webhook_endpoints
                SET disabled_at = now(),
                    disabled_reason = $3
              WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL
             RETURNING id, url, disabled_reason AS reason, failures",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(a.endpoint)
        .bind::<Text, _>(a.error.as_deref().unwrap_or(""))
        .get_result(conn)
        .await
        .optional()?;
        disabled.extend(now_disabled);
    }
    Ok(disabled)
}
