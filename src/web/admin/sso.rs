//! `/admin/sso`: the school's identity providers and its "SSO only" switch. A client secret is
//! written, never shown again (a blank secret on an edit keeps the one saved). Providers set by
//! the operator's school file are listed but changed only there. Every change is on the audit
//! log, without the secret.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde_json::json;

use crate::accounts::sessions::{CurrentUser, Role};
use crate::audit::{self, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::redirect::see_other;
use crate::sso::providers::{self, shown};
use crate::sso::{Provider, ProviderName, RoleRule, Saml, Secret, check_settings};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked_form, render};
use crate::web::host::{School, audited_by, public_authority};

async fn page(state: &AppState, req: &HttpRequest, school: &Tenant, user: &CurrentUser) -> Page {
    let tenant = school.id;
    let (list, only) = state
        .school_tx(tenant, "sso", move |conn| {
            Box::pin(async move {
                Ok((
                    providers::list(conn, tenant).await?,
                    providers::sso_only(conn, tenant).await?,
                ))
            })
        })
        .await?;
    let scheme = if state.cookies.https { "https" } else { "http" };
    let origin = format!(
        "{scheme}://{}",
        public_authority(req, &state.trusted_proxies).unwrap_or_default()
    );
    let rows: Vec<serde_json::Value> = list
        .iter()
        .map(|p| {
            let mut v = shown(p);
            v["from_file"] = json!(p.from_file);
            v["role_map_text"] = json!(
                p.role_map
                    .iter()
                    .map(|r| format!("{} = {}", r.value, r.role.as_str()))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            v["redirect_uri"] = json!(format!("{origin}/sso/{}/callback", p.name));
            v["sp_metadata"] = json!(format!("{origin}/sso/{}/metadata", p.name));
            v
        })
        .collect();
    let mut c = tera::Context::new();
    c.insert("providers", &rows);
    c.insert("sso_only", &only);
    c.insert("origin", &origin);
    render(state, school, user, "admin_sso.html", c, StatusCode::OK)
}

/// `GET /admin/sso`.
pub async fn list(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
) -> Page {
    page(&state, &req, &school, &user).await
}

fn words(raw: Option<&String>) -> Vec<String> {
    raw.map_or("", String::as_str)
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The form's role map (`value = role` lines) and default role.
fn roles(form: &SimpleForm) -> Result<(Vec<RoleRule>, Role), AppError> {
    let map = RoleRule::parse_lines(form.get("role_map").map_or("", String::as_str))
        .map_err(AppError::Unprocessable)?;
    let default = Role::parse(form.get("default_role").map_or("", |r| r.trim()))
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-choose-a-default-role")))?;
    Ok((map, default))
}

/// The SAML provider the form describes: the IdP's metadata pasted, or read from its URL.
async fn parse_saml_form(state: &AppState, form: &SimpleForm) -> Result<Provider, AppError> {
    let field = |k: &str| form.get(k).map_or("", |v| v.trim()).to_owned();
    let bad = AppError::Unprocessable;
    let name = ProviderName::parse(&field("name")).map_err(bad)?;
    let metadata = match (field("idp_metadata"), field("idp_metadata_url")) {
        (xml, _) if !xml.is_empty() => xml,
        (_, url) if !url.is_empty() => state.sso.fetch_text(&url).await.map_err(|e| {
            AppError::Unprocessable(
                Msg::new("error-idp-metadata-unreadable")
                    .text("url", url.clone())
                    .text("reason", e.cause_text()),
            )
        })?,
        _ => {
            return Err(AppError::Unprocessable(Msg::new(
                "error-idp-metadata-missing",
            )));
        }
    };
    let issuer = crate::sso::saml::check_idp_metadata(&metadata).map_err(bad)?;
    let (role_map, default_role) = roles(form)?;
    let provider = Provider {
        label: Some(field("label"))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| name.to_string()),
        name,
        issuer,
        client_id: String::new(),
        client_secret: Secret::default(),
        scopes: vec![],
        role_claim: Some(field("role_claim")).filter(|c| !c.is_empty()),
        role_map,
        default_role,
        allowed_domains: words(form.get("allowed_domains")),
        from_file: false,
        saml: Some(Saml {
            idp_metadata: metadata,
            email_trusted: form.get("email_trusted").is_some_and(|v| v == "1"),
        }),
    };
    check_settings(&provider).map_err(bad)?;
    Ok(provider)
}

/// The provider the form describes (`saved` is the one of that name, if any: its secret stays
/// when the form leaves the secret blank).
fn parse_form(form: &SimpleForm, saved: Option<&Provider>) -> Result<Provider, AppError> {
    let field = |k: &str| form.get(k).map_or("", |v| v.trim()).to_owned();
    let bad = AppError::Unprocessable;
    let name = ProviderName::parse(&field("name")).map_err(bad)?;
    let secret = match (field("client_secret"), saved) {
        (s, Some(p)) if s.is_empty() => p.client_secret.clone(),
        (s, _) if s.is_empty() => {
            return Err(AppError::Unprocessable(Msg::new("error-client-secret")));
        }
        (s, _) => Secret(s),
    };
    let mut scopes: Vec<String> = form
        .get("scopes")
        .map_or("", String::as_str)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        scopes = vec!["openid".into(), "email".into(), "profile".into()];
    }
    let role_claim = Some(field("role_claim")).filter(|c| !c.is_empty());
    let (role_map, default_role) = roles(form)?;
    let provider = Provider {
        label: Some(field("label"))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| name.to_string()),
        name,
        issuer: field("issuer").trim_end_matches('/').to_owned(),
        client_id: field("client_id"),
        client_secret: secret,
        scopes,
        role_claim,
        role_map,
        default_role,
        allowed_domains: words(form.get("allowed_domains")),
        from_file: false,
        saml: None,
    };
    check_settings(&provider).map_err(bad)?;
    Ok(provider)
}

