//! Why an answer from an identity provider was refused, and how that is answered.

use crate::error::AppError;
use crate::i18n::Msg;

/// Why an answer from a provider was refused. The person reads [`Refusal::message`]; the log
/// gets the reason.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("this sign-in was already used, has expired, or was started elsewhere")]
    UnknownState,
    #[error("the answer came from another provider than the sign-in started with")]
    MixedUp,
    #[error("the provider refused the sign-in: {0}")]
    ProviderError(String),
    #[error("the id_token is not acceptable: {0}")]
    BadIdToken(String),
    #[error("the SAML response is not acceptable: {0}")]
    BadAssertion(String),
    #[error("the provider's user information does not match the id_token")]
    UserinfoMismatch,
    #[error("the provider gave no email address")]
    NoEmail,
    #[error("{0}")]
    NotAllowed(Msg),
}

impl Refusal {
    /// The 4xx this refusal is answered with; the cause is logged as a warning.
    pub fn into_error(self, provider: &str) -> AppError {
        tracing::warn!(provider, reason = %self, "single sign-on refused");
        match self {
            Self::NotAllowed(m) => AppError::Forbidden(m),
            Self::NoEmail => AppError::Forbidden(Msg::new("error-the-provider-did-not-share")),
            other => AppError::BadRequest(
                Msg::new("error-sso-did-not-work").text("reason", other.to_string()),
            ),
        }
    }
}
