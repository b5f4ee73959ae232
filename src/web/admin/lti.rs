//! `/admin/lti`: the school's LTI tools. What a tool's administrator needs to register EduFlow
//! (the issuer and the platform's URLs, each tool's client and deployment ids), a form to
//! register a tool, removing one, and rotating the school's signing key. Every change is on the
//! audit log.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};

use crate::accounts::sessions::CurrentUser;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::lti::keys;
use crate::lti::tools::{self, KeySource, NewTool};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render};
use crate::web::host::{School, audited_by};
use crate::web::lti::endpoints;

/// How long tools may still verify with a key rotated from this page.
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);

async fn list_page(
    state: &AppState,
    school: &Tenant,
    user: &CurrentUser,
    status: StatusCode,
) -> Page {
    let tenant = school.id;
    let tools = state
        .school_tx(tenant, "lti_tools", move |conn| {
            Box::pin(async move { tools::list(conn, tenant).await })
        })
        .await?;
    let at = endpoints(state, school);
    let mut c = tera::Context::new();
    c.insert("tools", &tools);
    c.insert(
        "platform",
        &serde_json::json!({
            "issuer": at.issuer,
            "jwks": at.jwks(),
            "authorize": at.authorize(),
            "token": at.token(),
            "deep_link_return": at.deep_link_return(),
        }),
    );
    render(state, school, user, "admin_lti.html", c, status)
}

/// `GET /admin/lti`.
pub async fn list(School(school): School, Admin(user): Admin, state: web::Data<AppState>) -> Page {
    list_page(&state, &school, &user, StatusCode::OK).await
}

/// `POST /admin/lti`: registers a tool from the form.
pub async fn add(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let field = |k: &str| form.get(k).map_or("", String::as_str).trim();
    let redirects: Vec<String> = field("redirect_uris")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let keys = match (field("jwks_url"), field("public_jwk")) {
        (url, _) if !url.is_empty() => KeySource::Url(url.to_owned()),
        ("", jwk) if !jwk.is_empty() => KeySource::Static(
            serde_json::from_str(jwk)
                .map_err(|_| AppError::Unprocessable(Msg::new("lti-key-invalid")))?,
        ),
        _ => return Err(AppError::Unprocessable(Msg::new("lti-key-invalid"))),
    };
    let new = NewTool::parse(
        field("name"),
        field("login_url"),
        &redirects,
        keys,
        Some(field("deep_linking_url")),
    )
    .map_err(AppError::Unprocessable)?;
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    state
        .school_tx(tenant, "lti_tools", move |conn| {
            Box::pin(async move { tools::add(conn, tenant, &by, &new).await })
        })
        .await?;
    list_page(&state, &school, &user, StatusCode::CREATED).await
}

/// `POST /admin/lti/{tool}/delete`.
pub async fn remove(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let tool: uuid::Uuid = id(&path)?;
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    let removed = state
        .school_tx(tenant, "lti_tools", move |conn| {
            Box::pin(async move { tools::remove(conn, tenant, &by, tool).await })
        })
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/lti"))
}

/// `POST /admin/lti/rotate`: the school's signing key retires after [`ROTATION_OVERLAP`].
pub async fn rotate(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    state
        .school_tx(tenant, "lti_keys", move |conn| {
            Box::pin(async move { keys::rotate(conn, tenant, &by, ROTATION_OVERLAP).await })
        })
        .await?;
    Ok(see_other("/admin/lti"))
}
