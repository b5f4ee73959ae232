//! Sign-ins under way: between the redirect to a provider and its answer, on any instance. The
//! browser carries the `state`; the row (keyed by its SHA-256) holds what must come back with
//! it. Taking a sign-in deletes it, so a `state` works once; one older than ten minutes is gone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::QueryableByName;
use diesel::sql_types::{Bytea, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::ids::TenantId;
use crate::random::{random_token, token_hash};

/// How long a person has to sign in at the provider.
pub const LIFETIME_MINUTES: i32 = 10;

/// A sign-in just begun: what goes to the provider (and, `state`, to the browser's cookie).
#[derive(Debug)]
pub struct Begun {
    pub state: String,
    pub nonce: String,
    /// The PKCE `code_challenge` (S256) of the verifier kept in the row.
    pub challenge: String,
}

/// A sign-in taken back with its `state`.
#[derive(Debug, QueryableByName)]
pub struct Pending {
    #[diesel(sql_type = Text)]
    pub provider: String,
    #[diesel(sql_type = Text)]
    pub nonce: String,
    #[diesel(sql_type = Text)]
    pub verifier: String,
    #[diesel(sql_type = Text)]
    pub next: String,
}

/// Records a sign-in with `provider` that returns to `next` (a local path).
pub async fn begin(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    provider: &str,
    next: &str,
) -> Result<Begun, AppError> {
    let (state, nonce, verifier) = (random_token(), random_token(), random_token());
    record(conn, tenant, provider, next, &state, &nonce, &verifier).await?;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Ok(Begun {
        state,
        nonce,
        challenge,
    })
}

/// Records a sign-in whose `state` (the OIDC state, or SAML's RelayState), `nonce` (or the
/// AuthnRequest's id) and PKCE `verifier` are given.
pub async fn record(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    provider: &str,
    next: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Result<(), AppError> {
    // Sign-ins nobody finished go as new ones begin, so the table holds ten minutes of them.
    diesel::sql_query(format!(
        "DELETE FROM sso_logins WHERE tenant_id = $1
            AND created_at < now() - interval '{LIFETIME_MINUTES} minutes'"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "INSERT INTO sso_logins (tenant_id, state_hash, provider, nonce, verifier, next)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Bytea, _>(token_hash(state))
    .bind::<Text, _>(provider)
    .bind::<Text, _>(nonce)
    .bind::<Text, _>(verifier)
    .bind::<Text, _>(next)
    .execute(conn)
    .await?;
    Ok(())
}

/// Notes that `assertion` of `provider` was used; `false` if it was already (a replay).
pub async fn use_assertion(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    provider: &str,
    assertion: &str,
) -> Result<bool, AppError> {
    diesel::sql_query("DELETE FROM sso_assertions WHERE tenant_id = $1 AND expires_at < now()")
        .bind::<SqlUuid, _>(tenant.0)
        .execute(conn)
        .await?;
    let n = diesel::sql_query(
        "INSERT INTO sso_assertions (tenant_id, provider, assertion_id, expires_at)
         VALUES ($1, $2, $3, now() + interval '1 day') ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(provider)
    .bind::<Text, _>(assertion)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Takes the sign-in `state` names at the school, once; `None` if it is unknown, used, expired
/// or another school's.
pub async fn take(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    state: &str,
) -> Result<Option<Pending>, AppError> {
    let taken: Vec<Pending> = diesel::sql_query(format!(
        "DELETE FROM sso_logins WHERE tenant_id = $1 AND state_hash = $2
            AND created_at >= now() - interval '{LIFETIME_MINUTES} minutes'
         RETURNING provider, nonce, verifier, next"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Bytea, _>(token_hash(state))
    .load(conn)
    .await?;
    Ok(taken.into_iter().next())
}
