//! Cross-site request forgery: every state-changing form carries a token, and the request's
//! `Origin` (or, failing that, `Referer`) must be this very school's address.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::AppError;
use crate::startup::AppState;
use crate::tenancy::host::public_authority;

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
        Err(AppError::Forbidden(
            "This form was not sent from this school's own pages.".into(),
        ))
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
        Err(AppError::Forbidden(
            "This form has expired; reload the page and try again.".into(),
        ))
    }
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
