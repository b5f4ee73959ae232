//! The xAPI sender: one task per instance, woken when a school's new statements are announced on
//! commit (`eduflow_xapi`) and sweeping every few seconds for retries and announcements it
//! missed. Schools take turns; each turn posts one batch of a school's statements to its LRS in
//! one request (`POST ENDPOINT/statements`, an array, HTTP Basic), and records the outcome for
//! the whole batch. A lost record means the lease runs out and the batch is sent again; the LRS
//! keeps each statement id once.

use std::time::Duration;

use base64::Engine as _;
use tokio::sync::mpsc;

use super::lrs::{self, Lrs};
use super::statement::{self, Row};
use super::store::{self, Fate, Outcome};
use crate::courier::Courier;
use crate::db::tenant_tx;
use crate::ids::TenantId;
use crate::outbound::{self as address, without_url};
use crate::turns::{DELIVERY_RETRY_CAP, backoff};

/// How the sender paces itself, and where it may send.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How often it looks for due statements nobody announced.
    pub sweep: Duration,
    /// The wait before the first retry; it doubles with each attempt, up to six hours.
    pub retry_base: Duration,
    /// Attempts before a statement is given up.
    pub max_attempts: i32,
    /// Statements posted at once.
    pub batch: i64,
    /// One request, from connecting to the answer.
    pub timeout: Duration,
    /// LRSs on loopback and private addresses are allowed (tests, private deployments).
    pub allow_private: bool,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            sweep: Duration::from_secs(5),
            retry_base: Duration::from_secs(30),
            max_attempts: 12,
            batch: 100,
            timeout: Duration::from_secs(10),
            allow_private: false,
        }
    }
}

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
        self.courier
            .serve((wake, stop), every, "xapi_due_schools", |school| {
                self.batch(school)
            })
            .await;
    }

    /// Sends one batch of the school's due statements; `true` when there may be more.
    async fn batch(&self, tenant: TenantId) -> bool {
        let limit = self.pace.batch;
        let Ok(pools) = self.courier.clusters.of(tenant) else {
            return false;
        };
        let claimed = tenant_tx(pools.primary(), tenant, "xapi_claim", move |conn| {
            Box::pin(async move {
                let Some(lrs) = lrs::load(conn, tenant).await? else {
                    store::abandon(conn, tenant).await?;
                    return Ok(None);
                };
                Ok(Some((lrs, store::claim(conn, tenant, limit).await?)))
            })
        })
        .await;
        let (lrs, rows) = match claimed {
            Ok(Some((lrs, rows))) if !rows.is_empty() => (lrs, rows),
            Ok(_) => return false,
            Err(e) => {
                tracing::warn!(%tenant, error = ?e, "claiming xAPI statements failed");
                return false;
            }
        };
        let full = rows.len() as i64 == limit;
        let Some(school) = self.courier.directory.by_id(tenant) else {
            return false;
        };
        let origin = self.courier.mail.origin(&school);
        let body: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| statement::build(r, &origin, lrs.mbox))
            .collect();
        let outcome = self.post(&lrs, &body).await;
        self.count(&rows, &outcome);
        let fates: Vec<(uuid::Uuid, Fate)> = rows
            .iter()
            .map(|r| (r.id, self.fate(r.attempts, &outcome)))
            .collect();
        let recorded = tenant_tx(pools.primary(), tenant, "xapi_record", move |conn| {
            Box::pin(async move { store::record(conn, tenant, &fates, &outcome).await })
        })
        .await;
        if let Err(e) = recorded {
            tracing::error!(%tenant, error = ?e, "recording xAPI statements failed");
            return false;
        }
        full
    }

    /// A statement sent for the `attempts`th time: delivered, due again after the doubling
    /// wait, or given up.
    fn fate(&self, attempts: i32, outcome: &Outcome) -> Fate {
        match &outcome.error {
            None => Fate::Delivered,
            Some(_) if attempts >= self.pace.max_attempts => Fate::Failed,
            Some(_) => {
                let wait = backoff(self.pace.retry_base, attempts, DELIVERY_RETRY_CAP);
                Fate::RetryAt(
                    chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default(),
                )
            }
        }
    }

    fn count(&self, rows: &[Row], outcome: &Outcome) {
        for row in rows {
            let label = match self.fate(row.attempts, outcome) {
                Fate::Delivered => "delivered",
                Fate::RetryAt(_) => "retry",
                Fate::Failed => "failed",
            };
            self.courier
                .metrics
                .xapi_statements
                .with_label_values(&[label])
                .inc();
            if outcome.error.is_none() {
                let waited = chrono::Utc::now() - row.created_at;
                self.courier
                    .metrics
                    .xapi_delivery
                    .observe(waited.as_seconds_f64().max(0.0));
            }
        }
    }

    /// Posts the statements to the LRS's address (checked), following no redirect.
    async fn post(&self, lrs: &Lrs, body: &[serde_json::Value]) -> Outcome {
        let answer = tokio::time::timeout(self.pace.timeout, async {
            let url = address::parse(&lrs.statements_url())?;
            let addr = address::resolve(&url, self.pace.allow_private).await?;
            let host = url.host_str().unwrap_or_default().to_owned();
            let client = self.courier.clients.get(&host, addr, self.pace.timeout)?;
            let mut request = client
                .post(url)
                .header("content-type", "application/json")
                .header("x-experience-api-version", "1.0.3")
                .body(serde_json::to_vec(body).unwrap_or_default());
            if let Some(user) = &lrs.username {
                let pair = format!("{user}:{}", lrs.password.as_deref().unwrap_or(""));
                let basic = base64::engine::general_purpose::STANDARD.encode(pair);
                request = request.header("authorization", format!("Basic {basic}"));
            }
            let answer = request
                .send()
                .await
                .map_err(|e| format!("sending failed: {}", without_url(&e)))?;
            Ok::<_, String>(i32::from(answer.status().as_u16()))
        })
        .await;
        match answer {
            Ok(Ok(status)) if (200..300).contains(&status) => Outcome {
                status: Some(status),
                error: None,
            },
            Ok(Ok(status)) => Outcome {
                status: Some(status),
                error: Some(format!("the LRS answered {status}")),
            },
            Ok(Err(e)) => Outcome {
                status: None,
                error: Some(e.chars().take(500).collect()),
            },
            Err(_) => Outcome {
                status: None,
                error: Some(format!(
                    "no answer within {} ms",
                    self.pace.timeout.as_millis()
                )),
            },
        }
    }
}
