//! The platform's own endpoints: its keys, the OIDC authorization endpoint tools send the
//! browser back to during a launch, and the OAuth 2 token endpoint for the services.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{autopost, endpoints};
use crate::accounts::sessions::Viewer;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::lti::claims::{self, Context, Launch, Message, Person};
use crate::lti::hints::Target;
use crate::lti::{grades, keys, links, services, tools};
use crate::state::AppState;
use crate::web::host::School;
use crate::web::lang::Lang;

/// `/lti/jwks`: the keys tools verify the school's id_tokens with.
pub async fn jwks(
    School(tenant): School,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = tenant.id;
    let mut published = published(&state, id).await?;
    if published.is_empty() {
        // A school's first key is made when first asked for.
        keys::signing(state.pools(id)?.primary(), id, &state.lti.seal).await?;
        published = self::published(&state, id).await?;
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(json!({ "keys": published })))
}

async fn published(
    state: &AppState,
    id: crate::ids::TenantId,
) -> Result<Vec<serde_json::Value>, AppError> {
    state
        .school_tx(id, "lti_keys", move |conn| {
            Box::pin(keys::published(conn, id))
        })
        .await
}

/// An OIDC authentication request (LTI Security Framework §5.1.1.2), by query or form.
#[derive(Debug, Default, Deserialize)]
pub struct AuthRequest {
    scope: Option<String>,
    response_type: Option<String>,
    response_mode: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    login_hint: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    lti_message_hint: Option<String>,
}

pub async fn authorize_get(
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    query: web::Query<AuthRequest>,
) -> Result<HttpResponse, AppError> {
    authorize(&state, &tenant, (locale, &viewer), query.into_inner()).await
}

pub async fn authorize_post(
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    form: web::Form<AuthRequest>,
) -> Result<HttpResponse, AppError> {
    authorize(&state, &tenant, (locale, &viewer), form.into_inner()).await
}

/// Answers the tool's authentication request with an id_token for the signed-in person,
/// posted to the redirect URI the tool registered. A request naming an unknown client or an
/// unregistered redirect URI gets an error page (it is not safe to send anything there); every
/// other refusal goes back to the tool as an OIDC error.
async fn authorize(
    state: &AppState,
    tenant: &std::sync::Arc<crate::tenancy::Tenant>,
    (locale, viewer): (crate::i18n::Locale, &Viewer),
    r: AuthRequest,
) -> Result<HttpResponse, AppError> {
    let id = tenant.id;
    let client_id = r.client_id.clone().unwrap_or_default();
    let tool = state
        .school_tx(id, "lti_authorize", move |conn| {
            Box::pin(async move { tools::by_client_id(conn, id, &client_id).await })
        })
        .await?
        .ok_or_else(|| AppError::BadRequest(Msg::new("lti-unknown-client")))?;
    let redirect = r.redirect_uri.clone().unwrap_or_default();
    if !tool.redirects_to(&redirect) {
        return Err(AppError::BadRequest(Msg::new(
            "lti-redirect-not-registered",
        )));
    }
    let oidc_state = r.state.clone().unwrap_or_default();
    let back = |fields: &[(&str, &str)]| {
        autopost(
            state,
            tenant,
            (locale, viewer),
            &tool.name,
            &redirect,
            fields,
        )
    };
    let refuse = |error: &str, why: &str| {
        state.metrics.lti.with_label_values(&["refused"]).inc();
        tracing::info!(
            school = tenant.slug,
            tool = tool.name,
            error,
            why,
            "LTI launch refused"
        );
        back(&[
            ("error", error),
            ("error_description", why),
            ("state", &oidc_state),
        ])
    };
    let scopes = r.scope.as_deref().unwrap_or_default();
    if !scopes.split_ascii_whitespace().any(|s| s == "openid")
        || r.response_type.as_deref() != Some("id_token")
        || r.response_mode.as_deref() != Some("form_post")
    {
        return refuse(
            "invalid_request",
            "scope openid, response_type id_token and response_mode form_post are required",
        );
    }
    let nonce = r.nonce.clone().unwrap_or_default();
    if nonce.is_empty() || nonce.len() > 500 {
        return refuse(
            "invalid_request",
            "a nonce of at most 500 characters is required",
        );
    }
    let Some(user) = viewer.0.clone() else {
        return refuse("login_required", "nobody is signed in to the school");
    };
    if r.login_hint.as_deref() != Some(user.id.0.to_string().as_str()) {
        return refuse(
            "login_required",
            "the login hint is not the signed-in person",
        );
    }
    let now = state.clock.now().timestamp();
    let hint = r.lti_message_hint.clone().unwrap_or_default();
    let Some(intent) = state
        .lti
        .hints
        .check(id, &hint, now)
        .filter(|i| i.user == user.id.0 && i.tool == tool.id)
    else {
        return refuse("invalid_request", "the message hint is not valid here");
    };
    let (course, lesson) = match intent.target {
        Target::Resource { course, lesson } => (course, Some(lesson)),
        Target::DeepLink { course, .. } => (course, None),
    };
    let (tool_id, once_nonce) = (tool.id, nonce.clone());
    let found = state
        .school_tx(id, "lti_authorize", move |conn| {
            Box::pin(async move {
                if !services::once(conn, id, tool_id, "nonce", &once_nonce, now + 600).await? {
                    return Ok(None);
                }
                let place = links::placement(conn, id, course, lesson).await?;
                let (link, item) = match lesson {
                    Some(l) => (
                        links::load(conn, id, l).await?,
                        grades::of_lesson(conn, id, l).await?,
                    ),
                    None => (None, None),
                };
                Ok(Some((place, link, item)))
            })
        })
        .await?;
    let Some((Some(place), link, item)) = found else {
        return refuse(
            "invalid_request",
            "the nonce was used before, or the course is gone",
        );
    };
    let at = endpoints(state, tenant);
    let message = match (lesson, &link) {
        (Some(lesson), Some(link)) if link.tool_id == tool.id => Message::Resource {
            lesson,
            title: place.lesson_title.as_deref().unwrap_or_default(),
            url: &link.url,
            line_item: item.map(|i| at.line_item(course, i)),
            line_items: at.line_items(course),
            memberships: at.memberships(course),
            return_url: format!("{}/courses/{}", at.issuer, place.course_slug),
        },
        (None, _) => Message::DeepLinking {
            return_url: at.deep_link_return(),
            data: hint.clone(),
        },
        _ => return refuse("invalid_request", "the lesson no longer launches this tool"),
    };
    let claims = claims::id_token(&Launch {
        issuer: &at.issuer,
        school: (id.0, &tenant.name),
        tool: &tool,
        person: Person {
            id: user.id.0,
            name: &user.name,
            email: &user.email,
            role: user.role,
        },
        context: Context {
            id: course,
            slug: &place.course_slug,
            title: &place.course_title,
        },
        nonce: &nonce,
        now,
        locale: locale.tag(),
        message,
    });
    let key = keys::signing(state.pools(id)?.primary(), id, &state.lti.seal).await?;
    let token = claims::sign(&key, &claims)?;
    let event = if lesson.is_some() {
        "launch"
    } else {
        "deep_link_request"
    };
    state.metrics.lti.with_label_values(&[event]).inc();
    back(&[("id_token", &token), ("state", &oidc_state)])
}

