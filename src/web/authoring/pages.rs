//! The authoring pages: course list, course editor (fields, cover, outline, publishing,
//! instructors), lesson editor (text, video, HLS ladder), and the admins' member roles page.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::staff::edit;
use super::staff::{Admin, Staff};
use crate::accounts::render_for;
use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::authoring::forms::{self, CourseInput, FieldErrors, LEVELS, LessonInput};
use crate::authoring::store::{self, LessonMedia};
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::ids::{CourseId, LessonId, SectionId, UserId};
use crate::media::hls;
use crate::media::key::MediaKey;
use crate::media::sniff::Family;
use crate::media::upload::{self, Stored, UploadForm};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::{check_origin, check_token};
use crate::web::host::School;

pub(crate) type Page = Result<HttpResponse, AppError>;
pub(crate) type SimpleForm = crate::input::Form<HashMap<String, String>>;

/// A staff member's state-changing request: same-origin, with their session's token.
pub(crate) fn checked(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
) -> Result<(), AppError> {
    check_origin(req, state)?;
    check_token(Some(&user.csrf), csrf)
}

/// [`checked`], with the token of a plain form's `csrf` field.
pub(crate) fn checked_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    form: &HashMap<String, String>,
) -> Result<(), AppError> {
    checked(
        req,
        state,
        user,
        form.get("csrf").map_or("", String::as_str),
    )
}

pub(crate) fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn render(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    template: &str,
    mut c: tera::Context,
    status: StatusCode,
) -> Page {
    c.insert("school", tenant);
    c.insert("csrf", &user.csrf);
    c.insert("me", &user.id);
    // Outside the primary region, uploads (often over the 1 MB a replay can carry) go straight
    // to it: `static/upload.js` sends these forms with `fly-prefer-region`.
    c.insert("prefer_region", &state.replay_to);
    c.insert("is_admin", &(user.role == Role::Admin));
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(render_for(
            &state.views,
            &Viewer(Some(user.clone())),
            template,
            &c,
        )?))
}

/// Checks, in a read on the primary, that `user` may edit `course` (before a body is read).
async fn allowed(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    course: CourseId,
) -> Result<(), AppError> {
    let user = user.clone();
    tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| Box::pin(async move { store::may_edit(conn, &user, course).await }),
    )
    .await
}

/// Reads an authoring upload form once `user` is known to be allowed to send it.
async fn upload_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    payload: web::Payload,
) -> Result<UploadForm, AppError> {
    check_origin(req, state)?;
    let form = upload::read_form(
        req.headers(),
        payload,
        &state.media.staging,
        &state.media.limits,
    )
    .await?;
    check_token(Some(&user.csrf), form.text("csrf"))?;
    Ok(form)
}

/// Stores the form's file `field` if one was sent.
async fn file(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    form: &mut UploadForm,
    field: &str,
    family: Family,
) -> Result<Option<Stored>, AppError> {
    let Some(staged) = form.files.remove(field) else {
        return Ok(None);
    };
    let pool = state.pools.primary();
    Ok(Some(match family {
        Family::Hls => Stored {
            key: hls::ingest(&state.media, pool, tenant.id, Some(user.id), staged).await?,
            info: Default::default(),
        },
        _ => upload::ingest(&state.media, pool, tenant.id, Some(user.id), staged, family).await?,
    }))
}

fn key_of(stored: Option<Stored>) -> Option<String> {
    stored.map(|s| s.key.as_str().to_owned())
}

async fn signed(
    state: &AppState,
    tenant: &Tenant,
    key: Option<&str>,
) -> Result<Option<String>, AppError> {
    match key
        .and_then(MediaKey::parse)
        .filter(|k| k.tenant == tenant.id)
    {
        Some(k) => Ok(Some(state.media.url(&k).await?)),
        None => Ok(None),
    }
}

