//! `POST /author/courses/{course}/scorm`: a SCORM package uploaded from the course editor becomes
//! a lesson at the end of the chosen section, as `eduflow scorm import` makes one. The zip is
//! staged as it streams in (within the zip upload limit), then read and checked whole on a
//! blocking thread, its files unpacked to staging; they reach the store only once the package
//! passed, so a refused package leaves nothing.

use std::sync::Arc;

use actix_web::{HttpRequest, web};

use super::editor::{allowed, upload_form};
use super::staff::{Staff, edit};
use crate::authoring::store::{self, append_lesson};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::CourseId;
use crate::redirect::see_other;
use crate::scorm::package::{self, Limits};
use crate::scorm::store as scorm_store;
use crate::state::AppState;
use crate::web::forms::{Page, id};
use crate::web::host::School;

pub async fn import(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let course: CourseId = id(&path)?;
    allowed(&state, &tenant, &user, course).await?;
    let mut form = upload_form(&req, &state, &user, payload).await?;
    let section: uuid::Uuid = form
        .text("section")
        .parse()
        .map_err(|_| AppError::Unprocessable(Msg::new("lti-choose-a-section")))?;
    let staged = form
        .files
        .remove("package")
        .ok_or_else(|| AppError::Unprocessable(Msg::new("scorm-choose-a-package")))?;
    // A typed title is checked before the package is unpacked; a blank one is the package's own.
    let typed = form.text("title").trim().to_owned();
    if typed.chars().count() > 200 {
        return Err(AppError::Unprocessable(Msg::new(
            "error-the-title-has-1-to",
        )));
    }
    let staging = state.media.staging.clone();
    let read = tokio::task::spawn_blocking(move || {
        package::read(staged.path(), &staging, Limits::default())
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::Unprocessable)?;
    let title = match typed.as_str() {
        "" => read.manifest.title.chars().take(200).collect(),
        _ => typed,
    };
    let store = state
        .media
        .store
        .of(tenant.id)
        .map_err(AppError::internal)?;
    let stored = scorm_store::put_files(&store, tenant.id, &read)
        .await
        .map_err(AppError::internal)?;
    let (who, school, read) = (user.clone(), tenant.id, Arc::new(read));
    let lesson = edit(&state, &tenant, "authoring_write", move |conn| {
        Box::pin(async move {
            store::may_edit(conn, &who, course).await?;
            let lesson =
                append_lesson(conn, school, course.0, Some(section), (&title, "scorm"), "").await?;
            scorm_store::attach(conn, school, lesson, &read, &stored).await?;
            Ok(lesson)
        })
    })
    .await?;
    Ok(see_other(format!(
        "/author/courses/{course}/lessons/{lesson}"
    )))
}