/// A token request (client credentials with a JWT assertion, RFC 7523).
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
    scope: Option<String>,
}

fn oauth_error(
    state: &AppState,
    status: StatusCode,
    error: &str,
    description: &str,
) -> HttpResponse {
    state.metrics.lti.with_label_values(&["refused"]).inc();
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "error": error, "error_description": description }))
}

/// `/lti/token`: an access token for a tool that proves itself with a JWT signed by its key.
pub async fn token(
    School(tenant): School,
    state: web::Data<AppState>,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, AppError> {
    let r = form.into_inner();
    if r.grant_type.as_deref() != Some("client_credentials") {
        return Ok(oauth_error(
            &state,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        ));
    }
    if r.client_assertion_type.as_deref()
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return Ok(oauth_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a jwt-bearer client assertion is required",
        ));
    }
    let Some(scopes) = services::granted(r.scope.as_deref().unwrap_or_default()) else {
        return Ok(oauth_error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "no scope asked for is one this platform grants",
        ));
    };
    let assertion = r.client_assertion.unwrap_or_default();
    let unknown = || {
        oauth_error(
            &state,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the client is not registered at this school",
        )
    };
    let Some(client_id) = super::launch::unverified_issuer(&assertion) else {
        return Ok(unknown());
    };
    let id = tenant.id;
    let Some(tool) = state
        .school_tx(id, "lti_token", move |conn| {
            Box::pin(async move { tools::by_client_id(conn, id, &client_id).await })
        })
        .await?
    else {
        return Ok(unknown());
    };
    let at = endpoints(&state, &tenant);
    let claims = match claims::from_tool(
        &state.lti.tool_keys,
        &tool,
        &assertion,
        &[&at.token(), &at.issuer],
    )
    .await
    .and_then(|c| services::assertion(&c, &tool.client_id))
    {
        Ok(c) => c,
        Err(why) => {
            tracing::info!(
                school = tenant.slug,
                tool = tool.name,
                why,
                "LTI client assertion refused"
            );
            return Ok(oauth_error(
                &state,
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                &format!("the client assertion is refused: {why}"),
            ));
        }
    };
    let (jti, exp) = claims;
    let (tool_id, granted) = (tool.id, scopes.clone());
    let token = state
        .school_tx(id, "lti_token", move |conn| {
            Box::pin(async move {
                if !services::once(conn, id, tool_id, "jti", &jti, exp).await? {
                    return Ok(None);
                }
                services::issue(conn, id, tool_id, &granted).await.map(Some)
            })
        })
        .await?;
    let Some(token) = token else {
        return Ok(oauth_error(
            &state,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the client assertion was used before (jti)",
        ));
    };
    state.metrics.lti.with_label_values(&["token"]).inc();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": services::TOKEN_SECS,
            "scope": scopes.join(" "),
        })))
}
