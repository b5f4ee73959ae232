//! The catalog for API clients: the same data and filters as the pages, as JSON.

use actix_web::{HttpRequest, HttpResponse, web};

use super::client::MaybeApiClient;
use crate::api_tokens::Scope;
use crate::catalog::pages::PageKey;
use crate::catalog::query::{CatalogQuery, Limit};
use crate::encoded::Page;
use crate::error::{ApiError, AppError};
use crate::slug::is_slug;
use crate::state::AppState;
use crate::web::host::School;

fn json(req: &HttpRequest, page: &Page) -> HttpResponse {
    page.respond(req, "application/json")
}

/// The catalog is public; a token sent with the request must still be valid and may read it.
fn catalog_reader(client: &MaybeApiClient) -> Result<(), ApiError> {
    match &client.0 {
        Some(client) => client.needs(Scope::CatalogRead),
        None => Ok(()),
    }
}

// `Result<School, _>`: an unknown host answers with a JSON error here, not the HTML page.
pub async fn courses(
    school: Result<School, AppError>,
    client: MaybeApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let School(tenant) = school?;
    catalog_reader(&client)?;
    let query = CatalogQuery::parse(req.query_string(), Limit::Client)?;
    let page = state
        .registry
        .page(&tenant, PageKey::CatalogJson(query))
        .await?;
    Ok(json(&req, &page))
}

pub async fn course(
    school: Result<School, AppError>,
    client: MaybeApiClient,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let School(tenant) = school?;
    catalog_reader(&client)?;
    let slug = slug.into_inner();
    if !is_slug(&slug, 120) {
        return Err(AppError::NotFound.into());
    }
    let page = state
        .registry
        .page(&tenant, PageKey::CourseJson(slug))
        .await?;
    Ok(json(&req, &page))
}

/// The OpenAPI 3.1 description of `/api/v1` (`src/openapi.json`, checked by schemathesis in CI).
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../openapi.json"))
}

/// The path exists, the method does not.
pub async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header(("Allow", allow))
        .json(serde_json::json!({ "error": "method not allowed", "status": 405 }))
}

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(AppError::NotFound.into())
}
