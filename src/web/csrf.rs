//! Cross-site request forgery: every state-changing form carries a token, and the request's
//! `Origin` (or, failing that, `Referer`) must be this very school's address.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::accounts::render_for;
use crate::accounts::sessions::{Viewer, random_token};
use crate::i18n::Msg;

use crate::error::AppError;
use crate::state::AppState;
use crate::web::host::public_authority;

/// Refuses a request whose origin is not `scheme://host` of the school it is addressed to: the
/// public address that chose the school (behind a trusted proxy that rewrites `Host`, the one it
/// forwards).
pub fn check_origin(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    let host = public_authority(req, &state.trusted_proxies).unwrap_or_default();
    let scheme = if state.cookies.https { "https" } else { "http" };
    let expected = format!("{scheme}://{host}");
    let header_value = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let same = match (header_value(header::ORIGIN), header_value(header::REFERER)) {
        (Some(origin), _) => origin == expected,
        (None, Some(referer)) => {
            referer == expected || referer.starts_with(&format!("{expected}/"))
        }
        (None, None) => false,
    };
    if same {
        Ok(())
    } else {
        Err(AppError::Forbidden(Msg::new(
            "error-this-form-was-not-sent",
        )))
    }
}

/// Compares the form's token with the expected one in constant time.
pub fn check_token(expected: Option<&str>, given: &str) -> Result<(), AppError> {
    let ok = expected.is_some_and(|e| {
        e.len() == given.len()
            && !e.is_empty()
            && e.bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(Msg::new(
            "error-this-form-has-expired-reload",
        )))
    }
}

/// A form whose only field is its anti-forgery token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// The anonymous anti-forgery token (double-submit cookie) of a visitor who is not signed in:
/// the one their browser holds, or a new one.
pub fn anonymous_token(req: &HttpRequest, state: &AppState) -> String {
    req.cookie(state.cookies.csrf_name())
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(random_token)
}

/// A page with a form for a visitor who is not signed in: the token goes into the page (`csrf`)
/// and into the cookie.
pub fn anonymous_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    template: &str,
    mut ctx: tera::Context,
) -> Result<HttpResponse, AppError> {
    let token = anonymous_token(req, state);
    ctx.insert("csrf", &token);
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .cookie(state.cookies.build(state.cookies.csrf_name(), token))
        .body(render_for(
            &state.views,
            crate::web::lang::of_any(req),
            &Viewer(None),
            template,
            &ctx,
        )?))
}

/// Checks an anonymous form: its origin, and its token against the cookie.
pub fn check_anonymous(req: &HttpRequest, state: &AppState, given: &str) -> Result<(), AppError> {
    check_origin(req, state)?;
    let cookie = req.cookie(state.cookies.csrf_name());
    check_token(cookie.as_ref().map(|c| c.value()), given)
}

/// A signed-in user whose form came from this school with their session's token; anyone else is
/// sent to log in, and to `back` afterwards.
pub fn form_user(
    req: &HttpRequest,
    state: &AppState,
    viewer: Viewer,
    csrf: &str,
    back: &str,
) -> Result<crate::accounts::sessions::CurrentUser, AppError> {
    check_origin(req, state)?;
    let Viewer(Some(user)) = viewer else {
        return Err(AppError::SignIn(back.to_owned()));
    };
    check_token(Some(&user.csrf), csrf)?;
    Ok(user)
}

/// A safe place to go after logging in: a path on this same school, never another host.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_school_paths_are_followed() {
        assert_eq!(local_path(Some("/courses?tag=a")), "/courses?tag=a");
        for bad in [
            "//evil.test",
            "https://evil.test",
            "/\\evil.test",
            "evil",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
    }

    #[test]
    fn tokens_must_match_exactly() {
        assert!(check_token(Some("abc"), "abc").is_ok());
        assert!(check_token(Some("abc"), "abd").is_err());
        assert!(check_token(Some("abc"), "ab").is_err());
        assert!(check_token(None, "").is_err());
        assert!(check_token(Some(""), "").is_err());
    }
}
