//! EduFlow's own media origin, `/media/<key>?expires=…&sig=…`: checks the token and the school,
//! then streams the object with byte ranges, an ETag and year-long immutable caching (the key is
//! a content address, so the bytes behind a URL never change).

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderMap};

use super::Media;
use super::key::MediaKey;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

/// The header a CDN sends when pulling from the `/media` origin.
pub const ORIGIN_SECRET_HEADER: &str = "x-eduflow-origin-secret";

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What a `Range` header asks of an object of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    Whole,
    Part { start: u64, end: u64 },
    Unsatisfiable,
}

/// One `bytes=` range (first-last, first-, or -suffix). Anything else — other units, several
/// ranges, garbage — is answered with the whole object, as HTTP allows.
pub fn parse_range(value: Option<&str>, len: u64) -> Range {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let parsed = match (first.is_empty(), last.is_empty()) {
        (true, false) => last
            .parse::<u64>()
            .ok()
            .map(|n| (len.saturating_sub(n), len.checked_sub(1), n == 0)),
        (false, _) => {
            let start: Option<u64> = first.parse().ok();
            let end: Option<u64> = if last.is_empty() {
                Some(u64::MAX)
            } else {
                last.parse().ok()
            };
            match (start, end) {
                (Some(s), Some(e)) if e >= s => {
                    Some((s, Some(e.min(len.saturating_sub(1))), s >= len))
                }
                _ => None,
            }
        }
        (true, true) => None,
    };
    match parsed {
        None => Range::Whole,
        Some((_, _, true)) | Some((_, None, _)) => Range::Unsatisfiable,
        Some((start, Some(end), false)) => Range::Part { start, end },
    }
}

pub fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

/// The key named by a signed media path: this school's, of a kind `accept`s (404 otherwise), with
/// this origin's token for it or from the configured CDN (403 otherwise).
pub fn signed_key(
    req: &HttpRequest,
    media: &Media,
    tenant: TenantId,
    raw: &str,
    accept: impl Fn(&MediaKey) -> bool,
) -> Result<MediaKey, AppError> {
    let key = MediaKey::parse(raw)
        .filter(|k| k.tenant == tenant && accept(k))
        .ok_or(AppError::NotFound)?;
    check_signature(req, media, &key)?;
    Ok(key)
}

fn check_signature(req: &HttpRequest, media: &Media, key: &MediaKey) -> Result<(), AppError> {
    let query: std::collections::HashMap<String, String> =
        form_urlencoded::parse(req.query_string().as_bytes())
            .into_owned()
            .collect();
    let expires = query
        .get("expires")
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    // A configured CDN pulls with the shared origin header; browsers come with a URL token.
    let from_cdn = media.from_cdn(
        req.headers()
            .get(ORIGIN_SECRET_HEADER)
            .and_then(|v| v.to_str().ok()),
    );
    let signed = from_cdn
        || query
            .get("sig")
            .is_some_and(|sig| media.signer.verify(key.as_str(), expires, sig));
    if signed {
        Ok(())
    } else {
        Err(AppError::Forbidden(Msg::new(
            "error-this-media-link-is-invalid",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let len = 1000;
        assert_eq!(parse_range(None, len), Range::Whole);
        assert_eq!(
            parse_range(Some("bytes=0-1"), len),
            Range::Part { start: 0, end: 1 }
        );
        assert_eq!(
            parse_range(Some("bytes=500-"), len),
            Range::Part {
                start: 500,
                end: 999
            }
        );
        assert_eq!(
            parse_range(Some("bytes=-100"), len),
            Range::Part {
                start: 900,
                end: 999
            }
        );
        assert_eq!(
            parse_range(Some("bytes=-5000"), len),
            Range::Part { start: 0, end: 999 }
        );
        assert_eq!(
            parse_range(Some("bytes=900-5000"), len),
            Range::Part {
                start: 900,
                end: 999
            }
        );
        assert_eq!(parse_range(Some("bytes=1000-"), len), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), len), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=5-1"), len), Range::Whole);
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), len), Range::Whole);
        assert_eq!(parse_range(Some("items=0-1"), len), Range::Whole);
        assert_eq!(parse_range(Some("bytes=x-y"), len), Range::Whole);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Range::Unsatisfiable);
    }
}
