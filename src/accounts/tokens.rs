//! Single-use links mailed to a person: a password reset, an address to verify, a new address
//! to confirm, an invitation. The link carries a random 256-bit token; the table holds its
//! SHA-256, so a leaked table opens nothing. Redeeming is one UPDATE … RETURNING, so two clicks
//! racing each other cannot both succeed.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::sessions::{random_token, token_hash};
use crate::db::schema::account_tokens;
use crate::error::AppError;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Reset,
    Verify,
    Email,
    Invite,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Verify => "verify",
            Self::Email => "email",
            Self::Invite => "invite",
        }
    }

    /// How long its link works.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::Reset => Duration::minutes(30),
            Self::Verify => Duration::days(7),
            Self::Email => Duration::hours(24),
            Self::Invite => Duration::days(14),
        }
    }
}

/// What a token was issued for.
#[derive(Debug, Clone, Queryable)]
pub struct Issued {
    pub id: Uuid,
    pub user: Option<Uuid>,
    pub email: String,
    pub payload: serde_json::Value,
}

/// Issues a token; returns it for the link (it is stored only hashed).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    purpose: Purpose,
    user: Option<UserId>,
    email: &str,
    payload: serde_json::Value,
) -> Result<String, AppError> {
    let token = random_token();
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::tenant_id.eq(tenant.0),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::token_hash.eq(token_hash(&token)),
            account_tokens::user_id.eq(user.map(|u| u.0)),
            account_tokens::email.eq(email),
            account_tokens::payload.eq(payload),
            account_tokens::expires_at.eq(Utc::now() + purpose.lifetime()),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// The live (unused, unexpired) token, without using it up: for the page a link opens.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Issued>, AppError> {
    Ok(account_tokens::table
        .filter(account_tokens::token_hash.eq(token_hash(token)))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .filter(account_tokens::used_at.is_null())
        .filter(account_tokens::expires_at.gt(Utc::now()))
        .select((
            account_tokens::id,
            account_tokens::user_id,
            account_tokens::email,
            account_tokens::payload,
        ))
        .first(conn)
        .await
        .optional()?)
}

/// Uses the token up: `None` when it is unknown, used, expired, or for another purpose.
pub async fn redeem(
    conn: &mut AsyncPgConnection,
    purpose: Purpose,
    token: &str,
) -> Result<Option<Issued>, AppError> {
    Ok(diesel::update(
        account_tokens::table
            .filter(account_tokens::token_hash.eq(token_hash(token)))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::expires_at.gt(Utc::now())),
    )
    .set(account_tokens::used_at.eq(Utc::now()))
    .returning((
        account_tokens::id,
        account_tokens::user_id,
        account_tokens::email,
        account_tokens::payload,
    ))
    .get_result(conn)
    .await
    .optional()?)
}

/// Ends every other live token of this purpose for the account (a reset used, an address
/// changed).
pub async fn retire(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    purpose: Purpose,
    user: UserId,
) -> Result<(), AppError> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::tenant_id.eq(tenant.0))
            .filter(account_tokens::user_id.eq(user.0))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Utc::now()))
    .execute(conn)
    .await?;
    Ok(())
}

/// An account is mailed at most one link of a purpose a minute.
pub const RESEND_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// Seconds the account must wait before it is mailed another link of this purpose; `None`: it
/// may have one now.
pub async fn resend_wait(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    purpose: Purpose,
    user: UserId,
) -> Result<Option<u64>, AppError> {
    let last: Option<DateTime<Utc>> = account_tokens::table
        .filter(account_tokens::tenant_id.eq(tenant.0))
        .filter(account_tokens::user_id.eq(user.0))
        .filter(account_tokens::purpose.eq(purpose.as_str()))
        .select(diesel::dsl::max(account_tokens::created_at))
        .first(conn)
        .await?;
    Ok(last
        .map(|at| at + RESEND_AFTER - Utc::now())
        .filter(|w| *w > chrono::Duration::zero())
        .map(|w| w.num_seconds().max(1) as u64))
}
