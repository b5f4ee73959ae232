//! Access to the services (AGS, NRPS): OAuth 2 client credentials where the client proves itself
//! with a JWT signed by its own key (RFC 7523, as LTI Security Framework §4.1 says). A token is
//! random, kept hashed, names its tool and the scopes it was granted, and lasts an hour. Each
//! assertion is taken once (its `jti`).

use diesel::sql_types::{Array, Binary, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::AppError;
use crate::ids::TenantId;
use crate::random::{random_token, token_hash};

pub const SCOPE_LINE_ITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_LINE_ITEM_READ: &str =
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
pub const SCOPE_RESULT: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const SCOPE_MEMBERSHIPS: &str =
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

const SCOPES: &[&str] = &[
    SCOPE_LINE_ITEM,
    SCOPE_LINE_ITEM_READ,
    SCOPE_RESULT,
    SCOPE_SCORE,
    SCOPE_MEMBERSHIPS,
];

pub const TOKEN_SECS: i64 = 3600;

/// The scopes asked for that EduFlow grants; none known is a refusal (`invalid_scope`).
pub fn granted(asked: &str) -> Option<Vec<String>> {
    let mut scopes: Vec<String> = asked
        .split_ascii_whitespace()
        .filter(|s| SCOPES.contains(s))
        .map(str::to_owned)
        .collect();
    scopes.sort();
    scopes.dedup();
    (!scopes.is_empty()).then_some(scopes)
}

/// The checks on an assertion's claims beyond its signature, issuer and audience: it is about
/// the client itself (`sub`), carries an id and is not too long-lived. Its `jti` and expiry.
pub fn assertion(claims: &Map<String, Value>, client_id: &str) -> Result<(String, i64), String> {
    if claims.get("sub").and_then(Value::as_str) != Some(client_id) {
        return Err("its subject is not the client".into());
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty() && j.len() <= 500)
        .ok_or("it has no usable `jti`")?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("it has no `exp`")?;
    Ok((jti.to_owned(), exp))
}

/// Notes that `tool` used `value` as a `what` (nonce, jti, deep-link); `false` when it already
/// had. Kept until `expires` (unix seconds), when it could no longer be accepted anyway.
pub async fn once(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    what: &str,
    value: &str,
    expires: i64,
) -> Result<bool, AppError> {
    diesel::sql_query(
        "DELETE FROM lti_used WHERE tenant_id = $1 AND tool_id = $2 AND expires_at < now() - interval '5 minutes'",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .execute(conn)
    .await?;
    let expires = chrono::DateTime::from_timestamp(expires, 0).unwrap_or_else(chrono::Utc::now)
        + chrono::Duration::minutes(5);
    let fresh = diesel::sql_query(
        "INSERT INTO lti_used (tenant_id, tool_id, what, value, expires_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<Text, _>(what)
    .bind::<Text, _>(value)
    .bind::<Timestamptz, _>(expires)
    .execute(conn)
    .await?;
    Ok(fresh == 1)
}

/// A new access token for `tool` with `scopes`.
pub async fn issue(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    tool: Uuid,
    scopes: &[String],
) -> Result<String, AppError> {
    let token = random_token();
    diesel::sql_query(
        "INSERT INTO lti_access_tokens (token_hash, tenant_id, tool_id, scopes, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))",
    )
    .bind::<Binary, _>(token_hash(&token))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(tool)
    .bind::<Array<Text>, _>(scopes)
    .bind::<diesel::sql_types::Double, _>(TOKEN_SECS as f64)
    .execute(conn)
    .await?;
    diesel::sql_query("DELETE FROM lti_access_tokens WHERE tenant_id = $1 AND expires_at < now()")
        .bind::<SqlUuid, _>(tenant.0)
        .execute(conn)
        .await?;
    Ok(token)
}

/// Who holds a token: the tool, and what it may do.
#[derive(Debug, Clone, QueryableByName)]
pub struct Grant {
    #[diesel(sql_type = SqlUuid)]
    pub tool_id: Uuid,
    #[diesel(sql_type = Array<Text>)]
    pub scopes: Vec<String>,
}

impl Grant {
    /// Whether the token may do what needs one of `scopes`.
    pub fn allows(&self, scopes: &[&str]) -> bool {
        self.scopes.iter().any(|s| scopes.contains(&s.as_str()))
    }
}

/// The grant of a live token of this school.
pub async fn bearer(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    token: &str,
) -> Result<Option<Grant>, AppError> {
    Ok(diesel::sql_query(
        "SELECT tool_id, scopes FROM lti_access_tokens
          WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > now()",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Binary, _>(token_hash(token))
    .get_result(conn)
    .await
    .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_scopes_are_granted() {
        assert_eq!(granted("openid profile"), None);
        assert_eq!(
            granted(&format!("{SCOPE_SCORE} made-up {SCOPE_SCORE}")),
            Some(vec![SCOPE_SCORE.to_owned()])
        );
    }

    #[test]
    fn an_assertion_is_about_its_client_and_named() {
        let claims = |v: Value| v.as_object().unwrap().clone();
        let ok = claims(serde_json::json!({"sub": "c1", "jti": "j", "exp": 5}));
        assert_eq!(assertion(&ok, "c1"), Ok(("j".into(), 5)));
        assert!(assertion(&ok, "c2").is_err());
        let unnamed = claims(serde_json::json!({"sub": "c1", "exp": 5}));
        assert!(assertion(&unnamed, "c1").is_err());
    }
}
