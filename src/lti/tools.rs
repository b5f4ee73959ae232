//! The tools a school registers: where the tool's login starts, the only addresses EduFlow sends
//! id_tokens to, where it publishes its keys, and where instructors choose its content. EduFlow
//! issues the client id (random, so it names one school) and the deployment id.

use diesel::sql_types::{Array, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::{self, By, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::outbound;

#[derive(Debug, Clone, QueryableByName, serde::Serialize)]
pub struct Tool {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub client_id: String,
    #[diesel(sql_type = Text)]
    pub deployment_id: String,
    #[diesel(sql_type = Text)]
    pub login_url: String,
    #[diesel(sql_type = Array<Text>)]
    pub redirect_uris: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub jwks_url: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub public_jwk: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    pub deep_linking_url: Option<String>,
}

/// Where a tool's keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Url(String),
    /// One RSA public key as a JWK.
    Static(Value),
}

/// A registration as given, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTool {
    pub name: String,
    pub login_url: String,
    pub redirect_uris: Vec<String>,
    pub keys: KeySource,
    pub deep_linking_url: Option<String>,
}

fn url(field: &str, raw: &str) -> Result<String, Msg> {
    outbound::parse(raw).map(String::from).map_err(|reason| {
        Msg::new("lti-url-invalid")
            .text("field", field)
            .text("reason", reason)
    })
}

impl NewTool {
    pub fn parse(
        name: &str,
        login_url: &str,
        redirect_uris: &[String],
        keys: KeySource,
        deep_linking_url: Option<&str>,
    ) -> Result<Self, Msg> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Msg::new("lti-name-invalid"));
        }
        if redirect_uris.is_empty() || redirect_uris.len() > 20 {
            return Err(Msg::new("lti-redirect-uris-count"));
        }
        let keys = match keys {
            KeySource::Url(raw) => KeySource::Url(url("jwks-url", &raw)?),
            KeySource::Static(jwk) => {
                let parsed: Result<jsonwebtoken::jwk::Jwk, _> = serde_json::from_value(jwk.clone());
                match parsed.map(|k| jsonwebtoken::DecodingKey::from_jwk(&k)) {
                    Ok(Ok(_)) => KeySource::Static(jwk),
                    _ => return Err(Msg::new("lti-key-invalid")),
                }
            }
        };
        Ok(Self {
            name: name.to_owned(),
            login_url: url("login-url", login_url)?,
            redirect_uris: redirect_uris
                .iter()
                .map(|u| url("redirect-uri", u))
                .collect::<Result<_, _>>()?,
            keys,
            deep_linking_url: deep_linking_url
                .filter(|u| !u.trim().is_empty())
                .map(|u| url("deep-linking-url", u))
                .transpose()?,
        })
    }
}

const COLUMNS: &str = "id, name, client_id, deployment_id, login_url, redirect_uris, jwks_url, \
                       public_jwk, deep_linking_url";

