//! A school's system calling the API: `Authorization: Bearer eft_…`, checked against the tokens
//! this instance holds in memory (`api_tokens::live`), else the primary. A token of another
//! school, an unknown, revoked or expired one are all 401; a token without the scope an
//! operation needs is 403; past its budget, 429 with `Retry-After`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::accounts::sessions::token_digest;
use crate::api_tokens::{Grant, PREFIX, Scope, store};
use crate::audit::By;
use crate::error::{ApiError, AppError};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::host::{School, client_ip};

/// The school and the grant of the token a request carries.
pub struct ApiClient {
    pub school: Arc<Tenant>,
    pub grant: Grant,
    by: By,
}

impl ApiClient {
    /// Refuses the request unless the token has `scope`.
    pub fn needs(&self, scope: Scope) -> Result<(), ApiError> {
        if self.grant.allows(scope) {
            Ok(())
        } else {
            Err(ApiError(AppError::Forbidden(
                Msg::new("error-token-lacks-scope").text("scope", scope.to_string()),
            )))
        }
    }

    /// The token, from where it called, as the school's audit log names it.
    pub fn by(&self) -> &By {
        &self.by
    }
}

/// The token in `Authorization`, if the request carries one (any scheme but Bearer is a 401).
fn bearer(req: &HttpRequest) -> Result<Option<&str>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| AppError::Unauthorized)?;
    let (scheme, token) = value.split_once(' ').ok_or(AppError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") || !token.trim().starts_with(PREFIX) {
        return Err(AppError::Unauthorized);
    }
    Ok(Some(token.trim()))
}

async fn check(req: &HttpRequest) -> Result<Option<ApiClient>, AppError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no app state")))?;
    let School(school) = School::extract(req).await?;
    let digest = token_digest(token);
    let grant = match state.api_tokens.get(&digest, school.id) {
        Some(grant) => grant,
        None => {
            let since = state.api_tokens.generation();
            let tenant = school.id;
            let found = state
                .school_tx(tenant, "api_token", move |conn| {
                    Box::pin(async move { store::grant(conn, tenant, &digest).await })
                })
                .await?
                .ok_or(AppError::Unauthorized)?;
            state.api_tokens.insert(digest, found.clone(), since);
            found
        }
    };
    if grant.expired(chrono::Utc::now()) {
        return Err(AppError::Unauthorized);
    }
    state
        .api_tokens
        .admit(grant.token)
        .map_err(AppError::TooManyRequests)?;
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let by = By::token(
        grant.token,
        &grant.name,
        client_ip(req, &state.trusted_proxies),
        agent,
    );
    Ok(Some(ApiClient { school, grant, by }))
}

impl FromRequest for ApiClient {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { check(&req).await?.ok_or(ApiError(AppError::Unauthorized)) })
    }
}

/// A token if the request carries one: public operations take either, and a bad token is still
/// a 401.
pub struct MaybeApiClient(pub Option<ApiClient>);

impl FromRequest for MaybeApiClient {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(Self(check(&req).await?)) })
    }
}
