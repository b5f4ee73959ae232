//! A school's identity providers and its "SSO only" switch, in the database. Every statement
//! names its school besides relying on RLS: the owner side (school files) may run as a superuser.

use diesel::sql_types::{Array, Bool, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{Provider, ProviderName, RoleRule, Saml, Secret};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::role::Role;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    label: String,
    #[diesel(sql_type = Text)]
    issuer: String,
    #[diesel(sql_type = Text)]
    client_id: String,
    #[diesel(sql_type = Text)]
    client_secret: String,
    #[diesel(sql_type = Array<Text>)]
    scopes: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    role_claim: Option<String>,
    #[diesel(sql_type = Jsonb)]
    role_map: serde_json::Value,
    #[diesel(sql_type = Text)]
    default_role: String,
    #[diesel(sql_type = Array<Text>)]
    allowed_domains: Vec<String>,
    #[diesel(sql_type = Bool)]
    from_file: bool,
    #[diesel(sql_type = Nullable<Text>)]
    idp_metadata: Option<String>,
    #[diesel(sql_type = Bool)]
    email_trusted: bool,
}

impl Row {
    fn provider(self) -> Result<Provider, AppError> {
        Ok(Provider {
            name: ProviderName::parse(&self.name)
                .map_err(|e| AppError::internal(anyhow::anyhow!(e.to_string())))?,
            label: self.label,
            issuer: self.issuer,
            client_id: self.client_id,
            client_secret: Secret(self.client_secret),
            scopes: self.scopes,
            role_claim: self.role_claim,
            role_map: serde_json::from_value(self.role_map).map_err(AppError::internal)?,
            default_role: Role::parse(&self.default_role)
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown default role")))?,
            allowed_domains: self.allowed_domains,
            from_file: self.from_file,
            saml: self.idp_metadata.map(|idp_metadata| Saml {
                idp_metadata,
                email_trusted: self.email_trusted,
            }),
        })
    }
}

const COLUMNS: &str = "name, label, issuer, client_id, client_secret, scopes, role_claim, role_map, \
                       default_role, allowed_domains, from_file, \
                       idp_metadata, email_trusted";

/// The school's providers, by name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Vec<Provider>, AppError> {
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM sso_providers WHERE tenant_id = $1 ORDER BY name"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .load(conn)
    .await?;
    rows.into_iter().map(Row::provider).collect()
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    name: &str,
) -> Result<Option<Provider>, AppError> {
    let row: Option<Row> = diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM sso_providers WHERE tenant_id = $1 AND name = $2"
    ))
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(name)
    .get_result(conn)
    .await
    .optional()?;
    row.map(Row::provider).transpose()
}

/// Creates or replaces the provider of that name.
pub async fn save(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    p: &Provider,
) -> Result<(), AppError> {
    let role_map = serde_json::to_value(&p.role_map).map_err(AppError::internal)?;
    diesel::sql_query(
        "INSERT INTO sso_providers (tenant_id, name, kind, label, issuer, client_id, client_secret,
                 scopes, role_claim, role_map, default_role, allowed_domains, from_file,
                 idp_metadata, email_trusted)
         VALUES ($1, $2, $13, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15)
         ON CONFLICT (tenant_id, name) DO UPDATE SET
             label = EXCLUDED.label, issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
             client_secret = EXCLUDED.client_secret, scopes = EXCLUDED.scopes,
             role_claim = EXCLUDED.role_claim, role_map = EXCLUDED.role_map,
             default_role = EXCLUDED.default_role, allowed_domains = EXCLUDED.allowed_domains,
             from_file = EXCLUDED.from_file, kind = EXCLUDED.kind,
             idp_metadata = EXCLUDED.idp_metadata, email_trusted = EXCLUDED.email_trusted,
             updated_at = now()",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(p.name.as_str())
    .bind::<Text, _>(&p.label)
    .bind::<Text, _>(&p.issuer)
    .bind::<Text, _>(&p.client_id)
    .bind::<Text, _>(&p.client_secret.0)
    .bind::<Array<Text>, _>(&p.scopes)
    .bind::<Nullable<Text>, _>(&p.role_claim)
    .bind::<Jsonb, _>(role_map)
    .bind::<Text, _>(p.default_role.as_str())
    .bind::<Array<Text>, _>(&p.allowed_domains)
    .bind::<Bool, _>(p.from_file)
    .bind::<Text, _>(if p.saml.is_some() { "saml" } else { "oidc" })
    .bind::<Nullable<Text>, _>(p.saml.as_ref().map(|s| s.idp_metadata.as_str()))
    .bind::<Bool, _>(p.saml.as_ref().is_some_and(|s| s.email_trusted))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a provider; its accounts stay (with their links), and can sign in again if a
/// provider of that name returns.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    name: &str,
) -> Result<bool, AppError> {
    let n = diesel::sql_query("DELETE FROM sso_providers WHERE tenant_id = $1 AND name = $2")
        .bind::<SqlUuid, _>(tenant.0)
        .bind::<Text, _>(name)
        .execute(conn)
        .await?;
    Ok(n > 0)
}

/// Makes the school's file-set providers exactly `file`'s: the listed ones saved, the other
/// file-set ones removed. Providers its admins added are left alone.
pub async fn apply_file(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    file: &[Provider],
) -> Result<(), AppError> {
    let keep: Vec<&str> = file.iter().map(|p| p.name.as_str()).collect();
    diesel::sql_query(
        "DELETE FROM sso_providers WHERE tenant_id = $1 AND from_file AND name <> ALL($2)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Array<Text>, _>(&keep)
    .execute(conn)
    .await?;
    for p in file {
        save(conn, tenant, p).await?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Only {
    #[diesel(sql_type = Bool)]
    sso_only: bool,
}

/// Whether password sign-in (but for admins) and sign-up are off at the school.
pub async fn sso_only(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<bool, AppError> {
    let row: Option<Only> =
        diesel::sql_query("SELECT sso_only FROM sso_settings WHERE tenant_id = $1")
            .bind::<SqlUuid, _>(tenant.0)
            .get_result(conn)
            .await
            .optional()?;
    Ok(row.is_some_and(|r| r.sso_only))
}

pub async fn set_sso_only(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    on: bool,
) -> Result<(), AppError> {
    diesel::sql_query(
        "INSERT INTO sso_settings (tenant_id, sso_only) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET sso_only = EXCLUDED.sso_only",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Bool, _>(on)
    .execute(conn)
    .await?;
    Ok(())
}

/// The provider as admins and the audit log see it: everything but the secret.
pub fn shown(p: &Provider) -> serde_json::Value {
    serde_json::json!({
        "name": p.name, "label": p.label, "issuer": p.issuer, "client_id": p.client_id,
        "scopes": p.scopes, "role_claim": p.role_claim, "role_map": p.role_map,
        "default_role": p.default_role, "allowed_domains": p.allowed_domains,
        "kind": if p.saml.is_some() { "saml" } else { "oidc" },
        "email_trusted": p.saml.as_ref().is_some_and(|s| s.email_trusted),
    })
}

impl RoleRule {
    /// `value = role` lines (admin form and school file alike).
    pub fn parse_lines(text: &str) -> Result<Vec<Self>, Msg> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (value, role) = line
                    .split_once('=')
                    .ok_or_else(|| Msg::new("sso-role-line").text("line", line))?;
                let role = Role::parse(role.trim())
                    .ok_or_else(|| Msg::new("sso-not-a-role").text("role", role.trim()))?;
                Ok(Self {
                    value: value.trim().to_owned(),
                    role,
                })
            })
            .collect()
    }
}
