//! Outside the primary region a request that would write is not run here: it is answered with
//! `fly-replay: region=<primary>` (see `crate::regions`), and Fly's proxy sends the same request
//! to an instance of the primary region.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::error::needs_primary;
use crate::state::AppState;
use crate::tenancy::HostTarget;

/// What Fly's proxy understands as "run this elsewhere": the header and nothing else.
pub fn replay_response(region: &str) -> HttpResponse {
    HttpResponse::Conflict()
        .insert_header(("fly-replay", format!("region={region}")))
        .finish()
}

/// Requests that change state: every method but the safe ones.
pub fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Outside the primary region: state-changing requests are replayed before their body is read,
/// and a handler that finds it must write after all (`AppError::NeedsPrimary`, which a write
/// that reached a read-only transaction becomes) is answered the same way.
pub async fn replay_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let target =
        req.app_data::<web::Data<AppState>>().and_then(|s| {
            match crate::web::host::resolve(req.request()) {
                HostTarget::School(school) => s.replay_to(Some(&school)),
                _ => s.replay_to(None),
            }
        });
    let Some(region) = target else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if is_write(req.method()) {
        return Ok(req
            .into_response(replay_response(&region))
            .map_into_right_body());
    }
    let res = next.call(req).await?;
    if res.response().error().is_some_and(needs_primary) {
        let (req, _) = res.into_parts();
        return Ok(ServiceResponse::new(req, replay_response(&region)).map_into_right_body());
    }
    Ok(res.map_into_left_body())
}
