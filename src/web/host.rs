//! Host → school. The school comes from the `Host` header (or the HTTP/2 authority) only;
//! `X-Forwarded-Host` and `Forwarded` count only from a configured trusted proxy.

use std::future::{Ready, ready};
use std::net::IpAddr;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::accounts::sessions::CurrentUser;
use crate::audit::By;
use crate::error::AppError;
use crate::hostname::normalize;
use crate::state::AppState;
use crate::tenancy::{HostTarget, Tenant};

fn forwarded_host(req: &HttpRequest) -> Option<String> {
    if let Some(v) = req
        .headers()
        .get("x-forwarded-host")
        .and_then(|v| v.to_str().ok())
    {
        return v.split(',').next().map(str::to_owned);
    }
    let forwarded = req.headers().get(header::FORWARDED)?.to_str().ok()?;
    let first = forwarded.split(',').next()?;
    first.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        k.eq_ignore_ascii_case("host")
            .then(|| v.trim_matches('"').to_owned())
    })
}

/// The host a request is addressed to, honouring forwarding headers only from trusted proxies.
pub fn request_host(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<String> {
    normalize(&public_authority(req, trusted_proxies)?)
}

/// The address (host and port, as sent) the client used: a trusted proxy's `X-Forwarded-Host` /
/// `Forwarded: host=`, else `Host`. What chooses the school, and what a form's `Origin` must name.
pub fn public_authority(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<String> {
    let peer_trusted = req
        .peer_addr()
        .is_some_and(|peer| trusted_proxies.contains(&peer.ip()));
    let raw = if peer_trusted {
        forwarded_host(req)
    } else {
        None
    }
    .or_else(|| {
        req.headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
    })?;
    Some(raw.trim().to_ascii_lowercase())
}

/// The client's address: the peer, or — when the peer is a trusted proxy — the nearest address
/// in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let hops: Vec<IpAddr> = forwarded
        .split(',')
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !trusted_proxies.contains(ip))
            .unwrap_or(peer),
    )
}

/// `user` acting through `req`, as the school's audit log names them.
pub fn audited_by(req: &HttpRequest, state: &AppState, user: &CurrentUser) -> By {
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    By::member(
        user.id,
        &user.email,
        client_ip(req, &state.trusted_proxies),
        agent,
    )
}

/// The request's school, resolved once per request (middleware and extractors all ask).
pub fn resolve(req: &HttpRequest) -> HostTarget {
    if let Some(target) = req.extensions().get::<HostTarget>() {
        return target.clone();
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return HostTarget::Unknown;
    };
    let target = match request_host(req, &state.trusted_proxies) {
        Some(host) => state.directory.resolve(&host),
        None => HostTarget::Unknown,
    };
    // Also read by the access log.
    req.extensions_mut().insert(target.clone());
    target
}

impl FromRequest for HostTarget {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(resolve(req)))
    }
}

/// The school a request is for; any other host is a 404 "no school at this address".
#[derive(Debug, Clone)]
pub struct School(pub Arc<Tenant>);

impl FromRequest for School {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match resolve(req) {
            HostTarget::School(tenant) => Ok(School(tenant)),
            _ => Err(AppError::NoSchool),
        })
    }
}
