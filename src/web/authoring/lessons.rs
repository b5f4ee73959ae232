//! The lesson editor: text, video, an HLS ladder, a quiz.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};

use super::editor::{allowed, blank_values, file, key_of, signed, typed_values, upload_form};
use super::staff::{Staff, edit};
use crate::accounts::sessions::CurrentUser;
use crate::authoring::forms::{FieldErrors, LessonInput};
use crate::authoring::store::{self, LessonMedia};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, LessonId, SectionId};
use crate::media::sniff::Family;
use crate::media::upload::UploadForm;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::forms::{Page, id, render, worded};
use crate::web::host::School;

const LESSON_FIELDS: &[&str] = &[
    "title",
    "slug",
    "body",
    "transcript",
    "gift",
    "pass_mark",
    "max_attempts",
    "free_preview",
    "optional",
    "shuffle",
];

struct LessonView<'a> {
    course: CourseId,
    section: SectionId,
    lesson: Option<&'a store::LessonRecord>,
    values: HashMap<String, String>,
    errors: &'a FieldErrors,
    /// Parsed questions to preview (the editor's "Preview" button).
    preview: Option<&'a [crate::assessment::gift::Question]>,
}

async fn lesson_page(
    state: &AppState,
    tenant: &Arc<Tenant>,
    user: &CurrentUser,
    view: LessonView<'_>,
    status: StatusCode,
) -> Page {
    let (course, lesson, tenant_id) = (view.course, view.lesson.map(|l| LessonId(l.id)), tenant.id);
    let (record, captions) = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move {
                let captions = match lesson {
                    Some(lesson) => store::captions(conn, tenant_id, lesson).await?,
                    None => Vec::new(),
                };
                Ok((store::course(conn, course).await?, captions))
            })
        })
        .await?;
    let captions: Vec<String> = captions.into_iter().map(|(language, _)| language).collect();
    let mut c = tera::Context::new();
    c.insert("course", &record);
    c.insert("section", &view.section.0);
    c.insert("lesson", &view.lesson);
    c.insert("values", &view.values);
    c.insert("errors", &worded(view.errors, user.locale));
    c.insert("preview", &view.preview);
    c.insert("captions", &captions);
    c.insert("languages", &crate::i18n::course_languages());
    let video = view.lesson.and_then(|l| l.video_key.as_deref());
    c.insert("video_url", &signed(state, tenant, video).await?);
    c.insert("has_hls", &view.lesson.is_some_and(|l| l.hls_key.is_some()));
    render(state, tenant, user, "author_lesson.html", c, status)
}

fn lesson_values(
    l: &store::LessonRecord,
    quiz: Option<&crate::assessment::quizzes::Quiz>,
) -> HashMap<String, String> {
    let settings = quiz.map(|q| q.settings.clone()).unwrap_or_default();
    let mut v = HashMap::from([
        ("title".to_owned(), l.title.clone()),
        ("slug".to_owned(), l.slug.clone()),
        ("body".to_owned(), l.body.clone()),
        ("transcript".to_owned(), l.transcript.clone()),
        (
            "gift".to_owned(),
            quiz.map(|q| q.gift.clone()).unwrap_or_default(),
        ),
        ("pass_mark".to_owned(), settings.pass_mark.to_string()),
        (
            "max_attempts".to_owned(),
            settings
                .max_attempts
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
    ]);
    for (name, on) in [
        ("free_preview", l.free_preview),
        ("optional", l.optional),
        ("shuffle", settings.shuffle),
    ] {
        if on {
            v.insert(name.into(), "on".into());
        }
    }
    v
}

/// A new lesson's form: empty, with a quiz's defaults ready.
fn new_lesson_values() -> HashMap<String, String> {
    let mut v = blank_values(LESSON_FIELDS);
    v.insert("pass_mark".into(), "70".into());
    v.insert("shuffle".into(), "on".into());
    v.remove("free_preview");
    v.remove("optional");
    v
}

pub async fn new_lesson(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Page {
    let (course, section) = path.into_inner();
    let (course, section): (CourseId, SectionId) = (id(&course)?, id(&section)?);
    allowed(&state, &tenant, &user, course).await?;
    let view = LessonView {
        course,
        section,
        lesson: None,
        values: new_lesson_values(),
        errors: &FieldErrors::new(),
        preview: None,
    };
    lesson_page(&state, &tenant, &user, view, StatusCode::OK).await
}

pub async fn edit_lesson(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Page {
    let (course, lesson) = path.into_inner();
    let (course, lesson): (CourseId, LessonId) = (id(&course)?, id(&lesson)?);
    let who = user.clone();
    let record = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                let record = store::lesson(conn, course, lesson).await?;
                Ok((
                    record,
                    crate::assessment::quizzes::load(conn, lesson.0).await?,
                ))
            })
        })
        .await?;
    let (record, quiz) = record;
    let view = LessonView {
        course,
        section: SectionId(record.section_id),
        lesson: Some(&record),
        values: lesson_values(&record, quiz.as_ref()),
        errors: &FieldErrors::new(),
        preview: None,
    };
    lesson_page(&state, &tenant, &user, view, StatusCode::OK).await
}