/// `POST /admin/sso`: adds the provider, or changes the one of that name. The issuer's discovery
/// document is read first, so a mistyped issuer is caught here rather than at a learner's login.
pub async fn save(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let tenant = school.id;
    let name = form.get("name").map_or("", |n| n.trim()).to_owned();
    let saved = state
        .school_tx(tenant, "sso", move |conn| {
            Box::pin(async move { providers::find(conn, tenant, &name).await })
        })
        .await?;
    if saved.as_ref().is_some_and(|p| p.from_file) {
        return Err(AppError::Conflict(Msg::new(
            "error-this-provider-is-set-by",
        )));
    }
    if form.get("kind").is_some_and(|k| k == "saml") {
        let provider = parse_saml_form(&state, &form).await?;
        return record_save(&req, &state, &user, tenant, provider, saved).await;
    }
    let provider = parse_form(&form, saved.as_ref())?;
    if let Err(e) = state.sso.metadata(&provider.issuer).await {
        return Err(AppError::Unprocessable(
            Msg::new("error-discovery-unreadable").text("reason", e.cause_text()),
        ));
    }
    record_save(&req, &state, &user, tenant, provider, saved).await
}

/// Saves `provider` (replacing `saved`) with its audit entry.
async fn record_save(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    tenant: crate::ids::TenantId,
    provider: Provider,
    saved: Option<Provider>,
) -> Page {
    let by = audited_by(req, state, user);
    state
        .school_tx(tenant, "sso", move |conn| {
            Box::pin(async move {
                providers::save(conn, tenant, &provider).await?;
                let subject = format!("sso:{}", provider.name);
                let mut after = shown(&provider);
                let change = match &saved {
                    None => Change::new("sso.provider_added", subject),
                    Some(old) => {
                        after["secret_changed"] =
                            json!(old.client_secret != provider.client_secret);
                        Change::new("sso.provider_changed", subject).before(shown(old))
                    }
                };
                audit::record(conn, tenant, &by, change.after(after)).await
            })
        })
        .await?;
    Ok(see_other("/admin/sso"))
}

/// `POST /admin/sso/{name}/delete`.
pub async fn delete(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let (tenant, name) = (school.id, path.into_inner());
    let by = audited_by(&req, &state, &user);
    state
        .school_tx(tenant, "sso", move |conn| {
            Box::pin(async move {
                let Some(old) = providers::find(conn, tenant, &name).await? else {
                    return Err(AppError::NotFound);
                };
                if old.from_file {
                    return Err(AppError::Conflict(Msg::new(
                        "error-this-provider-is-set-by-2",
                    )));
                }
                providers::delete(conn, tenant, &name).await?;
                let change =
                    Change::new("sso.provider_removed", format!("sso:{name}")).before(shown(&old));
                audit::record(conn, tenant, &by, change).await
            })
        })
        .await?;
    Ok(see_other("/admin/sso"))
}

/// `POST /admin/sso/only`: `only=1` turns password sign-in (but for admins) and sign-up off.
pub async fn only(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let on = form.get("only").is_some_and(|v| v == "1");
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    state
        .school_tx(tenant, "sso", move |conn| {
            Box::pin(async move {
                if on && providers::list(conn, tenant).await?.is_empty() {
                    return Err(AppError::Conflict(Msg::new(
                        "error-add-an-identity-provider-before",
                    )));
                }
                let was = providers::sso_only(conn, tenant).await?;
                if was == on {
                    return Ok(());
                }
                providers::set_sso_only(conn, tenant, on).await?;
                let change = Change::new("sso.only_changed", "school:sso")
                    .before(json!({ "sso_only": was }))
                    .after(json!({ "sso_only": on }));
                audit::record(conn, tenant, &by, change).await
            })
        })
        .await?;
    Ok(see_other("/admin/sso"))
}
