//! The webhook sender: one task per instance, woken when a school's new deliveries are announced
//! on commit (`eduflow_webhook`) and sweeping every few seconds for retries and for announcements
//! it missed. Schools take turns, a batch each; each batch is claimed under a lease, sent a few at
//! a time, and the outcomes recorded (a lost record means the lease runs out and the delivery is
//! sent again: at least once). An endpoint that fails too often in a row is disabled, and its
//! school's admins are mailed in the transaction that disables it.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use futures_util::{StreamExt, stream};
use tokio::sync::mpsc;

use super::signature;
use super::store::{self, Attempt, Claimed, Disabled};
use crate::courier::Courier;
use crate::db::tenant_tx;
use crate::ids::TenantId;
use crate::mail::{Composer, Kind, outbox};
use crate::outbound::{self as address, without_url};
use crate::tenancy::Tenant;
use crate::turns::{DELIVERY_RETRY_CAP, backoff};

/// How the sender paces itself, and what it allows.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How often it looks for due deliveries nobody announced.
    pub sweep: Duration,
    /// The wait before the first retry; it doubles with each attempt, up to six hours.
    pub retry_base: Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: i32,
    /// Failed attempts in a row that disable an endpoint.
    pub disable_after: i32,
    /// Deliveries claimed at once from one school.
    pub batch: i64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// The whole of one attempt: connecting, sending, the answer's head and up to
    /// [`ANSWER_LIMIT`] of its body.
    pub timeout: Duration,
    /// Endpoints on loopback and private addresses are allowed (tests, private deployments).
    pub allow_private: bool,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            sweep: Duration::from_secs(5),
            retry_base: Duration::from_secs(30),
            max_attempts: 12,
            disable_after: 20,
            batch: 50,
            concurrency: 8,
            timeout: Duration::from_secs(10),
            allow_private: false,
        }
    }
}

/// How much of an endpoint's answer is read (the rest is dropped unread).
pub const ANSWER_LIMIT: usize = 16 * 1024;

pub struct Sender {
    pub courier: Courier,
    pub pace: Pace,
}

impl Sender {
    /// Sends until `stop` turns true (between batches).
    pub async fn run(
        self,
        wake: mpsc::UnboundedReceiver<TenantId>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let every = self.pace.sweep;
        let sweep = "webhook_due_schools";
        self.courier
            .serve((wake, stop), every, sweep, |school| self.batch(school))
            .await;
    }

