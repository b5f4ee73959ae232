//! LTI 1.3: the platform's endpoints (`/lti/jwks`, `/lti/authorize`, `/lti/token`), launches
//! and deep linking from EduFlow's pages, and the services tools call (AGS, NRPS).

pub mod launch;
pub mod platform;
pub mod services;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::accounts::render_for;
use crate::accounts::sessions::Viewer;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::lti::Endpoints;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// The school's platform URLs.
pub fn endpoints(state: &AppState, tenant: &Tenant) -> Endpoints {
    Endpoints::new(&state.mail.origin(tenant))
}

/// The origin (`scheme://host[:port]`) of `url`, for a page's `form-action`.
fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization()).filter(|o| o != "null")
}

/// A page whose form the browser posts on to `action` at once (OIDC `form_post`): the only
/// place a form may go off the school's site, so the page's policy names that one origin.
pub fn autopost(
    state: &AppState,
    tenant: &Tenant,
    (locale, viewer): (Locale, &Viewer),
    tool: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Result<HttpResponse, AppError> {
    let origin = origin(action).ok_or_else(|| AppError::internal(anyhow::anyhow!("no origin")))?;
    let mut c = tera::Context::new();
    c.insert("school", tenant);
    c.insert("tool", tool);
    c.insert("action", action);
    c.insert("fields", fields);
    let body = render_for(&state.views, locale, viewer, "lti_post.html", &c)?;
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            "Content-Security-Policy",
            format!(
                "default-src 'self'; img-src 'self' https: data:; style-src 'self'; \
                 script-src 'self'; object-src 'none'; base-uri 'self'; \
                 form-action {origin}; frame-ancestors 'none'"
            ),
        ))
        .body(body))
}
