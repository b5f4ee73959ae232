//! Text from people, checked once at the edge: PostgreSQL text cannot hold a NUL, and no field
//! of EduFlow has a use for other control characters. Such input is a 400, never a database
//! error. Invalid UTF-8 in a form is cleaned (decoded lossily) by the form decoder.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::Msg;

/// Largest urlencoded form accepted.
pub const FORM_LIMIT: usize = 64 * 1024;

/// Whether `s` may be stored: no NUL and no control character other than tab and line breaks.
pub fn is_storable(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

pub fn unstorable() -> AppError {
    AppError::bad_request(Msg::new("error-the-form-contains-characters-that"))
}

/// A `application/x-www-form-urlencoded` body whose every name and value is storable, decoded
/// into `T` (what `web::Form` does, plus that check).
pub struct Form<T>(pub T);

impl<T> Form<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(Msg::new("error-form-unreadable").text("reason", e.to_string()))
}

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let urlencoded = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';').next().is_some_and(|t| {
                    t.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            });
        let mut payload = payload.take();
        Box::pin(async move {
            if !urlencoded {
                return Err(unreadable("expected application/x-www-form-urlencoded"));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(unreadable)?;
                if body.len() + chunk.len() > FORM_LIMIT {
                    return Err(AppError::TooLarge(Msg::new("error-the-form-is-too-large")));
                }
                body.extend_from_slice(&chunk);
            }
            if form_urlencoded::parse(&body).any(|(k, v)| !is_storable(&k) || !is_storable(&v)) {
                return Err(unstorable());
            }
            serde_urlencoded::from_bytes(&body)
                .map(Form)
                .map_err(unreadable)
        })
    }
}

/// Refuses a URL whose path or query decodes to a control character (`%00`, `%0A`…): no route
/// or parameter has a use for one, and a NUL would reach PostgreSQL as an error.
pub async fn reject_control_urls(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let decoded = |s: &str| percent_encoding_bytes(s).any(|b| b < 0x20 || b == 0x7f);
    let query_bad = uri.query().is_some_and(|q| decoded(&q.replace('+', " ")));
    if decoded(uri.path()) || query_bad {
        let err = AppError::bad_request(Msg::new("error-the-address-contains-a-control"));
        let res = crate::error::respond_for(req.path(), err);
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The bytes `s` stands for once percent-decoded.
fn percent_encoding_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                i += 3;
                return Some(v);
            }
        }
        i += 1;
        Some(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storable_text_has_no_nul_or_control_characters() {
        assert!(is_storable("Ada Lovelace\r\n\tsecond line, ünïcode ✓"));
        for bad in ["a\0b", "\u{1}", "x\u{7f}", "\u{9b}"] {
            assert!(!is_storable(bad), "{bad:?}");
        }
    }

    #[test]
    fn percent_decoding_finds_encoded_controls() {
        let decoded: Vec<u8> = percent_encoding_bytes("a%00b%zz%4").collect();
        assert_eq!(decoded, b"a\0b%zz%4");
    }
}
