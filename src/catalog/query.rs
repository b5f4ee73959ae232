//! A catalog request's parameters, parsed once into a normalised value that doubles as the
//! cache key: equivalent URLs share one cached page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::AppError;
use crate::i18n::{Msg, is_language_tag};
use crate::slug::is_slug;

pub const PAGE_SIZE: usize = 12;
pub const MAX_LIMIT: usize = 50;
const MAX_TAGS: usize = 5;
const MAX_QUERY_CHARS: usize = 100;

/// A keyset position: the (published_at, id) of a course, opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub published_at_us: i64,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}.{}", self.published_at_us, self.id.simple()))
    }

    /// A cursor this server could have made: a time PostgreSQL can hold (from 4714 BC) and chrono
    /// can express, and a UUID. Anything else is a malformed request, not a database error.
    pub fn decode(s: &str) -> Option<Self> {
        /// PostgreSQL's earliest timestamptz, in microseconds since 1970.
        const EARLIEST_US: i64 = -210_866_803_200_000_000;
        let raw = URL_SAFE_NO_PAD.decode(s).ok()?;
        let (ts, id) = std::str::from_utf8(&raw).ok()?.split_once('.')?;
        let published_at_us: i64 = ts.parse().ok()?;
        if published_at_us < EARLIEST_US
            || chrono::DateTime::from_timestamp_micros(published_at_us).is_none()
        {
            return None;
        }
        Some(Self {
            published_at_us,
            id: Uuid::try_parse(id).ok()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageAt {
    First,
    After(Cursor),
    Before(Cursor),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CatalogQuery {
    pub category: Option<String>,
    /// Courses written in this language (a tag; `lang` is the reader's own, see `web::lang`).
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub q: Option<String>,
    pub page: PageAt,
    pub limit: usize,
}

/// Whether the request may choose its page size (the API) or not (HTML pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Fixed,
    Client,
}

impl CatalogQuery {
    pub fn parse(query_string: &str, limit: Limit) -> Result<Self, AppError> {
        let mut out = Self {
            category: None,
            language: None,
            tags: Vec::new(),
            q: None,
            page: PageAt::First,
            limit: PAGE_SIZE,
        };
        let (mut after, mut before) = (None, None);
        for (key, value) in form_urlencoded::parse(query_string.as_bytes()) {
            match key.as_ref() {
                "category" if value.is_empty() => {}
                "category" => {
                    if out.category.is_some() {
                        return Err(AppError::bad_request(Msg::new(
                            "error-give-at-most-one-category",
                        )));
                    }
                    if !is_slug(&value, 63) {
                        return Err(AppError::bad_request(
                            Msg::new("error-unknown-category").text("category", value),
                        ));
                    }
                    out.category = Some(value.into_owned());
                }
                "language" if value.is_empty() => {}
                "language" => {
                    let tag = value.as_ref();
                    if !is_language_tag(tag) {
                        return Err(AppError::bad_request(
                            Msg::new("error-not-a-language").text("language", tag),
                        ));
                    }
                    out.language = Some(tag.to_owned());
                }
                "tag" if value.is_empty() => {}
                "tag" => {
                    let tag = value.trim().to_lowercase();
                    if !is_slug(&tag, 40) {
                        return Err(AppError::bad_request(
                            Msg::new("error-not-a-tag").text("tag", value),
                        ));
                    }
                    out.tags.push(tag);
                }
                "q" => {
                    let q = value.split_whitespace().collect::<Vec<_>>().join(" ");
                    // NUL cannot reach PostgreSQL's text at all; no control character is a word.
                    if q.chars().any(char::is_control) {
                        return Err(AppError::bad_request(Msg::new(
                            "error-the-search-cannot-contain-control",
                        )));
                    }
                    if q.chars().count() > MAX_QUERY_CHARS {
                        return Err(AppError::bad_request(
                            Msg::new("error-search-too-long").number("max", MAX_QUERY_CHARS as u32),
                        ));
                    }
                    out.q = (!q.is_empty()).then_some(q);
                }
                "after" | "before" => {
                    let cursor = Cursor::decode(&value).ok_or_else(|| {
                        AppError::bad_request(Msg::new("error-malformed-page-cursor"))
                    })?;
                    if key == "after" {
                        after = Some(cursor)
                    } else {
                        before = Some(cursor)
                    }
                }
                "limit" if limit == Limit::Client => {
                    out.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            AppError::bad_request(
                                Msg::new("error-limit-range").number("max", MAX_LIMIT as u32),
                            )
                        })?;
                }
                // Anything else (tracking parameters and the like) does not change the page.
                _ => {}
            }
        }
        out.tags.sort();
        out.tags.dedup();
        if out.tags.len() > MAX_TAGS {
            return Err(AppError::bad_request(
                Msg::new("error-too-many-tags").number("max", MAX_TAGS as u32),
            ));
        }
        out.page = match (after, before) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_request(Msg::new(
                    "error-give-either-after-or-before",
                )));
            }
            (Some(c), None) => PageAt::After(c),
            (None, Some(c)) => PageAt::Before(c),
            (None, None) => PageAt::First,
        };
        Ok(out)
    }

    /// The query string for the same filters at another page (`None`: the first page).
    pub fn to_query_string(&self, page: PageAt) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(c) = &self.category {
            s.append_pair("category", c);
        }
        if let Some(l) = &self.language {
            s.append_pair("language", l);
        }
        for t in &self.tags {
            s.append_pair("tag", t);
        }
        if let Some(q) = &self.q {
            s.append_pair("q", q);
        }
        if self.limit != PAGE_SIZE {
            s.append_pair("limit", &self.limit.to_string());
        }
        match page {
            PageAt::First => {}
            PageAt::After(c) => {
                s.append_pair("after", &c.encode());
            }
            PageAt::Before(c) => {
                s.append_pair("before", &c.encode());
            }
        }
        s.finish()
    }

    pub fn is_filtered(&self) -> bool {
        self.category.is_some()
            || self.language.is_some()
            || !self.tags.is_empty()
            || self.q.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(qs: &str) -> Result<CatalogQuery, AppError> {
        CatalogQuery::parse(qs, Limit::Client)
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            published_at_us: 1_700_000_000_123_456,
            id: Uuid::new_v4(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("not-a-cursor"), None);
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("12.zz")), None);
    }

    #[test]
    fn equivalent_queries_are_equal() {
        let a = parse("tag=b&tag=a&q=%20rust%20%20web&utm_source=x").unwrap();
        let b = parse("q=rust+web&tag=a&tag=b&tag=a").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.tags, ["a", "b"]);
        assert_eq!(a.q.as_deref(), Some("rust web"));
    }

    #[test]
    fn bad_parameters_are_rejected() {
        for qs in [
            "after=%%%",
            "limit=0",
            "limit=51",
            "limit=x",
            "category=Bad!",
            "category=a&category=b",
            "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f",
            "q=rust%00web",
            "q=%1b%5b31m",
            "language=Deutsch",
            "language=%20de",
            "language=de_DE",
        ] {
            assert!(matches!(parse(qs), Err(AppError::BadRequest(_))), "{qs}");
        }
        let c = Cursor {
            published_at_us: 1,
            id: Uuid::nil(),
        }
        .encode();
        assert!(parse(&format!("after={c}&before={c}")).is_err());
        // Before PostgreSQL's range, and beyond what chrono can express.
        for ts in [
            "-210866803200000001",
            &i64::MIN.to_string(),
            &i64::MAX.to_string(),
        ] {
            let crafted = URL_SAFE_NO_PAD.encode(format!("{ts}.{}", Uuid::nil().simple()));
            assert!(
                matches!(
                    parse(&format!("after={crafted}")),
                    Err(AppError::BadRequest(_))
                ),
                "{ts}"
            );
        }
        let earliest =
            URL_SAFE_NO_PAD.encode(format!("-210866803200000000.{}", Uuid::nil().simple()));
        assert!(parse(&format!("before={earliest}")).is_ok());
    }

    #[test]
    fn html_pages_ignore_limit() {
        assert_eq!(
            CatalogQuery::parse("limit=500", Limit::Fixed)
                .unwrap()
                .limit,
            PAGE_SIZE
        );
    }

    #[test]
    fn query_strings_round_trip() {
        let c = Cursor {
            published_at_us: 42,
            id: Uuid::new_v4(),
        };
        let q = parse("category=data&tag=sql&q=join%20tables").unwrap();
        let again = parse(&q.to_query_string(PageAt::After(c))).unwrap();
        assert_eq!(again.page, PageAt::After(c));
        assert_eq!(
            CatalogQuery {
                page: PageAt::First,
                ..again
            },
            q
        );
    }
}
