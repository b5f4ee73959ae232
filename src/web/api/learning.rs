//! The learner's data for API clients, authenticated by the same session cookie.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::sessions::Viewer;
use crate::actors::learners::Position;
use crate::error::{ApiError, AppError};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::web::csrf::{check_origin, check_token};
use crate::web::host::School;
use crate::web::learning::access::{learner, state_of};

fn signed_in(viewer: &Viewer) -> Result<&crate::accounts::sessions::CurrentUser, ApiError> {
    viewer.0.as_ref().ok_or(ApiError(AppError::Unauthorized))
}

pub async fn me(
    school: Result<School, AppError>,
    viewer: Result<Viewer, AppError>,
) -> Result<HttpResponse, ApiError> {
    let (_, viewer) = (school?, viewer?);
    let user = signed_in(&viewer)?;
    Ok(HttpResponse::Ok()
        .json(json!({ "id": user.id, "name": user.name, "email": user.email, "role": user.role })))
}

/// Enrolled courses with progress; `/api/v1/me/progress` adds every lesson and position.
pub async fn enrollments(
    school: Result<School, AppError>,
    viewer: Result<Viewer, AppError>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (School(tenant), viewer) = (school?, viewer?);
    signed_in(&viewer)?;
    let learner = learner(&state, &tenant, &viewer).await?.unwrap_or_default();
    let detailed = req.path().ends_with("/progress");
    let items: Vec<_> = learner
        .courses
        .iter()
        .map(|c| {
            let mut item = json!(c.summary());
            if detailed {
                item["lessons"] = c
                    .lessons
                    .iter()
                    .map(|l| {
                        json!({
                            "slug": l.slug,
                            "done": l.done,
                            "optional": l.optional,
                            "opens_at": l.opens_at,
                            "position_seconds": learner.positions.get(&l.id).copied().unwrap_or(0),
                        })
                    })
                    .collect();
            }
            item
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
pub struct PositionBeacon {
    /// A JSON number: `30` and `30.0` are the same integer to JSON Schema, and to this API.
    seconds: f64,
}

/// The video player's beacon. Accepted at once; the school's actor writes positions in batches.
pub async fn position(
    req: HttpRequest,
    school: Result<School, AppError>,
    viewer: Result<Viewer, AppError>,
    state: web::Data<AppState>,
    lesson: web::Path<String>,
    beacon: web::Json<PositionBeacon>,
) -> Result<HttpResponse, ApiError> {
    let (School(tenant), viewer) = (school?, viewer?);
    check_origin(&req, &state)?;
    let user = signed_in(&viewer)?;
    let token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    check_token(Some(&user.csrf), token)?;
    let lesson: uuid::Uuid = lesson.parse().map_err(|_| AppError::NotFound)?;
    if beacon.seconds.fract() != 0.0 || !(0.0..=86_400.0).contains(&beacon.seconds) {
        return Err(AppError::bad_request(Msg::new("error-seconds-must-be-a-whole")).into());
    }
    let seconds = beacon.seconds as i32;
    let learner = state_of(&state, &tenant, user).await?;
    if !learner
        .courses
        .iter()
        .any(|c| c.lessons.iter().any(|l| l.id == lesson))
    {
        return Err(AppError::NotFound.into());
    }
    state
        .registry
        .ask(
            &tenant,
            Position {
                user: user.id,
                lesson,
                seconds,
            },
        )
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