pub async fn index(School(tenant): School, Staff(user): Staff, state: web::Data<AppState>) -> Page {
    let who = user.clone();
    let courses = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| Box::pin(async move { store::editable_courses(conn, &who, 200).await }),
    )
    .await?;
    let mut c = tera::Context::new();
    c.insert("courses", &courses);
    render(
        &state,
        &tenant,
        &user,
        "author_index.html",
        c,
        StatusCode::OK,
    )
}

/// The course form's context: the course (none for a new one), the values as typed (`None`: as
/// stored), and the errors to show beside them.
struct CourseView<'a> {
    course: Option<CourseId>,
    values: Option<HashMap<String, String>>,
    errors: &'a FieldErrors,
}

/// The course editor (or the new-course form); for an existing course, only for those who may
/// edit it.
async fn course_page(
    state: &AppState,
    tenant: &Arc<Tenant>,
    user: &CurrentUser,
    view: CourseView<'_>,
    status: StatusCode,
) -> Page {
    let (course, who) = (view.course, user.clone());
    let (categories, outline, instructors, record) = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| {
            Box::pin(async move {
                let cats = store::categories(conn).await?;
                let Some(id) = course else {
                    return Ok((cats, vec![], vec![], None));
                };
                store::may_edit(conn, &who, id).await?;
                Ok((
                    cats,
                    store::outline(conn, id).await?,
                    store::instructors(conn, id).await?,
                    Some((
                        store::course(conn, id).await?,
                        store::prerequisite_slugs(conn, id).await?,
                    )),
                ))
            })
        },
    )
    .await?;
    let values = match (view.values, &record) {
        (Some(typed), _) => typed,
        (None, Some((stored, requires))) => {
            let mut values = course_values(stored);
            values.insert("prerequisites".into(), requires.join(", "));
            values
        }
        (None, None) => {
            let mut blank = blank_values(COURSE_FIELDS);
            blank.insert("level".into(), "beginner".into());
            blank
        }
    };
    let mut c = tera::Context::new();
    c.insert("values", &values);
    c.insert("errors", &view.errors);
    c.insert("categories", &categories);
    c.insert("levels", LEVELS);
    c.insert("outline", &outline);
    #[derive(Serialize)]
    struct Instructor<'a> {
        member: &'a store::Member,
        owner: bool,
    }
    let instructors: Vec<_> = instructors
        .iter()
        .map(|(member, owner)| Instructor {
            member,
            owner: *owner,
        })
        .collect();
    let owns = instructors
        .iter()
        .any(|i| i.owner && i.member.id == user.id.0);
    c.insert("instructors", &instructors);
    c.insert("may_assign", &(user.role == Role::Admin || owns));
    if let Some((record, _)) = &record {
        c.insert("course", record);
        c.insert(
            "cover_url",
            &signed(state, tenant, record.cover_image_key.as_deref()).await?,
        );
    }
    render(state, tenant, user, "author_course.html", c, status)
}

