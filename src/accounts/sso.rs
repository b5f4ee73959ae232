//! Which account a single sign-on reaches (see `sso`). A subject seen before is its linked account. Otherwise
//! the email decides: outside the allowed domains, refused; an existing account, linked only
//! when the provider says the address is verified; no account, one is made (just in time) with
//! the role the claims map to.

use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};

use super::sessions::Role;
use super::users::{self, NO_PASSWORD, NewUser};
use crate::email::parse_email;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};
use crate::sso::{Provider, Refusal};

/// The account a sign-in reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// Signed in before with this provider.
    Known(UserId),
    /// An existing account, linked now through a verified email.
    Linked(UserId),
    /// Made now, with this role.
    Created(UserId, Role),
}

impl Reached {
    pub fn user(&self) -> UserId {
        match self {
            Self::Known(u) | Self::Linked(u) | Self::Created(u, _) => *u,
        }
    }
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Bool)]
    suspended: bool,
}

/// The account for `claims` (checked id_token claims, merged with userinfo) from `provider` at
/// `tenant`; `admins` are the emails the school makes admins.
pub async fn reach(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    provider: &Provider,
    claims: &Map<String, Value>,
    admins: &[String],
) -> Result<Result<Reached, Refusal>, AppError> {
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if subject.is_empty() || subject.len() > 255 {
        return Ok(Err(Refusal::BadIdToken(
            "its subject is empty or too long".into(),
        )));
    }
    let known: Option<Found> = diesel::sql_query(
        "SELECT u.id, u.suspended_at IS NOT NULL AS suspended
           FROM sso_identities i JOIN users u ON u.tenant_id = i.tenant_id AND u.id = i.user_id
          WHERE i.tenant_id = $1 AND i.provider = $2 AND i.subject = $3",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(provider.name.as_str())
    .bind::<Text, _>(subject)
    .get_result(conn)
    .await
    .optional()?;
    if let Some(found) = known {
        return Ok(usable(found).map(Reached::Known));
    }
    let Some(email) = claims
        .get("email")
        .and_then(Value::as_str)
        .and_then(parse_email)
    else {
        return Ok(Err(Refusal::NoEmail));
    };
    if !provider.allows(&email) {
        return Ok(Err(Refusal::NotAllowed(
            Msg::new("sso-domain-not-allowed")
                .text("domain", email.rsplit_once('@').map_or("", |(_, d)| d))
                .text("provider", provider.label.as_str()),
        )));
    }
    let verified = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
        || claims.get("email_verified").and_then(Value::as_str) == Some("true");
    let existing: Option<Found> = diesel::sql_query(
        "SELECT id, suspended_at IS NOT NULL AS suspended FROM users
          WHERE tenant_id = $1 AND email = $2",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(&email)
    .get_result(conn)
    .await
    .optional()?;
    let reached = match existing {
        Some(_) if !verified => {
            return Ok(Err(Refusal::NotAllowed(
                Msg::new("sso-email-unconfirmed")
                    .text("email", email.as_str())
                    .text("provider", provider.label.as_str()),
            )));
        }
        Some(found) => match usable(found) {
            Ok(user) => Reached::Linked(user),
            Err(refusal) => return Ok(Err(refusal)),
        },
        None => {
            let role = if admins.contains(&email) {
                Role::Admin
            } else {
                provider.role_for(claims)
            };
            let name = display_name(claims, &email);
            let new = NewUser {
                email: &email,
                name: &name,
                password_hash: NO_PASSWORD,
                role,
                verified,
            };
            // Made by a concurrent sign-in a moment ago: that one links; this one asks again.
            let Some(user) = users::create(conn, tenant, new).await? else {
                return Ok(Err(Refusal::UnknownState));
            };
            Reached::Created(user, role)
        }
    };
    diesel::sql_query(
        "INSERT INTO sso_identities (tenant_id, provider, subject, user_id) VALUES ($1, $2, $3, $4)",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Text, _>(provider.name.as_str())
    .bind::<Text, _>(subject)
    .bind::<SqlUuid, _>(reached.user().0)
    .execute(conn)
    .await?;
    Ok(Ok(reached))
}

fn usable(found: Found) -> Result<UserId, Refusal> {
    if found.suspended {
        Err(Refusal::NotAllowed(Msg::new("sso-account-suspended")))
    } else {
        Ok(UserId(found.id))
    }
}

/// `name`, or given and family names, or the email's local part; at most 100 characters.
fn display_name(claims: &Map<String, Value>, email: &str) -> String {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::trim);
    let joined = [text("given_name"), text("family_name")]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = text("name")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| (!joined.is_empty()).then_some(joined))
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    name.chars().filter(|c| !c.is_control()).take(100).collect()
}
