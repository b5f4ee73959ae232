//! What a request must pass before its handler runs: a suspended school answers 503 on every
//! route, whichever handler (or cached page) would have served it (probes and the shared
//! stylesheet stay up: they hold no school's data); and each school has a budget of requests
//! handled at once, so one school's flood waits in its own queue instead of taking the CPU from
//! the others.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::AppError;
use crate::tenancy::HostTarget;
use crate::web::host;

pub async fn suspended(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let HostTarget::School(tenant) = host::resolve(req.request()) {
        let path = req.path();
        let exempt = path == "/healthz" || path == "/readyz" || path.starts_with("/static/");
        if tenant.suspended && !exempt {
            let err = AppError::Suspended(tenant.name.clone());
            let res = crate::error::respond_for(path, err);
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Holds a slot of the school's request budget while its request is handled; a request that
/// cannot get one within the pool's checkout timeout is a 503.
pub async fn fair(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let slot = match (
        host::resolve(req.request()),
        req.app_data::<actix_web::web::Data<crate::state::AppState>>(),
    ) {
        (HostTarget::School(tenant), Some(state)) => {
            match state
                .school_requests
                .enter(tenant.id, std::time::Duration::from_secs(2))
                .await
            {
                Ok(slot) => slot,
                Err(err) => {
                    let res = crate::error::respond_for(req.path(), err);
                    return Ok(req.into_response(res).map_into_right_body());
                }
            }
        }
        _ => None,
    };
    let res = next.call(req).await;
    drop(slot);
    res.map(ServiceResponse::map_into_left_body)
}