fn course_values(record: &store::CourseRecord) -> HashMap<String, String> {
    [
        ("title", record.title.clone()),
        ("slug", record.slug.clone()),
        ("summary", record.summary.clone()),
        ("description", record.description.clone()),
        ("category", record.category.clone()),
        ("tags", record.tags.join(", ")),
        ("level", record.level.clone()),
        ("duration_minutes", record.duration_minutes.to_string()),
        (
            "enrollment_cap",
            record
                .enrollment_cap
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        (
            "enrollment_ends_at",
            record
                .enrollment_ends_at
                .map(forms::show_instant)
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

const COURSE_FIELDS: &[&str] = &[
    "title",
    "slug",
    "summary",
    "description",
    "category",
    "tags",
    "level",
    "duration_minutes",
    "enrollment_cap",
    "enrollment_ends_at",
    "prerequisites",
];
const LESSON_FIELDS: &[&str] = &[
    "title",
    "slug",
    "body",
    "gift",
    "pass_mark",
    "max_attempts",
    "free_preview",
    "optional",
    "shuffle",
];

/// The form's values as typed, every field present (the templates compare them).
fn typed_values(form: &UploadForm, fields: &[&str]) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = fields
        .iter()
        .map(|f| ((*f).to_owned(), form.text(f).to_owned()))
        .collect();
    if form.text("free_preview") == "on" {
        values.insert("free_preview".into(), "on".into());
    }
    values
}

fn blank_values(fields: &[&str]) -> HashMap<String, String> {
    fields
        .iter()
        .map(|f| ((*f).to_owned(), String::new()))
        .collect()
}

pub async fn new_course(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
) -> Page {
    let view = CourseView {
        course: None,
        values: None,
        errors: &FieldErrors::new(),
    };
    course_page(&state, &tenant, &user, view, StatusCode::OK).await
}

pub async fn edit_course(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Page {
    let view = CourseView {
        course: Some(id(&path)?),
        values: None,
        errors: &FieldErrors::new(),
    };
    course_page(&state, &tenant, &user, view, StatusCode::OK).await
}

/// Creates (`course` is `None`) or saves a course from its multipart form.
async fn save_course(
    req: HttpRequest,
    tenant: Arc<Tenant>,
    user: CurrentUser,
    state: &AppState,
    course: Option<CourseId>,
    payload: web::Payload,
) -> Page {
    if let Some(course) = course {
        allowed(state, &tenant, &user, course).await?;
    }
    let mut form = upload_form(&req, state, &user, payload).await?;
    let categories: Vec<String> =
        tenant_tx(state.pools.read(), tenant.id, "authoring_read", |conn| {
            Box::pin(async move { store::categories(conn).await })
        })
        .await?
        .into_iter()
        .map(|(slug, _)| slug)
        .collect();
    let input = match CourseInput::parse(&form, &categories) {
        Ok(input) => input,
        Err(errors) => {
            let view = CourseView {
                course,
                values: Some(typed_values(&form, COURSE_FIELDS)),
                errors: &errors,
            };
            return course_page(
                state,
                &tenant,
                &user,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let cover = file(state, &tenant, &user, &mut form, "cover", Family::Image).await?;
    let (who, tenant_id, saved) = (user.clone(), tenant.id, input.clone());
    let result = edit(state, &tenant, "authoring_write", move |conn| {
        Box::pin(async move {
            match course {
                Some(id) => {
                    store::may_edit(conn, &who, id).await?;
                    store::update_course(conn, id, &saved, cover.as_ref()).await?;
                    store::set_prerequisites(conn, tenant_id, id, &saved.prerequisites).await?;
                    Ok(id)
                }
                None => {
                    let id =
                        store::create_course(conn, tenant_id.0, who.id, &saved, cover.as_ref())
                            .await?;
                    store::set_prerequisites(conn, tenant_id, id, &saved.prerequisites).await?;
                    Ok(id)
                }
            }
        })
    })
    .await;
    match result {
        Ok(id) => Ok(see_other(format!("/author/courses/{id}"))),
        Err(e @ (AppError::Conflict(_) | AppError::Unprocessable(_))) => {
            let errors = match e {
                AppError::Conflict(field) if field == "slug" => FieldErrors::from([(
                    "slug",
                    "Another course already uses this slug.".to_owned(),
                )]),
                AppError::Unprocessable(message) => FieldErrors::from([("prerequisites", message)]),
                other => return Err(other),
            };
            let view = CourseView {
                course,
                values: Some(typed_values(&form, COURSE_FIELDS)),
                errors: &errors,
            };
            course_page(
                state,
                &tenant,
                &user,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn create_course(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Page {
    save_course(req, tenant, user, &state, None, payload).await
}

pub async fn update_course(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let course = id(&path)?;
    save_course(req, tenant, user, &state, Some(course), payload).await
}

/// A small urlencoded authoring form on `course`: who sent it is checked, then `work` runs
/// through the school's actor with the form; the browser goes back to the course editor.
async fn course_action<F>(
    req: HttpRequest,
    tenant: Arc<Tenant>,
    user: CurrentUser,
    state: &AppState,
    course: &str,
    form: HashMap<String, String>,
    work: F,
) -> Page
where
    F: for<'r> FnOnce(
            &'r mut crate::db::AsyncPgConnection,
            CourseId,
            &'r HashMap<String, String>,
        ) -> crate::db::door::TxWork<'r, ()>
        + Send
        + 'static,
{
    let course: CourseId = id(course)?;
    checked_form(&req, state, &user, &form)?;
    edit(state, &tenant, "authoring_write", move |conn| {
        Box::pin(async move {
            store::may_edit(conn, &user, course).await?;
            work(conn, course, &form).await
        })
    })
    .await?;
    Ok(see_other(format!("/author/courses/{course}")))
}

pub async fn publish(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    course_action(
        req,
        tenant,
        user,
        &state,
        &path,
        form.into_inner(),
        |conn, course, form| {
            let publish = form.get("publish").is_some_and(|v| v == "1");
            Box::pin(async move { store::set_published(conn, course, publish).await })
        },
    )
    .await
}

fn title_or_422(form: &HashMap<String, String>) -> Result<String, AppError> {
    forms::section_title(form).map_err(|e| {
        AppError::Unprocessable(format!(
            "Section title: {}",
            e.values().next().map_or("", String::as_str)
        ))
    })
}

pub async fn add_section(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    let title = title_or_422(&form)?;
    let tenant_id = tenant.id.0;
    course_action(
        req,
        tenant,
        user,
        &state,
        &path,
        form.into_inner(),
        move |conn, course, _| {
            Box::pin(async move {
                store::add_section(conn, tenant_id, course, &title)
                    .await
                    .map(drop)
            })
        },
    )
    .await
}

/// Rename, move up or down, or delete a section (`action`).
pub async fn arrange_section(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: SimpleForm,
) -> Page {
    let (course, section) = path.into_inner();
    let section: SectionId = id(&section)?;
    let action = form.get("action").cloned().unwrap_or_default();
    let saved = if action == "rename" {
        let schedule = forms::section_schedule(&*form).map_err(|e| {
            AppError::Unprocessable(format!(
                "Section opening: {}",
                e.values().next().map_or("", String::as_str)
            ))
        })?;
        Some((title_or_422(&form)?, schedule))
    } else {
        None
    };
    if !matches!(action.as_str(), "rename" | "up" | "down" | "delete") {
        return Err(AppError::bad_request("Unknown section action."));
    }
    course_action(
        req,
        tenant,
        user,
        &state,
        &course,
        form.into_inner(),
        move |conn, course, _| {
            Box::pin(async move {
                match (action.as_str(), saved) {
                    ("rename", Some((title, schedule))) => {
                        store::save_section(conn, course, section, &title, schedule).await
                    }
                    ("delete", _) => store::delete_section(conn, course, section).await,
                    (dir, _) => store::move_section(conn, course, section, dir == "up").await,
                }
            })
        },
    )
    .await
}

/// Move a lesson up or down, or delete it (`action`).
pub async fn arrange_lesson(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: SimpleForm,
) -> Page {
    let (course, lesson) = path.into_inner();
    let lesson: LessonId = id(&lesson)?;
    let action = form.get("action").cloned().unwrap_or_default();
    if !matches!(action.as_str(), "up" | "down" | "delete") {
        return Err(AppError::bad_request("Unknown lesson action."));
    }
    course_action(
        req,
        tenant,
        user,
        &state,
        &course,
        form.into_inner(),
        move |conn, course, _| {
            Box::pin(async move {
                match action.as_str() {
                    "delete" => store::delete_lesson(conn, course, lesson).await,
                    dir => store::move_lesson(conn, course, lesson, dir == "up").await,
                }
            })
        },
    )
    .await
}

/// Assign an instructor by email, or take one off (`action`); admins and the owner only.
pub async fn instructors(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    let (me, role) = (user.id, user.role);
    let tenant_id = tenant.id.0;
    course_action(
        req,
        tenant,
        user,
        &state,
        &path,
        form.into_inner(),
        move |conn, course, form| {
            Box::pin(async move {
                let owner = store::instructors(conn, course)
                    .await?
                    .iter()
                    .any(|(m, owner)| *owner && m.id == me.0);
                if role != Role::Admin && !owner {
                    return Err(AppError::Forbidden(
                        "Only admins and the course's owner assign instructors.".into(),
                    ));
                }
                match form.get("action").map(String::as_str) {
                    Some("assign") => {
                        let email = form
                            .get("email")
                            .map_or("", String::as_str)
                            .trim()
                            .to_lowercase();
                        store::assign(conn, tenant_id, course, &email).await
                    }
                    Some("remove") => {
                        let user: UserId = id(form.get("user").map_or("", String::as_str))?;
                        store::unassign(conn, course, user).await
                    }
                    _ => Err(AppError::bad_request("Unknown instructor action.")),
                }
            })
        },
    )
    .await
}

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
    let course = view.course;
    let record = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| Box::pin(async move { store::course(conn, course).await }),
    )
    .await?;
    let mut c = tera::Context::new();
    c.insert("course", &record);
    c.insert("section", &view.section.0);
    c.insert("lesson", &view.lesson);
    c.insert("values", &view.values);
    c.insert("errors", view.errors);
    c.insert("preview", &view.preview);
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
    let record = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                let record = store::lesson(conn, course, lesson).await?;
                Ok((
                    record,
                    crate::assessment::quizzes::load(conn, lesson.0).await?,
                ))
            })
        },
    )
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
    let current = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                match target {
                    Ok(lesson) => Ok(Some(store::lesson(conn, course, lesson).await?)),
                    Err(_) => Ok(None),
                }
            })
        },
    )
    .await?;
    let section = match (&current, target) {
        (Some(l), _) => SectionId(l.section_id),
        (None, Err(section)) => section,
        (None, Ok(_)) => return Err(AppError::NotFound),
    };
    let mut form = upload_form(&req, state, &user, payload).await?;
    let input = match LessonInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => {
            let view = LessonView {
                course,
                section,
                lesson: current.as_ref(),
                values: typed_values(&form, LESSON_FIELDS),
                errors: &errors,
                preview: None,
            };
            return lesson_page(
                state,
                &tenant,
                &user,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
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
            match target {
                Ok(lesson) => store::update_lesson(conn, tenant_id, course, lesson, &saved, &media)
                    .await
                    .map(|()| lesson),
                Err(section) => {
                    store::add_lesson(conn, tenant_id.0, course, section, &saved, &media).await
                }
            }
        })
    })
    .await;
    match result {
        Ok(lesson) => Ok(see_other(format!(
            "/author/courses/{course}/lessons/{lesson}"
        ))),
        Err(AppError::Conflict(field)) if field == "slug" => {
            let errors = FieldErrors::from([(
                "slug",
                "Another lesson of this course uses this slug.".to_owned(),
            )]);
            let view = LessonView {
                course,
                section,
                lesson: current.as_ref(),
                values: typed_values(&form, LESSON_FIELDS),
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

pub async fn members(
    School(tenant): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
) -> Page {
    let members = tenant_tx(state.pools.primary(), tenant.id, "authoring_read", |conn| {
        Box::pin(async move { store::members(conn).await })
    })
    .await?;
    let mut c = tera::Context::new();
    c.insert("members", &members);
    c.insert("roles", &["learner", "instructor", "admin"]);
    render(
        &state,
        &tenant,
        &user,
        "admin_members.html",
        c,
        StatusCode::OK,
    )
}

pub async fn set_role(
    req: HttpRequest,
    School(tenant): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let member: UserId = id(&path)?;
    let role = form
        .get("role")
        .and_then(|r| Role::parse(r))
        .ok_or_else(|| AppError::Unprocessable("Choose learner, instructor or admin.".into()))?;
    if member == user.id {
        return Err(AppError::Conflict(
            "You cannot change your own role; ask another admin.".into(),
        ));
    }
    tenant_tx(
        state.pools.primary(),
        tenant.id,
        "members_write",
        move |conn| Box::pin(async move { store::set_role(conn, member, role).await }),
    )
    .await?;
    Ok(see_other("/admin/members"))
}
