//! What the staff pages share: their result type, a checked form, an id from the path, and
//! rendering for the signed-in member.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};

use crate::accounts::render_for;
use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::{check_origin, check_token};

pub(crate) type Page = Result<HttpResponse, AppError>;
pub(crate) type SimpleForm = crate::input::Form<HashMap<String, String>>;

/// A staff member's state-changing request: same-origin, with their session's token.
pub(crate) fn checked(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
) -> Result<(), AppError> {
    check_origin(req, state)?;
    check_token(Some(&user.csrf), csrf)
}

/// [`checked`], with the token of a plain form's `csrf` field.
pub(crate) fn checked_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    form: &HashMap<String, String>,
) -> Result<(), AppError> {
    checked(
        req,
        state,
        user,
        form.get("csrf").map_or("", String::as_str),
    )
}

/// A form's field errors in the reader's language.
pub(crate) fn worded(
    errors: &crate::authoring::forms::FieldErrors,
    locale: crate::i18n::Locale,
) -> std::collections::BTreeMap<&'static str, String> {
    errors.iter().map(|(k, m)| (*k, m.in_(locale))).collect()
}

pub(crate) fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn render(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    template: &str,
    mut c: tera::Context,
    status: StatusCode,
) -> Page {
    c.insert("school", tenant);
    c.insert("csrf", &user.csrf);
    c.insert("me", &user.id);
    // Outside the primary region, uploads (often over the 1 MB a replay can carry) go straight
    // to it: `static/upload.js` sends these forms with `fly-prefer-region`.
    c.insert("prefer_region", &state.replay_to(Some(tenant)));
    c.insert("is_admin", &(user.role == Role::Admin));
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(render_for(
            &state.views,
            user.locale,
            &Viewer(Some(user.clone())),
            template,
            &c,
        )?))
}