/// Adds a lesson to `section` (when `lesson` is `None`) or saves one, from its multipart form.
async fn save_lesson(
    req: HttpRequest,
    tenant: Arc<Tenant>,
    user: CurrentUser,
    state: &AppState,
    course: CourseId,
    target: Result<LessonId, SectionId>,
    payload: web::Payload,
) -> Page {
    let who = user.clone();
    let current = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                match target {
                    Ok(lesson) => Ok(Some(store::lesson(conn, course, lesson).await?)),
                    Err(_) => Ok(None),
                }
            })
        })
        .await?;
    let section = match (&current, target) {
        (Some(l), _) => SectionId(l.section_id),
        (None, Err(section)) => section,
        (None, Ok(_)) => return Err(AppError::NotFound),
    };
    let mut form = upload_form(&req, state, &user, payload).await?;
    // The form again, its values kept and `errors` by their fields.
    let refused = async |form: &UploadForm, errors: FieldErrors| {
        let view = LessonView {
            course,
            section,
            lesson: current.as_ref(),
            values: typed_values(form, LESSON_FIELDS),
            errors: &errors,
            preview: None,
        };
        lesson_page(
            state,
            &tenant,
            &user,
            view,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    };
    let input = match LessonInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return refused(&form, errors).await,
    };
    if form.text("preview") == "1" {
        // Shown, not saved: the questions as parsed, with their answers, for the author.
        let view = LessonView {
            course,
            section,
            lesson: current.as_ref(),
            values: typed_values(&form, LESSON_FIELDS),
            errors: &FieldErrors::new(),
            preview: Some(input.quiz.as_ref().map_or(&[], |q| &q.questions)),
        };
        return lesson_page(state, &tenant, &user, view, StatusCode::OK).await;
    }
    // Captions: a checked WebVTT file and its language, stored before the lesson is written.
    let captions = match form.texts.remove("captions") {
        None => None,
        Some(bytes) => {
            let language = form.text("captions_lang").trim().to_owned();
            let checked = if crate::i18n::is_language_tag(&language) {
                crate::media::captions::check(&bytes).map_err(|m| ("captions", m))
            } else {
                Err(("captions_lang", Msg::new("error-captions-language")))
            };
            match checked {
                Ok(vtt) => {
                    let stored = crate::media::captions::store(
                        &state.media,
                        state.pools(tenant.id)?.primary(),
                        tenant.id,
                        Some(user.id),
                        &vtt,
                    )
                    .await?;
                    Some((language, stored))
                }
                Err((field, message)) => {
                    return refused(&form, FieldErrors::from([(field, message)])).await;
                }
            }
        }
    };
    let removed: Vec<String> = form
        .fields
        .iter()
        .filter(|(k, v)| k.starts_with("remove-captions-") && v.as_str() == "on")
        .map(|(k, _)| k["remove-captions-".len()..].to_owned())
        .collect();
    let video = file(state, &tenant, &user, &mut form, "video", Family::Video).await?;
    let media = LessonMedia {
        duration_seconds: video.as_ref().and_then(|v| v.info.duration_seconds),
        video: key_of(video),
        hls: key_of(file(state, &tenant, &user, &mut form, "hls", Family::Hls).await?),
        remove: form.text("remove_video") == "on",
    };
    let (who, tenant_id, saved) = (user.clone(), tenant.id, input.clone());
    let result = edit(state, &tenant, "authoring_write", move |conn| {
        Box::pin(async move {
            store::may_edit(conn, &who, course).await?;
            let lesson = match target {
                Ok(lesson) => store::update_lesson(conn, tenant_id, course, lesson, &saved, &media)
                    .await
                    .map(|()| lesson),
                Err(section) => {
                    store::add_lesson(conn, tenant_id.0, course, section, &saved, &media).await
                }
            }?;
            store::remove_captions(conn, tenant_id, lesson, &removed).await?;
            if let Some((language, stored)) = &captions {
                store::set_captions(conn, tenant_id, lesson, language, stored).await?;
            }
            Ok(lesson)
        })
    })
    .await;
    match result {
        Ok(lesson) => Ok(see_other(format!(
            "/author/courses/{course}/lessons/{lesson}"
        ))),
        Err(AppError::Conflict(m)) if m.id() == "error-slug-taken" => {
            refused(
                &form,
                FieldErrors::from([("slug", Msg::new("field-lesson-slug-taken"))]),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn create_lesson(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Page {
    let (course, section) = path.into_inner();
    let (course, section) = (id(&course)?, id(&section)?);
    save_lesson(req, tenant, user, &state, course, Err(section), payload).await
}

pub async fn update_lesson(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Page {
    let (course, lesson) = path.into_inner();
    let (course, lesson) = (id(&course)?, id(&lesson)?);
    save_lesson(req, tenant, user, &state, course, Ok(lesson), payload).await
}