/// Registers `new`, on the audit log as `by`'s; a name the school already uses is refused.
pub async fn add(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    new: &NewTool,
) -> Result<Tool, AppError> {
    let (jwks_url, public_jwk) = match &new.keys {
        KeySource::Url(u) => (Some(u.clone()), None),
        KeySource::Static(jwk) => (None, Some(jwk.clone())),
    };
    let client_id = Uuid::new_v4().simple().to_string();
    let deployment_id = Uuid::new_v4().to_string();
    let added: Option<Tool> = diesel::sql_query(format!(
        "INSERT INTO lti_tools (tenant_id, name, client_id, deployment_id, login_url,
                                redirect_uris, jwks_url, public_jwk, deep_linking_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, name) DO NOTHING
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(&new.name)
    .bind::<Text, _>(client_id)
    .bind::<Text, _>(deployment_id)
    .bind::<Text, _>(&new.login_url)
    .bind::<Array<Text>, _>(&new.redirect_uris)
    .bind::<Nullable<Text>, _>(jwks_url)
    .bind::<Nullable<Jsonb>, _>(public_jwk)
    .bind::<Nullable<Text>, _>(&new.deep_linking_url)
    .get_result(conn)
    .await
    .optional()?;
    let tool = added
        .ok_or_else(|| AppError::Conflict(Msg::new("lti-name-taken").text("name", &new.name)))?;
    let change = Change::new("lti.tool_added", format!("lti_tool:{}", tool.id)).after(json!({
        "name": tool.name,
        "client_id": tool.client_id,
        "login_url": tool.login_url,
        "redirect_uris": tool.redirect_uris,
        "jwks_url": tool.jwks_url,
        "deep_linking_url": tool.deep_linking_url,
    }));
    audit::record(conn, tenant, by, change).await?;
    Ok(tool)
}

/// Removes the tool, its lessons' links and line items with their scores (the lessons stay, as
/// text); on the audit log as `by`'s. `false`: no such tool here.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    id: Uuid,
) -> Result<bool, AppError> {
    let Some(tool) = by_id(conn, tenant, id).await? else {
        return Ok(false);
    };
    diesel::sql_query(
        "UPDATE lessons SET kind = 'text' WHERE tenant_id = $1
            AND id IN (SELECT lesson_id FROM lti_links WHERE tenant_id = $1 AND tool_id = $2)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .await?;
    diesel::sql_query("DELETE FROM lti_tools WHERE tenant_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    let change = Change::new("lti.tool_removed", format!("lti_tool:{id}"))
        .before(json!({ "name": tool.name, "client_id": tool.client_id }));
    audit::record(conn, tenant, by, change).await?;
    Ok(true)
}

/// Makes the school's tools from its file those the file lists: each written by name (keeping
/// its ids), those it no longer lists removed (their lessons become text lessons). Tools an admin
/// or the CLI registered are left alone. Names the school in every statement (owner side).
pub async fn apply_file(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    file: &[NewTool],
) -> Result<(), AppError> {
    let keep: Vec<&str> = file.iter().map(|t| t.name.as_str()).collect();
    diesel::sql_query(
        "UPDATE lessons SET kind = 'text' WHERE tenant_id = $1 AND id IN (
            SELECT k.lesson_id FROM lti_links k JOIN lti_tools t ON t.tenant_id = k.tenant_id AND t.id = k.tool_id
             WHERE k.tenant_id = $1 AND t.from_file AND t.name <> ALL($2))",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<Text>, _>(&keep)
    .execute(conn)
    .await?;
    diesel::sql_query(
        "DELETE FROM lti_tools WHERE tenant_id = $1 AND from_file AND name <> ALL($2)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<Text>, _>(&keep)
    .execute(conn)
    .await?;
    for new in file {
        let (jwks_url, public_jwk) = match &new.keys {
            KeySource::Url(u) => (Some(u.clone()), None),
            KeySource::Static(jwk) => (None, Some(jwk.clone())),
        };
        diesel::sql_query(
            "INSERT INTO lti_tools (tenant_id, name, client_id, deployment_id, login_url,
                                    redirect_uris, jwks_url, public_jwk, deep_linking_url, from_file)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)
             ON CONFLICT (tenant_id, name) DO UPDATE SET
                login_url = EXCLUDED.login_url, redirect_uris = EXCLUDED.redirect_uris,
                jwks_url = EXCLUDED.jwks_url, public_jwk = EXCLUDED.public_jwk,
                deep_linking_url = EXCLUDED.deep_linking_url, from_file = true",
        )
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<Text, _>(&new.name)
        .bind::<Text, _>(Uuid::new_v4().simple().to_string())
        .bind::<Text, _>(Uuid::new_v4().to_string())
        .bind::<Text, _>(&new.login_url)
        .bind::<Array<Text>, _>(&new.redirect_uris)
        .bind::<Nullable<Text>, _>(jwks_url)
        .bind::<Nullable<Jsonb>, _>(public_jwk)
        .bind::<Nullable<Text>, _>(&new.deep_linking_url)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The school's tools, by name.
pub async fn list(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<Vec<Tool>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_tools WHERE tenant_id = $1 ORDER BY name"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .load(conn)
    .await?)
}

/// The school's tool with this client id.
pub async fn by_client_id(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    client_id: &str,
) -> Result<Option<Tool>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_tools WHERE tenant_id = $1 AND client_id = $2"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(client_id)
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn by_id(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<Tool>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_tools WHERE tenant_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn by_name(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    name: &str,
) -> Result<Option<Tool>, AppError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM lti_tools WHERE tenant_id = $1 AND name = $2"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(name)
    .get_result(conn)
    .await
    .optional()?)
}

impl Tool {
    pub fn keys(&self) -> KeySource {
        match (&self.jwks_url, &self.public_jwk) {
            (Some(url), _) => KeySource::Url(url.clone()),
            (None, Some(jwk)) => KeySource::Static(jwk.clone()),
            (None, None) => KeySource::Static(Value::Null),
        }
    }

    /// Whether `uri` is one the tool registered (compared exactly, as OIDC requires).
    pub fn redirects_to(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}
