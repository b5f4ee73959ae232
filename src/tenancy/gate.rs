//! A suspended school answers 503 on every route, whichever handler (or cached page) would
//! have served it. Probes and the shared stylesheet stay up: they hold no school's data.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::{HostTarget, host};
use crate::error::AppError;

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
