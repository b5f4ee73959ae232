//! Liveness, readiness and the fallback 404, answered on any host.

use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::HostTarget;
use actix_web::{HttpResponse, web};

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Ready when the directory cluster's primary answers a query (another cluster being down
/// makes its schools answer 503, not this instance unready). Load balancers poll this: it answers
/// within 250 ms whatever the database does (a full pool, a hung server, an outage).
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .clusters
        .main()
        .primary()
        .ping(std::time::Duration::from_millis(150))
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
