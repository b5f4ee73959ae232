//! Liveness, readiness and the fallback 404, answered on any host.

use actix_web::{HttpResponse, web};
use diesel_async::RunQueryDsl;

use crate::db::global_tx;
use crate::error::AppError;
use crate::startup::AppState;
use crate::tenancy::HostTarget;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Ready when the primary answers a query.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    global_tx(state.pools.primary(), "readyz", |conn| {
        Box::pin(async move {
            diesel::sql_query("SELECT 1").execute(conn).await?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain")
        .body("ready\n"))
}

pub async fn not_found(target: HostTarget) -> Result<HttpResponse, AppError> {
    Err(match target {
        HostTarget::Unknown => AppError::NoSchool,
        _ => AppError::NotFound,
    })
}
