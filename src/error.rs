//! The one error type of the web layer. Users see a short 4xx reason or an opaque 5xx; the cause of
//! every 5xx goes to the log with the request's context.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::i18n::{Locale, Msg};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(Msg),
    #[error("not found")]
    NotFound,
    #[error("there is no school at this address")]
    NoSchool,
    #[error("{0}")]
    Forbidden(Msg),
    #[error("sign in first")]
    Unauthorized,
    /// A page that needs a signed-in user: the browser is sent to log in, then back to `.0`.
    #[error("sign in first")]
    SignIn(String),
    #[error("{0}")]
    Conflict(Msg),
    #[error("{0}")]
    TooLarge(Msg),
    #[error("{0}")]
    Unsupported(Msg),
    #[error("{0}")]
    Unprocessable(Msg),
    #[error("too many requests; try again in {}", wait(*.0))]
    TooManyRequests(u64),
    #[error("the service is busy, please retry shortly")]
    Unavailable(#[source] anyhow::Error),
    /// The request must run next to the primary database (a write reached a read-only
    /// transaction, or a read found it has to write). Outside the primary region it is replayed
    /// there (see `regions`); anywhere else it is a 503.
    #[error("the service is busy, please retry shortly")]
    NeedsPrimary(#[source] anyhow::Error),
    /// A service the request depends on (a school's identity provider) failed or refused to
    /// talk: the message says which, for the person; the cause is logged.
    #[error("{0}")]
    BadGateway(Msg, #[source] anyhow::Error),
    /// The school (named) is suspended by an operator: its data is kept, nothing is served.
    #[error("{0} is closed for now. Please come back later.")]
    Suspended(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// A wait in words: seconds under two minutes, whole minutes beyond.
fn wait(seconds: u64) -> String {
    match seconds {
        1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

impl AppError {
    pub fn bad_request(msg: Msg) -> Self {
        Self::BadRequest(msg)
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// What went wrong upstream, for an operator or admin fixing a setting: a bad gateway's
    /// cause (the person's message says less), or the message.
    pub fn cause_text(&self) -> String {
        match self {
            Self::BadGateway(_, cause) => format!("{cause:#}"),
            other => other.to_string(),
        }
    }

    /// A copy for each of several requests answered by one failed load (causes become text).
    pub fn duplicate(&self) -> Self {
        match self {
            Self::BadRequest(m) => Self::BadRequest(m.clone()),
            Self::NotFound => Self::NotFound,
            Self::NoSchool => Self::NoSchool,
            Self::Forbidden(m) => Self::Forbidden(m.clone()),
            Self::Unauthorized => Self::Unauthorized,
            Self::SignIn(next) => Self::SignIn(next.clone()),
            Self::Conflict(m) => Self::Conflict(m.clone()),
            Self::TooLarge(m) => Self::TooLarge(m.clone()),
            Self::Unsupported(m) => Self::Unsupported(m.clone()),
            Self::Unprocessable(m) => Self::Unprocessable(m.clone()),
            Self::TooManyRequests(s) => Self::TooManyRequests(*s),
            Self::Unavailable(c) => Self::Unavailable(anyhow::anyhow!("{c:#}")),
            Self::NeedsPrimary(c) => Self::NeedsPrimary(anyhow::anyhow!("{c:#}")),
            Self::Suspended(name) => Self::Suspended(name.clone()),
            Self::BadGateway(m, c) => Self::BadGateway(m.clone(), anyhow::anyhow!("{c:#}")),
            Self::Internal(c) => Self::Internal(anyhow::anyhow!("{c:#}")),
        }
    }

    fn log(&self) {
        match self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(cause) | Self::NeedsPrimary(cause) => {
                tracing::warn!(error = %cause, "service unavailable")
            }
            Self::BadGateway(what, cause) => {
                tracing::warn!(error = %format!("{cause:#}"), %what, "upstream failed")
            }
            _ => {}
        }
    }

    fn retry_after(&self, builder: &mut actix_web::HttpResponseBuilder) {
        match self {
            Self::Unavailable(_) | Self::NeedsPrimary(_) => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::TooManyRequests(seconds) => {
                builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            _ => {}
        }
    }

    /// What the person reads, in any language: the message carried, or the variant's own.
    pub fn message(&self) -> Msg {
        match self {
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::TooLarge(m)
            | Self::Unsupported(m)
            | Self::Unprocessable(m)
            | Self::BadGateway(m, _) => m.clone(),
            Self::NotFound => Msg::new("error-not-found"),
            Self::NoSchool => Msg::new("error-no-school-here"),
            Self::Unauthorized | Self::SignIn(_) => Msg::new("error-sign-in-first"),
            Self::TooManyRequests(s) if *s < 120 => {
                Msg::new("error-too-many-seconds").number("n", *s as f64)
            }
            Self::TooManyRequests(s) => {
                Msg::new("error-too-many-minutes").number("n", s.div_ceil(60) as f64)
            }
            Self::Unavailable(_) | Self::NeedsPrimary(_) => Msg::new("error-busy"),
            Self::Suspended(name) => Msg::new("error-suspended").text("school", name.clone()),
            Self::Internal(_) => Msg::new("error-internal"),
        }
    }

    fn title(&self) -> &'static str {
        if let Self::Suspended(_) = self {
            return "error-title-closed";
        }
        match self.status_code() {
            StatusCode::BAD_REQUEST => "error-title-400",
            StatusCode::NOT_FOUND => "error-title-404",
            StatusCode::FORBIDDEN => "error-title-403",
            StatusCode::UNAUTHORIZED => "error-title-401",
            StatusCode::CONFLICT => "error-title-409",
            StatusCode::PAYLOAD_TOO_LARGE => "error-title-413",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "error-title-415",
            StatusCode::UNPROCESSABLE_ENTITY => "error-title-422",
            StatusCode::TOO_MANY_REQUESTS => "error-title-429",
            StatusCode::SERVICE_UNAVAILABLE => "error-title-503",
            StatusCode::BAD_GATEWAY => "error-title-502",
            _ => "error-title-500",
        }
    }

    /// The error page for a person reading `locale`.
    pub fn page_in(&self, locale: Locale) -> HttpResponse {
        if let Self::SignIn(next) = self {
            let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
            return crate::redirect::see_other(format!("/login?next={next}"));
        }
        let mut builder = HttpResponse::build(self.status_code());
        self.retry_after(&mut builder);
        let message = escape_html(&self.message().in_(locale));
        let title = escape_html(&locale.t(self.title()));
        let home = escape_html(&locale.t("home"));
        let (lang, dir) = (locale.tag(), locale.direction().as_str());
        builder.content_type(ContentType::html()).body(format!(
            "<!doctype html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head>\
             <body><main id=\"main\" class=\"error\"><h1>{title}</h1><p>{message}</p>\
             <p><a href=\"/\">{home}</a></p></main></body></html>"
        ))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match err {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(Kind::ReadOnlyTransaction, _) => Self::NeedsPrimary(err.into()),
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                Self::Unavailable(err.into())
            }
            // SQLSTATE 57P01-57P03 (shutdown, crash recovery, start-up), 57014 (statement or
            // lock timeout), and a school frozen for its move to another cluster (see
            // `tenancy::moving`): diesel passes their codes on only as text, so the wording is
            // matched.
            Error::DatabaseError(Kind::Unknown, ref info)
                if [
                    "terminating connection",
                    "the database system is",
                    "canceling statement due to",
                    "eduflow: school",
                ]
                .iter()
                .any(|p| info.message().starts_with(p)) =>
            {
                Self::Unavailable(err.into())
            }
            other => Self::Internal(other.into()),
        }
    }
}

/// Whether a handler's error asks for the request to run next to the primary database.
pub fn needs_primary(err: &actix_web::Error) -> bool {
    err.as_error::<AppError>()
        .or_else(|| err.as_error::<ApiError>().map(|e| &e.0))
        .is_some_and(|e| matches!(e, AppError::NeedsPrimary(_)))
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound | Self::NoSchool => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::SignIn(_) => StatusCode::SEE_OTHER,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::NeedsPrimary(_) | Self::Suspended(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::BadGateway(..) => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        self.page_in(Locale::SOURCE)
    }
}

/// The same errors for API clients: a JSON body instead of a page.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.0 {
            AppError::SignIn(_) => StatusCode::UNAUTHORIZED,
            _ => self.0.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        self.json_in(Locale::SOURCE)
    }
}

impl ApiError {
    /// The JSON error for a client reading `locale`: the human message in it, and the message's
    /// id as a `code` that stays the same in every language.
    pub fn json_in(&self, locale: Locale) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        self.0.retry_after(&mut builder);
        let message = self.0.message();
        builder.json(json!({
            "error": message.in_(locale),
            "code": message.id(),
            "status": self.status_code().as_u16(),
        }))
    }
}

/// `err` as the client at `path` reads errors: JSON for programs (`/api/`, the LTI token
/// endpoint and services), a page elsewhere.
pub fn respond_for(path: &str, err: AppError) -> HttpResponse {
    if path.starts_with("/api/") || path == "/lti/token" || path.starts_with("/lti/courses/") {
        HttpResponse::from_error(ApiError(err))
    } else {
        HttpResponse::from_error(err)
    }
}

/// Extractor errors (a malformed JSON body, an undecodable path) in the same shape.
pub fn extractor_error(req: &actix_web::HttpRequest, err: AppError) -> actix_web::Error {
    let res = respond_for(req.path(), err);
    actix_web::error::InternalError::from_response("", res).into()
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn db_error(kind: DatabaseErrorKind, message: &str) -> AppError {
        Error::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    #[test]
    fn database_trouble_is_a_503_or_a_replay_never_a_500() {
        let read_only = db_error(
            DatabaseErrorKind::ReadOnlyTransaction,
            "cannot execute INSERT in a read-only transaction",
        );
        assert!(matches!(read_only, AppError::NeedsPrimary(_)));
        assert!(needs_primary(&actix_web::Error::from(read_only)));
        assert!(needs_primary(&actix_web::Error::from(ApiError(db_error(
            DatabaseErrorKind::ReadOnlyTransaction,
            "read-only"
        )))));
        for (kind, message) in [
            (DatabaseErrorKind::ClosedConnection, "connection closed"),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (
                DatabaseErrorKind::Unknown,
                "the database system is shutting down",
            ),
        ] {
            let e = db_error(kind, message);
            assert_eq!(
                e.status_code(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{message}"
            );
            assert!(!needs_primary(&actix_web::Error::from(e)));
        }
        let other = db_error(DatabaseErrorKind::Unknown, "division by zero");
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_wait_reads_as_people_say_it() {
        let said = |s| AppError::TooManyRequests(s).to_string();
        assert_eq!(said(1), "too many requests; try again in 1 second");
        assert_eq!(said(45), "too many requests; try again in 45 seconds");
        assert_eq!(said(900), "too many requests; try again in 15 minutes");
    }
}
