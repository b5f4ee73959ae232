//! The sender: one task per instance. It wakes when a school's new mail is announced on commit
//! (`eduflow_mail`), and sweeps every few seconds for retries and for announcements it missed
//! (a restart, a lost listener). Schools with mail take turns, one batch each, so one school's
//! announcement to thousands does not hold up another's password reset; within a school, mail
//! a person is waiting for goes before announcements. Each batch is claimed under a lease, sent
//! a few at a time, and the outcomes recorded; the school's name, sender name and reply-to are
//! read as they stand at sending time.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use tokio::sync::mpsc;

use super::outbox::{self, Claimed, MAX_ATTEMPTS, Outcome};
use super::transport::Transport;
use crate::db::{Clusters, tenant_tx};
use crate::ids::TenantId;
use crate::metrics::Metrics;
use crate::tenancy::{Directory, Tenant};
use crate::turns::{backoff, due_schools, take_turns};

pub struct Sender {
    pub clusters: Arc<Clusters>,
    pub directory: Arc<Directory>,
    pub metrics: Arc<Metrics>,
    pub transport: Arc<Transport>,
    pub from: lettre::Address,
    pub pace: Pace,
}

/// How the sender paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How often it looks for due mail nobody announced.
    pub sweep: Duration,
    /// The wait before the first retry; it doubles with each attempt, up to an hour.
    pub retry_base: Duration,
    /// Mails claimed at once from one school.
    pub batch: i64,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            sweep: Duration::from_secs(5),
            retry_base: Duration::from_secs(30),
            batch: 50,
            concurrency: super::transport::POOL_SIZE,
        }
    }
}

impl Sender {
    /// Sends until `stop` turns true (between batches).
    pub async fn run(
        self,
        wake: mpsc::UnboundedReceiver<TenantId>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) {
        tracing::info!(transport = %self.transport.describe(), "mail sender started");
        take_turns(
            wake,
            stop,
            self.pace.sweep,
            || self.sweep(),
            |school| self.batch(school),
        )
        .await;
    }

    /// The schools with mail due now (and the queue's age, for the gauge).
    async fn sweep(&self) -> Vec<TenantId> {
        let (due, oldest) = due_schools(&self.clusters, "mail_due_schools").await;
        self.metrics.mail_queue_age.set(oldest);
        due
    }

    /// Sends one batch of the school's due mail; `true` when there may be more.
    async fn batch(&self, tenant: TenantId) -> bool {
        let limit = self.pace.batch;
        let Ok(pools) = self.clusters.of(tenant) else {
            return false;
        };
        let claimed = tenant_tx(pools.primary(), tenant, "mail_claim", move |conn| {
            Box::pin(async move { outbox::claim(conn, tenant, limit).await })
        })
        .await;
        let batch = match claimed {
            Ok(batch) if batch.is_empty() => return false,
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(%tenant, error = ?e, "claiming mail failed");
                return false;
            }
        };
        let full = batch.len() as i64 == limit;
        let Some(school) = self.directory.by_id(tenant) else {
            // Deleted a moment ago: its mail goes with it.
            return false;
        };
        let outcomes: Vec<(uuid::Uuid, Outcome)> = stream::iter(batch)
            .map(|mail| {
                let school = school.clone();
                async move { (mail.id, self.deliver(&school, &mail).await) }
            })
            .buffer_unordered(self.pace.concurrency)
            .collect()
            .await;
        let recorded = tenant_tx(pools.primary(), tenant, "mail_record", move |conn| {
            Box::pin(async move { outbox::record(conn, tenant, &outcomes).await })
        })
        .await;
        if let Err(e) = recorded {
            // The leases run out and the mail is sent again: at least once, never lost.
            tracing::error!(%tenant, error = ?e, "recording mail outcomes failed");
            return false;
        }
        full
    }

    async fn deliver(&self, school: &Tenant, mail: &Claimed) -> Outcome {
        let kind = [mail.kind.as_str()];
        let message = match self.message(school, mail) {
            Ok(message) => message,
            Err(reason) => {
                tracing::warn!(school = school.slug, mail = %mail.id, reason, "mail cannot be built");
                self.metrics.mail_failed.with_label_values(&kind).inc();
                return Outcome::Failed(reason);
            }
        };
        match self.transport.send(message).await {
            Ok(()) => {
                self.metrics.mail_sent.with_label_values(&kind).inc();
                let waited = chrono::Utc::now() - mail.created_at;
                self.metrics
                    .mail_delivery
                    .observe(waited.as_seconds_f64().max(0.0));
                Outcome::Sent
            }
            Err(failure) if failure.permanent || mail.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(school = school.slug, mail = %mail.id, reason = failure.reason, attempts = mail.attempts, "mail given up");
                self.metrics.mail_failed.with_label_values(&kind).inc();
                Outcome::Failed(failure.reason)
            }
            Err(failure) => {
                tracing::info!(school = school.slug, mail = %mail.id, reason = failure.reason, attempts = mail.attempts, "mail delivery failed; will retry");
                self.metrics.mail_retries.inc();
                Outcome::Retry(
                    backoff(
                        self.pace.retry_base,
                        mail.attempts,
                        Duration::from_secs(3600),
                    ),
                    failure.reason,
                )
            }
        }
    }

    fn message(&self, school: &Tenant, mail: &Claimed) -> Result<Message, String> {
        let name = school
            .accounts
            .mail_sender_name
            .clone()
            .unwrap_or_else(|| school.name.clone());
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(Mailbox::new(Some(name), self.from.clone()))
            .to(to)
            .subject(&mail.subject);
        if let Some(reply_to) = &school.accounts.mail_reply_to {
            builder = builder.reply_to(reply_to.parse().map_err(|e| format!("reply-to: {e}"))?);
        }
        if let Some(url) = &mail.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                mail.html_body.clone(),
            ))
            .map_err(|e| e.to_string())
    }
}

/// RFC 2369: where a recipient unsubscribes.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058: the unsubscribe link works as a one-click POST, without a page in between.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
