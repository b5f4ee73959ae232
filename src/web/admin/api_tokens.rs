//! `/admin/api`: the school's API tokens. A token is shown once, on the page that made it; the
//! list shows its first characters, scopes and state. Every change is on the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde_json::json;

use crate::api_tokens::{Scope, store};
use crate::audit::{self, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render};
use crate::web::host::{School, audited_by};

async fn page(
    state: &AppState,
    school: &Tenant,
    user: &crate::accounts::sessions::CurrentUser,
    created: Option<String>,
    status: StatusCode,
) -> Page {
    let tenant = school.id;
    let tokens = state
        .school_tx(tenant, "api_tokens", move |conn| {
            Box::pin(async move { store::list(conn, tenant).await })
        })
        .await?;
    let mut c = tera::Context::new();
    c.insert("tokens", &tokens);
    c.insert(
        "scopes",
        &Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    );
    c.insert("created", &created);
    render(state, school, user, "admin_api.html", c, status)
}

/// `GET /admin/api`.
pub async fn list(School(school): School, Admin(user): Admin, state: web::Data<AppState>) -> Page {
    page(&state, &school, &user, None, StatusCode::OK).await
}

/// `POST /admin/api`: a token named `name` with each checked scope, expiring after `days`
/// (empty: never). The answer is the page, with the token shown this once.
pub async fn create(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let name = form.get("name").map_or("", |n| n.trim()).to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Unprocessable(Msg::new(
            "error-name-the-token-1-to",
        )));
    }
    let scopes: Vec<Scope> = Scope::ALL
        .into_iter()
        .filter(|s| form.get(s.as_str()).is_some_and(|v| v == "1"))
        .collect();
    if scopes.is_empty() {
        return Err(AppError::Unprocessable(Msg::new(
            "error-choose-at-least-one-scope",
        )));
    }
    let expires_at = match form.get("days").map_or("", |d| d.trim()) {
        "" => None,
        days => match days.parse::<i64>() {
            Ok(d @ 1..=3650) => Some(chrono::Utc::now() + chrono::Duration::days(d)),
            _ => {
                return Err(AppError::Unprocessable(Msg::new(
                    "error-expiry-is-a-number-of",
                )));
            }
        },
    };
    let by = audited_by(&req, &state, &user);
    let (tenant, creator) = (school.id, user.id);
    let created = state
        .school_tx(tenant, "api_tokens", move |conn| {
            Box::pin(async move {
                let created =
                    store::create(conn, tenant, &name, &scopes, expires_at, Some(creator)).await?;
                let listed: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
                let change = Change::new("token.created", format!("token:{}", created.id))
                    .after(json!({ "name": name, "scopes": listed, "expires_at": expires_at }));
                audit::record(conn, tenant, &by, change).await?;
                Ok(created)
            })
        })
        .await?;
    page(
        &state,
        &school,
        &user,
        Some(created.token),
        StatusCode::CREATED,
    )
    .await
}

/// `POST /admin/api/{id}/revoke`.
pub async fn revoke(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let token: uuid::Uuid = id(&path)?;
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    let revoked = state
        .school_tx(tenant, "api_tokens", move |conn| {
            Box::pin(async move {
                let revoked = store::revoke(conn, tenant, token).await?;
                if let Some(name) = &revoked {
                    let change = Change::new("token.revoked", format!("token:{token}"))
                        .before(json!({ "name": name }));
                    audit::record(conn, tenant, &by, change).await?;
                }
                Ok(revoked)
            })
        })
        .await?;
    if revoked.is_none() {
        return Err(AppError::NotFound);
    }
    state.api_tokens.forget_school(tenant);
    Ok(see_other("/admin/api"))
}
