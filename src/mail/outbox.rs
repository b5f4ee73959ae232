//! The outbox's statements. Writing a mail is one more insert in the caller's tenant
//! transaction; delivering it is a claim (a lease taken with FOR UPDATE SKIP LOCKED, so two
//! instances never hold one row) and then the outcome.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Mail;
use crate::db::schema::outbox;
use crate::error::AppError;
use crate::ids::TenantId;

/// A claim lasts this long: a sender that dies holding one leaves the mail to another instance
/// after it (and that mail may then go out twice: delivery is at least once).
pub const LEASE_SECS: i64 = 120;
/// A mail still failing after this many attempts is given up on.
pub const MAX_ATTEMPTS: i32 = 8;

pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    mail: &Mail,
) -> Result<(), AppError> {
    enqueue_many(conn, tenant, std::slice::from_ref(mail)).await
}

/// Writes mails in one statement per thousand (an announcement to a large course).
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    mails: &[Mail],
) -> Result<(), AppError> {
    for chunk in mails.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|m| {
                (
                    outbox::tenant_id.eq(tenant.0),
                    outbox::user_id.eq(m.user.map(|u| u.0)),
                    outbox::kind.eq(m.kind.as_str()),
                    outbox::recipient.eq(&m.to),
                    outbox::subject.eq(&m.subject),
                    outbox::text_body.eq(&m.text),
                    outbox::html_body.eq(&m.html),
                    outbox::unsubscribe_url.eq(&m.unsubscribe),
                )
            })
            .collect();
        diesel::insert_into(outbox::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A claimed mail, ready to send.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe_url: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Up to `limit` of the school's due mails, leased to the caller.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    limit: i64,
) -> Result<Vec<Claimed>, AppError> {
    let now = Utc::now();
    let due: Vec<Uuid> = outbox::table
        .filter(outbox::tenant_id.eq(tenant.0))
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::claimed_until
                .is_null()
                .or(outbox::claimed_until.lt(now)),
        )
        // Mail a person is waiting for (a reset, an invitation) before announcements.
        .order((outbox::kind.eq("announcement"), outbox::next_attempt_at))
        .limit(limit)
        .select(outbox::id)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::update(
        outbox::table
            .filter(outbox::tenant_id.eq(tenant.0))
            .filter(outbox::id.eq_any(&due)),
    )
    .set((
        outbox::claimed_until.eq(now + chrono::Duration::seconds(LEASE_SECS)),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .returning((
        outbox::id,
        outbox::kind,
        outbox::recipient,
        outbox::subject,
        outbox::text_body,
        outbox::html_body,
        outbox::unsubscribe_url,
        outbox::attempts,
        outbox::created_at,
    ))
    .get_results(conn)
    .await?)
}

/// What became of one delivery.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Try again after this long.
    Retry(std::time::Duration, String),
    Failed(String),
}

/// Records outcomes. A sent mail keeps its envelope (who, what, when: the person's data export
/// lists it) but not its body, which may hold a single-use link.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    outcomes: &[(Uuid, Outcome)],
) -> Result<(), AppError> {
    let now = Utc::now();
    let sent: Vec<Uuid> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Sent))
        .map(|(id, _)| *id)
        .collect();
    if !sent.is_empty() {
        diesel::update(
            outbox::table
                .filter(outbox::tenant_id.eq(tenant.0))
                .filter(outbox::id.eq_any(&sent)),
        )
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(now),
            outbox::claimed_until.eq(None::<DateTime<Utc>>),
            outbox::text_body.eq(""),
            outbox::html_body.eq(""),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    }
    for (id, outcome) in outcomes {
        let row = outbox::table
            .filter(outbox::tenant_id.eq(tenant.0))
            .filter(outbox::id.eq(id));
        match outcome {
            Outcome::Sent => {}
            Outcome::Retry(after, error) => {
                let at = now + chrono::Duration::from_std(*after).unwrap_or_default();
                diesel::update(row)
                    .set((
                        outbox::next_attempt_at.eq(at),
                        outbox::claimed_until.eq(None::<DateTime<Utc>>),
                        outbox::last_error.eq(error),
                    ))
                    .execute(conn)
                    .await?;
            }
            Outcome::Failed(error) => {
                diesel::update(row)
                    .set((
                        outbox::status.eq("failed"),
                        outbox::claimed_until.eq(None::<DateTime<Utc>>),
                        outbox::last_error.eq(error),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}
