//! Signing in with a school's OpenID provider: `/sso/{name}/login` sends the browser to the
//! provider, `/sso/{name}/callback` takes its answer. The sign-in is bound three ways: to the
//! school (the row is the school's), to the provider (its name is in the row) and to the browser
//! (the `state` cookie must match).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::accounts::sessions;
use crate::accounts::sso::{Reached, reach};
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::sso::directory::Metadata;
use crate::sso::id_token::{self, Expected};
use crate::sso::{Provider, Refusal, logins, providers, saml};
use crate::state::AppState;
use crate::web::csrf::local_path;
use crate::web::host::{School, public_authority};

/// id_tokens kept as a logout hint only up to this size (some providers' are large).
const HINT_LIMIT: usize = 8 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Answer {
    code: String,
    state: String,
    /// RFC 9207: the issuer that answered.
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The school's origin as the browser addresses it (the host that chose the school).
fn origin(req: &HttpRequest, state: &AppState) -> String {
    let scheme = if state.cookies.https { "https" } else { "http" };
    let authority = public_authority(req, &state.trusted_proxies).unwrap_or_default();
    format!("{scheme}://{authority}")
}

/// This school's address for the provider's answers (the host the browser is on).
fn redirect_uri(req: &HttpRequest, state: &AppState, name: &str) -> String {
    format!("{}/sso/{name}/callback", origin(req, state))
}

/// The SAML service provider that `provider` (a SAML one) is at this school's origin.
fn service_provider(
    req: &HttpRequest,
    state: &AppState,
    provider: &Provider,
) -> Result<samael::service_provider::ServiceProvider, AppError> {
    let saml = provider.saml.as_ref().ok_or(AppError::NotFound)?;
    saml::service_provider(
        &saml.idp_metadata,
        &origin(req, state),
        provider.name.as_str(),
    )
    .map_err(|e| AppError::internal(anyhow::anyhow!(e)))
}

/// `GET /sso/{name}/metadata`: a SAML provider's SP metadata, for the IdP's administrators.
pub async fn metadata(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let provider = provider(&state, &school, name.into_inner()).await?;
    let sp = service_provider(&req, &state, &provider)?;
    let xml = sp
        .metadata()
        .map_err(|e| anyhow::anyhow!("{e}"))
        .and_then(|m| samael::traits::ToXml::to_string(&m).map_err(|e| anyhow::anyhow!("{e}")))
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/samlmetadata+xml")
        .body(xml))
}

