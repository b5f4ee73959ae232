//! LISTEN/NOTIFY on the primary: how every instance learns, within milliseconds, that a school's
//! catalog, a learner, a session, an API token or the list of schools changed — whoever committed the change.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use super::connect::Target;

use crate::ids::{TenantId, UserId};

pub const CATALOG_CHANNEL: &str = "eduflow_catalog";
pub const TENANTS_CHANNEL: &str = "eduflow_tenants";
pub const LEARNER_CHANNEL: &str = "eduflow_learner";
pub const MAIL_CHANNEL: &str = "eduflow_mail";
pub const SESSION_CHANNEL: &str = "eduflow_session";
pub const API_TOKEN_CHANNEL: &str = "eduflow_api_token";
pub const WEBHOOK_CHANNEL: &str = "eduflow_webhook";
pub const XAPI_CHANNEL: &str = "eduflow_xapi";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A school's catalog reached `version` (committed).
    Catalog { tenant: TenantId, version: i64 },
    /// A learner's enrollments, progress or role reached `version` (committed).
    Learner {
        tenant: TenantId,
        user: UserId,
        version: i64,
    },
    /// A session of this account ended or what it grants changed (committed).
    Session { tenant: TenantId, user: UserId },
    /// A school has new webhook deliveries (committed).
    Webhook { tenant: TenantId },
    /// A school has new xAPI statements (committed).
    Xapi { tenant: TenantId },
    /// A school's API tokens changed (committed).
    ApiTokens { tenant: TenantId },
    /// A school has new mail to send (committed).
    Mail { tenant: TenantId },
    /// Schools were added, removed or rebranded.
    Tenants,
    /// The listener (re)connected: notifications may have been missed, so drop everything.
    Resync,
}

/// How often the listening connection is asked whether its server still answers, and how long
/// the answer may take. A frozen or cut-off server closes nothing: without asking, the listener
/// would wait on it forever and hear nothing from the new primary.
const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_LIMIT: Duration = Duration::from_secs(2);

/// Listens forever, reconnecting with backoff (to whichever host of a multi-host URL is the
/// primary now); ends when the receiver is dropped.
pub async fn listen(url: String, changes: mpsc::UnboundedSender<Change>) {
    let target = match Target::parse(&url) {
        Ok(target) => target,
        Err(e) => {
            tracing::error!(error = %e, "the change listener's database URL does not parse");
            return;
        }
    };
    let mut backoff = Duration::from_millis(100);
    loop {
        match listen_once(&target, &changes).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(error = %e, "change listener disconnected; reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        // At most a second: every moment without a listener is a moment of missed changes
        // (a failover takes seconds), and a connect attempt costs the server little.
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

/// Ok(()) means the receiver is gone and listening should stop.
async fn listen_once(
    target: &Target,
    changes: &mpsc::UnboundedSender<Change>,
) -> anyhow::Result<()> {
    let (client, mut connection) = target.open().await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "change listener connection failed");
                    break;
                }
            }
        }
    });
    client
        .batch_execute(&format!(
            "LISTEN {CATALOG_CHANNEL}; LISTEN {TENANTS_CHANNEL}; LISTEN {LEARNER_CHANNEL}; \
             LISTEN {MAIL_CHANNEL}; LISTEN {SESSION_CHANNEL}; LISTEN {API_TOKEN_CHANNEL}; \
             LISTEN {WEBHOOK_CHANNEL}; LISTEN {XAPI_CHANNEL};"
        ))
        .await?;
    if changes.send(Change::Resync).is_err() {
        return Ok(());
    }
    let mut probe = tokio::time::interval(PROBE_EVERY);
    loop {
        let n = tokio::select! {
            n = rx.recv() => match n {
                Some(n) => n,
                None => break,
            },
            _ = probe.tick() => {
                match tokio::time::timeout(PROBE_LIMIT, client.batch_execute("SELECT 1")).await {
                    Ok(Ok(())) => continue,
                    Ok(Err(e)) => return Err(e.into()),
                    Err(_) => {
                        driver.abort();
                        anyhow::bail!("the database did not answer within {PROBE_LIMIT:?}")
                    }
                }
            }
        };
        let change = match n.channel() {
            TENANTS_CHANNEL => Some(Change::Tenants),
            LEARNER_CHANNEL => parse_learner(n.payload()),
            SESSION_CHANNEL => parse_session(n.payload()),
            MAIL_CHANNEL => n
                .payload()
                .parse()
                .ok()
                .map(|tenant| Change::Mail { tenant }),
            WEBHOOK_CHANNEL => n
                .payload()
                .parse()
                .ok()
                .map(|tenant| Change::Webhook { tenant }),
            XAPI_CHANNEL => n
                .payload()
                .parse()
                .ok()
                .map(|tenant| Change::Xapi { tenant }),
            API_TOKEN_CHANNEL => n
                .payload()
                .parse()
                .ok()
                .map(|tenant| Change::ApiTokens { tenant }),
            _ => parse_catalog(n.payload()),
        };
        if let Some(change) = change {
            if changes.send(change).is_err() {
                driver.abort();
                return Ok(());
            }
        }
    }
    drop(client);
    anyhow::bail!("connection closed")
}

fn parse_catalog(payload: &str) -> Option<Change> {
    let (tenant, version) = payload.split_once(' ')?;
    Some(Change::Catalog {
        tenant: tenant.parse().ok()?,
        version: version.parse().ok()?,
    })
}

fn parse_learner(payload: &str) -> Option<Change> {
    let mut parts = payload.split(' ');
    let change = Change::Learner {
        tenant: parts.next()?.parse().ok()?,
        user: parts.next()?.parse().ok()?,
        version: parts.next()?.parse().ok()?,
    };
    parts.next().is_none().then_some(change)
}

fn parse_session(payload: &str) -> Option<Change> {
    let (tenant, user) = payload.split_once(' ')?;
    Some(Change::Session {
        tenant: tenant.parse().ok()?,
        user: user.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_catalog_payloads() {
        let id = TenantId::new();
        assert_eq!(
            parse_catalog(&format!("{id} 42")),
            Some(Change::Catalog {
                tenant: id,
                version: 42
            })
        );
        assert_eq!(parse_catalog("garbage"), None);
        assert_eq!(parse_catalog(&format!("{id} x")), None);
    }

    #[test]
    fn parses_learner_payloads() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        assert_eq!(
            parse_learner(&format!("{tenant} {user} 7")),
            Some(Change::Learner {
                tenant,
                user,
                version: 7
            })
        );
        assert_eq!(parse_learner(&format!("{tenant} {user}")), None);
        assert_eq!(parse_learner(&format!("{tenant} {user} 7 8")), None);
        assert_eq!(parse_learner(&format!("{tenant} nobody 7")), None);
    }

    #[test]
    fn parses_session_payloads() {
        let (tenant, user) = (TenantId::new(), UserId::new());
        assert_eq!(
            parse_session(&format!("{tenant} {user}")),
            Some(Change::Session { tenant, user })
        );
        assert_eq!(parse_session(&format!("{tenant}")), None);
        assert_eq!(parse_session(&format!("{tenant} {user} 7")), None);
    }
}