    /// Sends one batch of the school's due deliveries; `true` when there may be more.
    async fn batch(&self, tenant: TenantId) -> bool {
        let limit = self.pace.batch;
        let Ok(pools) = self.courier.clusters.of(tenant) else {
            return false;
        };
        let claimed = tenant_tx(pools.primary(), tenant, "webhook_claim", move |conn| {
            Box::pin(async move { store::claim(conn, tenant, limit).await })
        })
        .await;
        let batch = match claimed {
            Ok(batch) if batch.is_empty() => return false,
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(%tenant, error = ?e, "claiming webhooks failed");
                return false;
            }
        };
        let full = batch.len() as i64 == limit;
        let Some(school) = self.courier.directory.by_id(tenant) else {
            return false;
        };
        let attempts: Vec<Attempt> = stream::iter(batch)
            .map(|d| async move { self.attempt(&d).await })
            .buffer_unordered(self.pace.concurrency)
            .collect()
            .await;
        let (mail, pace) = (self.courier.mail.clone(), self.pace);
        let recorded = tenant_tx(pools.primary(), tenant, "webhook_record", move |conn| {
            Box::pin(async move {
                let disabled = store::record(conn, tenant, &attempts, pace.disable_after).await?;
                for endpoint in &disabled {
                    tell_admins(conn, &mail, &school, endpoint).await?;
                }
                Ok(disabled)
            })
        })
        .await;
        match recorded {
            Ok(disabled) => {
                for d in disabled {
                    tracing::warn!(%tenant, endpoint = %d.id, reason = d.reason, "webhook endpoint disabled");
                }
            }
            Err(e) => {
                tracing::error!(%tenant, error = ?e, "recording webhook attempts failed");
                return false;
            }
        }
        full
    }

    /// One attempt at `d`, never longer than the pace's timeout.
    async fn attempt(&self, d: &Claimed) -> Attempt {
        let start = Instant::now();
        let answer = tokio::time::timeout(self.pace.timeout, self.post(d)).await;
        let latency_ms = start.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (status, error) = match answer {
            Ok(Ok(status)) if (200..300).contains(&status) => (Some(status), None),
            Ok(Ok(status)) => (
                Some(status),
                Some(format!("the endpoint answered {status}")),
            ),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (
                None,
                Some(format!(
                    "no answer within {} ms",
                    self.pace.timeout.as_millis()
                )),
            ),
        };
        let outcome = match (&error, d.attempts >= self.pace.max_attempts) {
            (None, _) => "delivered",
            (Some(_), false) => "retry",
            (Some(_), true) => "failed",
        };
        self.courier
            .metrics
            .webhook_attempts
            .with_label_values(&[outcome])
            .inc();
        if error.is_none() {
            let waited = chrono::Utc::now() - d.created_at;
            self.courier
                .metrics
                .webhook_delivery
                .observe(waited.as_seconds_f64().max(0.0));
        }
        let retry_at = (outcome == "retry").then(|| {
            let wait = backoff(self.pace.retry_base, d.attempts, DELIVERY_RETRY_CAP);
            chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default()
        });
        Attempt {
            delivery: d.id,
            endpoint: d.endpoint,
            status,
            latency_ms,
            error: error.map(|e| e.chars().take(500).collect()),
            retry_at,
        }
    }

    /// POSTs `d`, signed, to the address its URL resolves to (checked), following no redirect;
    /// answers the status once up to [`ANSWER_LIMIT`] of the body is read.
    async fn post(&self, d: &Claimed) -> Result<i32, String> {
        let url = address::parse(&d.url)?;
        let addr = address::resolve(&url, self.pace.allow_private).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = self.courier.clients.get(&host, addr, self.pace.timeout)?;
        let id = format!("msg_{}", d.id.simple());
        let timestamp = chrono::Utc::now().timestamp();
        let mut secrets = vec![d.secret.as_str()];
        secrets.extend(d.previous_secret.as_deref());
        let signature = signature::header(&secrets, &id, timestamp, d.body.as_bytes());
        let mut answer = client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.body.clone())
            .send()
            .await
            .map_err(|e| format!("sending failed: {}", without_url(&e)))?;
        let status = i32::from(answer.status().as_u16());
        let mut read = 0;
        while read < ANSWER_LIMIT {
            match answer.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        Ok(status)
    }
}

/// Mails each of the school's admins that `endpoint` was disabled.
async fn tell_admins(
    conn: &mut diesel_async::AsyncPgConnection,
    mail: &Composer,
    school: &Tenant,
    endpoint: &Disabled,
) -> Result<(), crate::error::AppError> {
    #[derive(QueryableByName)]
    struct Admin {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        email: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        locale: Option<String>,
    }
    let admins: Vec<Admin> = diesel::sql_query(
        "SELECT id, name, email, locale FROM users
          WHERE tenant_id = $1 AND role = 'admin' AND suspended_at IS NULL AND erased_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(school.id.0)
    .load(conn)
    .await?;
    let link = format!("{}/admin/webhooks/{}", mail.origin(school), endpoint.id);
    let mut mails = Vec::with_capacity(admins.len());
    for admin in admins {
        let mut ctx = tera::Context::new();
        ctx.insert("name", &admin.name);
        ctx.insert("url", &endpoint.url);
        ctx.insert("reason", &endpoint.reason);
        ctx.insert("count", &endpoint.failures);
        ctx.insert("link", &link);
        mails.push(mail.compose(
            school,
            Kind::WebhookDisabled,
            (&admin.email, Some(crate::ids::UserId(admin.id))),
            school.locale_for(admin.locale.as_deref()),
            ctx,
        )?);
    }
    outbox::enqueue_many(conn, school.id, &mails).await
}