/// A SAML sign-in: the AuthnRequest (HTTP-Redirect) with a RelayState that names the sign-in.
async fn saml_login(
    req: &HttpRequest,
    school: &School,
    state: &AppState,
    provider: &Provider,
    next: String,
) -> Result<HttpResponse, AppError> {
    let sp = service_provider(req, state, provider)?;
    let relay = crate::random::random_token();
    let (to, request_id) =
        saml::login(&sp, &relay).map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let (tenant, pname) = (school.0.id, provider.name.to_string());
    state
        .school_tx(tenant, "sso login", move |conn| {
            Box::pin(async move {
                logins::record(conn, tenant, &pname, &next, &relay, &request_id, "").await
            })
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SamlAnswer {
    #[serde(rename = "SAMLResponse")]
    response: String,
    #[serde(rename = "RelayState")]
    relay_state: String,
}

/// `POST /sso/{name}/acs`: the IdP's signed answer, posted by the browser from the IdP's page (a
/// cross-site POST: no Origin or cookie check; the RelayState names the sign-in, the response's
/// `InResponseTo` must be its request, and the signature, audience, recipient and validity are
/// checked).
pub async fn acs(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    name: web::Path<String>,
    form: crate::input::Form<SamlAnswer>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let answer = form.into_inner();
    match acs_finish(&req, &school, &state, &name, answer).await? {
        Ok(done) => Ok(done),
        Err(refusal) => Err(refusal.into_error(&name)),
    }
}

async fn acs_finish(
    req: &HttpRequest,
    school: &School,
    state: &AppState,
    name: &str,
    answer: SamlAnswer,
) -> Result<Result<HttpResponse, Refusal>, AppError> {
    let tenant = school.0.id;
    if answer.relay_state.is_empty() {
        return Ok(Err(Refusal::UnknownState));
    }
    let relay = answer.relay_state.clone();
    let Some(pending) = state
        .school_tx(tenant, "sso acs", move |conn| {
            Box::pin(async move { logins::take(conn, tenant, &relay).await })
        })
        .await?
    else {
        return Ok(Err(Refusal::UnknownState));
    };
    if pending.provider != name {
        return Ok(Err(Refusal::MixedUp));
    }
    let provider = provider(state, school, name.to_owned()).await?;
    let Some(settings) = provider.saml.clone() else {
        return Ok(Err(Refusal::MixedUp));
    };
    let sp = service_provider(req, state, &provider)?;
    let (assertion, mut claims) = match saml::assertion(&sp, &answer.response, &pending.nonce) {
        Ok(a) => a,
        Err(refusal) => return Ok(Err(refusal)),
    };
    claims.insert("email_verified".into(), settings.email_trusted.into());
    let pname = name.to_owned();
    let fresh = state
        .school_tx(tenant, "sso acs", move |conn| {
            Box::pin(async move { logins::use_assertion(conn, tenant, &pname, &assertion).await })
        })
        .await?;
    if !fresh {
        return Ok(Err(Refusal::BadAssertion(
            "it was used already (a replay)".into(),
        )));
    }
    signed_in(req, school, state, provider, claims, None, &pending.next).await
}

async fn provider(state: &AppState, school: &School, name: String) -> Result<Provider, AppError> {
    let tenant = school.0.id;
    state
        .school_tx(tenant, "sso provider", move |conn| {
            Box::pin(async move { providers::find(conn, tenant, &name).await })
        })
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn login(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    name: web::Path<String>,
    q: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let provider = provider(&state, &school, name.into_inner()).await?;
    let next = local_path(Some(&q.next));
    if provider.saml.is_some() {
        return saml_login(&req, &school, &state, &provider, next).await;
    }
    let metadata = state.sso.metadata(&provider.issuer).await?;
    let (tenant, pname) = (school.0.id, provider.name.to_string());
    let begun = state
        .school_tx(tenant, "sso login", move |conn| {
            Box::pin(async move { logins::begin(conn, tenant, &pname, &next).await })
        })
        .await?;
    let mut to = url::Url::parse(&metadata.authorization_endpoint).map_err(|e| {
        AppError::BadGateway(
            Msg::new("error-sso-misconfigured"),
            anyhow::anyhow!("authorization_endpoint: {e}"),
        )
    })?;
    to.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.client_id)
        .append_pair(
            "redirect_uri",
            &redirect_uri(&req, &state, provider.name.as_str()),
        )
        .append_pair("scope", &provider.scopes.join(" "))
        .append_pair("state", &begun.state)
        .append_pair("nonce", &begun.nonce)
        .append_pair("code_challenge", &begun.challenge)
        .append_pair("code_challenge_method", "S256");
    let mut cookie = state.cookies.build(state.cookies.sso_name(), begun.state);
    cookie.set_max_age(actix_web::cookie::time::Duration::minutes(
        logins::LIFETIME_MINUTES.into(),
    ));
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

pub async fn callback(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    name: web::Path<String>,
    answer: web::Query<Answer>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    let answer = answer.into_inner();
    match finish(&req, &school, &state, &name, answer).await? {
        Ok(done) => Ok(done),
        Err(refusal) => Err(refusal.into_error(&name)),
    }
}

/// The provider's answer checked, the account reached and a session begun; or why not.
async fn finish(
    req: &HttpRequest,
    school: &School,
    state: &AppState,
    name: &str,
    answer: Answer,
) -> Result<Result<HttpResponse, Refusal>, AppError> {
    let tenant = school.0.id;
    let cookie = req.cookie(state.cookies.sso_name());
    // Taken whatever follows, so a state is tried once; one from another browser is not taken.
    if answer.state.is_empty() || cookie.is_none_or(|c| c.value() != answer.state) {
        return Ok(Err(Refusal::UnknownState));
    }
    let sent = answer.state.clone();
    let Some(pending) = state
        .school_tx(tenant, "sso callback", move |conn| {
            Box::pin(async move { logins::take(conn, tenant, &sent).await })
        })
        .await?
    else {
        return Ok(Err(Refusal::UnknownState));
    };
    if pending.provider != name {
        return Ok(Err(Refusal::MixedUp));
    }
    if let Some(error) = answer.error {
        let description = answer.error_description.unwrap_or_default();
        return Ok(Err(Refusal::ProviderError(
            format!("{error} {description}").trim().to_owned(),
        )));
    }
    let provider = provider(state, school, name.to_owned()).await?;
    if provider.saml.is_some() {
        return Ok(Err(Refusal::MixedUp));
    }
    let metadata = state.sso.metadata(&provider.issuer).await?;
    if answer
        .iss
        .as_deref()
        .is_some_and(|iss| iss != metadata.issuer)
    {
        return Ok(Err(Refusal::MixedUp));
    }
    let redirect_uri = redirect_uri(req, state, name);
    let tokens = match state
        .sso
        .tokens(
            &metadata,
            &provider,
            &answer.code,
            &pending.verifier,
            &redirect_uri,
        )
        .await?
    {
        Ok(t) => t,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let claims = match checked_claims(state, &metadata, &provider, &tokens, &pending.nonce).await? {
        Ok(c) => c,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let hint = (tokens.id_token.len() <= HINT_LIMIT).then(|| tokens.id_token.clone());
    signed_in(req, school, state, provider, claims, hint, &pending.next).await
}

/// The account the provider's checked `claims` reach, signed in (a new session, whatever
/// session the browser brought ended), and sent on to `next`.
async fn signed_in(
    req: &HttpRequest,
    school: &School,
    state: &AppState,
    provider: Provider,
    claims: serde_json::Map<String, serde_json::Value>,
    hint: Option<String>,
    next: &str,
) -> Result<Result<HttpResponse, Refusal>, AppError> {
    let tenant = school.0.id;
    let name = provider.name.to_string();
    let previous = req
        .cookie(state.cookies.session_name())
        .map(|c| c.value().to_owned());
    if let Some(previous) = &previous {
        state.sessions.forget(&sessions::token_digest(previous));
    }
    let admins = school.0.admin_emails.clone();
    let pname = name.clone();
    let reached = state
        .school_tx(tenant, "sso sign-in", move |conn| {
            Box::pin(async move {
                let reached = match reach(conn, tenant, &provider, &claims, &admins).await? {
                    Ok(r) => r,
                    Err(refusal) => return Ok(Err(refusal)),
                };
                if let Some(previous) = previous {
                    sessions::delete(conn, &previous).await?;
                }
                let token = sessions::create(conn, tenant, reached.user()).await?;
                if let Some(hint) = hint {
                    sessions::mark_sso(conn, &token, &pname, &hint).await?;
                }
                Ok(Ok((reached, token)))
            })
        })
        .await?;
    let (reached, token) = match reached {
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let how = match &reached {
        Reached::Known(_) => "known",
        Reached::Linked(_) => "linked",
        Reached::Created(..) => "created",
    };
    tracing::info!(school = %school.0.slug, provider = %name, account = how, "single sign-on");
    Ok(Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_path(Some(next))))
        .cookie(state.cookies.session(token))
        .cookie(state.cookies.removal(state.cookies.csrf_name()))
        .cookie(state.cookies.removal(state.cookies.sso_name()))
        .finish()))
}

/// The id_token checked, and the userinfo endpoint's claims added to it (same subject).
async fn checked_claims(
    state: &AppState,
    metadata: &Metadata,
    provider: &Provider,
    tokens: &crate::sso::directory::Tokens,
    nonce: &str,
) -> Result<Result<serde_json::Map<String, serde_json::Value>, Refusal>, AppError> {
    let head = match id_token::head(&tokens.id_token) {
        Ok(h) => h,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let key = match state.sso.key(&metadata.issuer, head.kid.as_deref()).await {
        Ok(k) => k,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let expected = Expected {
        issuer: &metadata.issuer,
        client_id: &provider.client_id,
        nonce,
    };
    let mut claims = match id_token::verify(&tokens.id_token, &head, &key, expected) {
        Ok(c) => c,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Some(access) = &tokens.access_token {
        if let Some(info) = state.sso.userinfo(metadata, access).await? {
            if info.get("sub") != claims.get("sub") {
                return Ok(Err(Refusal::UserinfoMismatch));
            }
            for (k, v) in info {
                claims.entry(k).or_insert(v);
            }
        }
    }
    Ok(Ok(claims))
}

/// Where logging out of a session that began at `provider` continues: the provider (its label)
/// and its end-session endpoint (RP-initiated logout) when it has one, which sends the browser
/// back to this school's front page after.
pub async fn logout_target(
    req: &HttpRequest,
    state: &AppState,
    school: &School,
    provider: &str,
    id_token: &str,
) -> Option<(String, String)> {
    let tenant = school.0.id;
    let name = provider.to_owned();
    let provider = tenant_tx(
        state.pools(tenant).ok()?.primary(),
        tenant,
        "sso logout",
        move |conn| Box::pin(async move { providers::find(conn, tenant, &name).await }),
    )
    .await
    .ok()??;
    // An unreachable provider still lets the person out of EduFlow.
    let metadata = state.sso.metadata(&provider.issuer).await.ok()?;
    let mut to = url::Url::parse(metadata.end_session_endpoint.as_deref()?).ok()?;
    let scheme = if state.cookies.https { "https" } else { "http" };
    let authority = public_authority(req, &state.trusted_proxies)?;
    to.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair("client_id", &provider.client_id)
        .append_pair(
            "post_logout_redirect_uri",
            &format!("{scheme}://{authority}/"),
        );
    Some((provider.label, to.to_string()))
}
