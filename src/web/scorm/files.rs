//! `/scorm/{lesson}/{path}`: a file of a lesson's package, for the course's enrolled learners and
//! the school's staff. Package pages run their own scripts (inline ones too, as packages are
//! written), so they get a policy of their own: scripts and styles from the page itself and the
//! school's host, framed only by the school's own pages.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::accounts::sessions::Viewer;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::media::key::MediaKey;
use crate::scorm::{manifest, store};
use crate::state::AppState;
use crate::web::host::School;
use crate::web::learning::access::{is_staff, state_of};

pub async fn serve(
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (lesson, file) = path.into_inner();
    let lesson: uuid::Uuid = lesson.parse().map_err(|_| AppError::NotFound)?;
    if !manifest::inside(&file) {
        return Err(AppError::NotFound);
    }
    let Some(user) = viewer.0.clone() else {
        return Err(AppError::SignIn(format!("/scorm/{lesson}/{file}")));
    };
    let school = tenant.id;
    let found = state
        .school_tx(school, "scorm_file", move |conn| {
            Box::pin(async move { store::file(conn, school, lesson, &file).await })
        })
        .await?
        .ok_or(AppError::NotFound)?;
    if !is_staff(&viewer) {
        let learner = state_of(&state, &tenant, &user).await?;
        if !learner.enrolled_in(found.course_id) {
            return Err(AppError::Forbidden(Msg::new(
                "error-enroll-in-the-course-to",
            )));
        }
    }
    let key = MediaKey::parse(&found.key).ok_or(AppError::NotFound)?;
    // Streamed from the store, as the media origin does: a package's video never sits in memory.
    let store = &state.media.store;
    let len = store
        .size(&key)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let body = store.read(&key, 0, len).await.map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(found.content_type)
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
             font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
             frame-ancestors 'self'",
        ))
        .no_chunking(len)
        .streaming(body))
}
