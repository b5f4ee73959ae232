//! API tokens in the database. Every statement names its school besides relying on RLS, since
//! the CLI may run as a superuser.

use chrono::{DateTime, Utc};
use diesel::sql_types::{Array, Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::{Grant, PREFIX, Scope};
use crate::accounts::sessions::{random_token, token_hash};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};

/// A token as admins list it (never the token itself).
#[derive(Debug, Clone, Serialize, QueryableByName)]
pub struct Listed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub hint: String,
    #[diesel(sql_type = Array<Text>)]
    pub scopes: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just made: its id, and the token itself, to show once.
#[derive(Debug)]
pub struct Created {
    pub id: Uuid,
    pub token: String,
}

/// Makes a token for `tenant`.
pub async fn create(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
    created_by: Option<UserId>,
) -> Result<Created, AppError> {
    let token = format!("{PREFIX}{}", random_token());
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let row: Id = diesel::sql_query(
        "INSERT INTO api_tokens (tenant_id, name, token_hash, hint, scopes, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(name)
    .bind::<Bytea, _>(token_hash(&token))
    .bind::<Text, _>(&token[..PREFIX.len() + 6])
    .bind::<Array<Text>, _>(&scopes)
    .bind::<Nullable<Timestamptz>, _>(expires_at)
    .bind::<Nullable<SqlUuid>, _>(created_by.map(|u| u.0))
    .get_result(conn)
    .await?;
    Ok(Created { id: row.id, token })
}

/// `tenant`'s tokens, newest first.
pub async fn list(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<Vec<Listed>, AppError> {
    Ok(diesel::sql_query(
        "SELECT id, name, hint, scopes, created_at, expires_at, revoked_at FROM api_tokens
          WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .load(conn)
    .await?)
}

/// Revokes a token of `tenant`; returns its name, or `None` if it has no such live token.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    token: Uuid,
) -> Result<Option<String>, AppError> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let revoked: Option<Name> = diesel::sql_query(
        "UPDATE api_tokens SET revoked_at = now()
          WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING name",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(token)
    .get_result(conn)
    .await
    .optional()?;
    Ok(revoked.map(|r| r.name))
}

#[derive(QueryableByName)]
struct GrantRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Array<Text>)]
    scopes: Vec<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expires_at: Option<DateTime<Utc>>,
}

/// The grant of the live (unrevoked) token with SHA-256 `hash` at `tenant`; expiry is the
/// caller's to check against its clock.
pub async fn grant(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    hash: &[u8],
) -> Result<Option<Grant>, AppError> {
    let row: Option<GrantRow> = diesel::sql_query(
        "SELECT id, name, scopes, expires_at FROM api_tokens
          WHERE tenant_id = $1 AND token_hash = $2 AND revoked_at IS NULL",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Bytea, _>(hash)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| Grant {
        token: r.id,
        tenant,
        name: r.name,
        scopes: r.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        expires_at: r.expires_at,
    }))
}
