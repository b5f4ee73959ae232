//! The runtime's two calls. `GET …/scorm/state`: the package's SCOs with where each opens, where
//! it commits, which attempt is the learner's, and that attempt's last commit when it is one to
//! resume. `POST /courses/{course}/lessons/{lesson}/scorm/{sco}/commit?attempt=N`: what a
//! learner's SCO committed through the runtime in the lesson page (`{"cmi": …}`, JSON). The runtime's last commit as the
//! tab closes is a beacon, which can carry no header: the session's anti-forgery token comes in
//! the URL (`?csrf=`), and the session cookie with the request (the same origin). When every SCO
//! of the lesson is completed by the package's own rules, so is the lesson.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::sessions::{CurrentUser, Viewer};
use crate::error::{ApiError, AppError};
use crate::i18n::Msg;
use crate::learning::store::LessonPage;
use crate::scorm::cmi::Commit;
use crate::scorm::store;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::{check_origin, check_token};
use crate::web::host::School;
use crate::web::learning::access::{lesson_gate, load_lesson, state_of};
use crate::web::learning::completion::complete;

/// The largest commit taken (suspend_data is at most 64 KB).
const LIMIT: usize = 256 * 1024;

/// The SCORM lesson `lesson` of `course`, when it is the signed-in learner's to play: enrolled,
/// and open to them now.
async fn package_lesson(
    state: &AppState,
    tenant: &Arc<Tenant>,
    user: &CurrentUser,
    course: &str,
    lesson: &str,
) -> Result<LessonPage, AppError> {
    let page = load_lesson(state, tenant, course, lesson).await?;
    if page.kind != "scorm" {
        return Err(AppError::NotFound);
    }
    let learner = state_of(state, tenant, user).await?;
    if !learner.enrolled_in(page.course_id) {
        return Err(AppError::Forbidden(Msg::new(
            "error-enroll-in-the-course-to",
        )));
    }
    lesson_gate(state, &page, &learner)?;
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct Token {
    #[serde(default)]
    csrf: String,
    attempt: Option<i32>,
}

pub async fn commit(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    token: web::Query<Token>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (course, lesson, sco) = path.into_inner();
    let Viewer(Some(user)) = viewer else {
        return Err(AppError::Unauthorized.into());
    };
    check_origin(&req, &state)?;
    let given = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&token.csrf);
    check_token(Some(&user.csrf), given)?;
    if body.len() > LIMIT {
        return Err(AppError::TooLarge(Msg::new("scorm-commit-too-large")).into());
    }
    let page = package_lesson(&state, &tenant, &user, &course, &lesson).await?;
    let (school, lesson_id, user_id) = (tenant.id, page.lesson_id, user.id.0);
    let attempt = token.attempt.unwrap_or(1);
    let done = state
        .school_tx(school, "scorm_commit", move |conn| {
            Box::pin(async move {
                let played = store::played(conn, school, lesson_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let unit = played
                    .scos
                    .iter()
                    .find(|s| s.identifier == sco)
                    .ok_or(AppError::NotFound)?;
                let commit = Commit::parse(played.version, &body).map_err(|why| {
                    AppError::BadRequest(Msg::new("scorm-commit-invalid").text("reason", why))
                })?;
                let outcome = commit.outcome(played.version, unit.mastery);
                store::commit(
                    conn,
                    school,
                    (user_id, lesson_id, &sco, attempt),
                    &commit,
                    outcome,
                )
                .await?
                .ok_or_else(|| AppError::Unprocessable(Msg::new("scorm-no-such-attempt")))
            })
        })
        .await?;
    if done {
        complete(&state, &tenant, user.id, (page.course_id, page.lesson_id)).await?;
    }
    // What scorm-again reads of the answer.
    Ok(HttpResponse::Ok().json(json!({ "result": true, "errorCode": 0 })))
}

/// `GET /courses/{course}/lessons/{lesson}/scorm/state`.
pub async fn state(
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (course, lesson) = path.into_inner();
    let Viewer(Some(user)) = viewer else {
        return Err(AppError::Unauthorized.into());
    };
    let page = package_lesson(&state, &tenant, &user, &course, &lesson).await?;
    let (school, lesson_id, user_id) = (tenant.id, page.lesson_id, user.id.0);
    let (played, standings) = state
        .school_tx(school, "scorm_state", move |conn| {
            Box::pin(async move {
                let played = store::played(conn, school, lesson_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                Ok((
                    played,
                    store::standings(conn, school, user_id, lesson_id).await?,
                ))
            })
        })
        .await?;
    let scos: Vec<_> = played
        .scos
        .iter()
        .map(|s| {
            let standing = standings.iter().find(|st| st.sco == s.identifier);
            json!({
                "identifier": s.identifier,
                "title": s.title,
                "launch": format!("/scorm/{lesson_id}/{}", s.href),
                "commit": format!("/courses/{course}/lessons/{lesson}/scorm/{}/commit", s.identifier),
                "attempt": standing.map_or(1, |st| st.attempt),
                "cmi": standing.and_then(|st| st.resume.as_ref()),
                "completed": standing.is_some_and(|st| st.completed),
            })
        })
        .collect();
    let version = played.version.as_str();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "version": version, "scos": scos })))
}
