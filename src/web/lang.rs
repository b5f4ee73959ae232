//! The language a request is answered in: the one this browser chose (its cookie, set by
//! `?lang=` or by signing in to an account that has one), else the best match of its
//! `Accept-Language` among the school's languages, else the school's own. Only languages the
//! school offers are ever picked.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};

use crate::error::{ApiError, AppError};
use crate::i18n::{Locale, negotiate};
use crate::state::AppState;
use crate::tenancy::{HostTarget, Tenant};
use crate::web::host;

/// The request's language.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Locale);

/// The language of `req` at `tenant` (worked out once per request).
pub fn of(req: &HttpRequest, tenant: &Tenant) -> Locale {
    if let Some(Lang(locale)) = req.extensions().get::<Lang>() {
        return *locale;
    }
    let offered = |l: &Locale| tenant.locales.contains(l);
    let chosen = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| req.cookie(state.cookies.lang_name()))
        .and_then(|c| Locale::parse(c.value()))
        .filter(offered);
    let locale = chosen
        .or_else(|| {
            let accept = req.headers().get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            negotiate(accept, &tenant.locales)
        })
        .unwrap_or(tenant.locale);
    req.extensions_mut().insert(Lang(locale));
    locale
}

/// Form errors or notices, given as message ids, in the request's language.
pub fn localized(req: &HttpRequest, tenant: &Tenant, ids: &[&str]) -> Vec<String> {
    let locale = of(req, tenant);
    ids.iter().map(|id| locale.t(id)).collect()
}

/// The language of a request with no school (EduFlow's own pages): English.
pub fn of_any(req: &HttpRequest) -> Locale {
    match host::resolve(req) {
        HostTarget::School(tenant) => of(req, &tenant),
        _ => Locale::SOURCE,
    }
}

impl FromRequest for Lang {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang(of_any(req))))
    }
}

/// `?lang=ar` on any page: keeps the choice in a cookie (when the school offers that language)
/// and sends the browser to the same page without the parameter, so links and caches stay clean.
pub async fn choose(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let query = req.query_string();
    let wanted = (!query.is_empty() && req.method() == actix_web::http::Method::GET)
        .then(|| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "lang"))
        .flatten()
        .map(|(_, v)| v.into_owned());
    let (Some(wanted), HostTarget::School(tenant)) = (wanted, host::resolve(req.request())) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let rest: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "lang"))
        .finish();
    let target = if rest.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{rest}", req.path())
    };
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, target))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let (Some(locale), Some(state)) = (
        Locale::parse(&wanted).filter(|l| tenant.locales.contains(l)),
        req.app_data::<web::Data<AppState>>(),
    ) {
        res.cookie(state.cookies.lang(locale.tag()));
    }
    Ok(req.into_response(res.finish()).map_into_right_body())
}

/// Words an error page or JSON error in the request's language (`AppError` itself knows no
/// request, so it answers in English first).
pub async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let localized = res.response().error().and_then(|err| {
        let locale = of_any(res.request());
        if locale == Locale::SOURCE {
            return None;
        }
        if let Some(e) = err.as_error::<AppError>() {
            Some(e.page_in(locale))
        } else {
            err.as_error::<ApiError>().map(|e| e.json_in(locale))
        }
    });
    Ok(match localized {
        Some(body) => res.into_response(body).map_into_right_body(),
        None => res.map_into_left_body(),
    })
}
