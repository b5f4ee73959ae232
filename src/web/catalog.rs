//! The catalog's pages: the school's home, the catalog and a course page, each the cached shared
//! page from the school's actor with this viewer's slots filled in.

use std::sync::Arc;

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};

use crate::accounts::sessions::Viewer;
use crate::accounts::{ACCOUNT_SLOT, account_slot};
use crate::catalog::pages::PageKey;
use crate::catalog::query::{CatalogQuery, Limit};
use crate::encoded::{Page, compressed};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::learning::{ENROLLMENT_SLOT, enrollment_slot};
use crate::slug::is_slug;
use crate::state::AppState;
use crate::tenancy::{HostTarget, Tenant};
use crate::web::host::School;
use crate::web::lang::Lang;
use crate::web::learning::access::learner;

/// A shared page as this viewer gets it: the ready-made anonymous copy, or the page with their
/// own slots filled in (never shared, so never stored by anyone else).
pub fn html(
    req: &HttpRequest,
    page: &Page,
    viewer: &Viewer,
    slots: impl FnOnce() -> Vec<(&'static str, String)>,
) -> HttpResponse {
    if viewer.0.is_none() {
        return page.respond(req, HTML);
    }
    page.personal(req, &slots(), HTML)
}

const HTML: &str = "text/html; charset=utf-8";

/// `/`: the school's home, or EduFlow's landing page on the bare base domain.
pub async fn home(
    target: HostTarget,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    match target {
        HostTarget::School(tenant) => {
            let page = state.registry.page(&tenant, PageKey::Home(locale)).await?;
            Ok(html(&req, &page, &viewer, || {
                vec![(ACCOUNT_SLOT, account_slot(locale, &viewer))]
            }))
        }
        HostTarget::Platform => {
            let body = state
                .views
                .render(locale, "landing.html", &tera::Context::new())?;
            Ok(compressed(&req, body.into(), HTML))
        }
        HostTarget::Unknown => Err(AppError::NoSchool),
    }
}

pub async fn catalog(
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let query = CatalogQuery::parse(req.query_string(), Limit::Fixed)?;
    let page = state
        .registry
        .page(&tenant, PageKey::Catalog(query, locale))
        .await?;
    Ok(html(&req, &page, &viewer, || {
        vec![(ACCOUNT_SLOT, account_slot(locale, &viewer))]
    }))
}

pub async fn course(
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    if !is_slug(&slug, 120) {
        return Err(AppError::NotFound);
    }
    course_page(&req, &state, &tenant, &viewer, locale, &slug).await
}

/// The school's accent colour as a stylesheet, so pages need no inline styles: as it is, and the
/// lighter shade links take in the dark theme.
pub async fn brand_css(School(tenant): School) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(format!(
            ":root {{ --accent: {}; --accent-dark: {}; }}\n",
            tenant.accent_color,
            crate::colour::on_dark(&tenant.accent_color)
        ))
}

/// The shared course page with this viewer's account and enrollment slots filled in.
pub async fn course_page(
    req: &HttpRequest,
    state: &AppState,
    tenant: &Arc<Tenant>,
    viewer: &Viewer,
    locale: Locale,
    slug: &str,
) -> Result<HttpResponse, AppError> {
    let page = state
        .registry
        .page(tenant, PageKey::Course(slug.to_owned(), locale))
        .await?;
    let learner = learner(state, tenant, viewer).await?;
    Ok(html(req, &page, viewer, || {
        vec![
            (ACCOUNT_SLOT, account_slot(locale, viewer)),
            (
                ENROLLMENT_SLOT,
                enrollment_slot(locale, viewer, learner.as_deref(), slug, state.clock.now()),
            ),
        ]
    }))
}
