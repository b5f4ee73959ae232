//! The course list and the course editor: fields, cover, outline, publishing, instructors.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde::Serialize;
use serde_json::json;

use super::editor::{allowed, blank_values, file, signed, typed_values, upload_form};
use super::staff::{Staff, edit};
use crate::accounts::sessions::{CurrentUser, Role};
use crate::audit::{self, Change};
use crate::authoring::forms::{self, CourseInput, FieldErrors, LEVELS};
use crate::authoring::store;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, LessonId, SectionId, TenantId, UserId};
use crate::media::sniff::Family;
use crate::redirect::see_other;
use crate::state::{AppState, OnReplica};
use crate::tenancy::Tenant;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render, worded};
use crate::web::host::{School, audited_by};

pub async fn index(School(tenant): School, Staff(user): Staff, state: web::Data<AppState>) -> Page {
    let who = user.clone();
    let courses = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move { store::editable_courses(conn, &who, 200).await })
        })
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
    let school = tenant.id;
    let (categories, outline, instructors, record, lti_tools) = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move {
                let cats = store::categories(conn).await?;
                let Some(id) = course else {
                    return Ok((cats, vec![], vec![], None, vec![]));
                };
                store::may_edit(conn, &who, id).await?;
                // The tools an instructor may choose content from (Deep Linking).
                let tools = crate::lti::tools::list(conn, school)
                    .await?
                    .into_iter()
                    .filter(|t| t.deep_linking_url.is_some())
                    .collect::<Vec<_>>();
                Ok((
                    cats,
                    store::outline(conn, id).await?,
                    store::instructors(conn, id).await?,
                    Some((
                        store::course(conn, id).await?,
                        store::prerequisite_slugs(conn, id).await?,
                    )),
                    tools,
                ))
            })
        })
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
            // A new course is written in the school's language until its author says otherwise.
            blank.insert("language".into(), tenant.locale.tag().into());
            blank
        }
    };
    let mut c = tera::Context::new();
    c.insert("values", &values);
    c.insert("errors", &worded(view.errors, user.locale));
    c.insert("categories", &categories);
    c.insert("levels", LEVELS);
    c.insert("languages", &crate::i18n::course_languages());
    c.insert("outline", &outline);
    c.insert("lti_tools", &lti_tools);
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
        ("language", record.language.clone()),
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
    "language",
    "enrollment_cap",
    "enrollment_ends_at",
    "prerequisites",
];

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
    let (categories, language) = state
        .school_tx(OnReplica(tenant.id), "authoring_read", move |conn| {
            Box::pin(async move {
                let language = match course {
                    Some(course) => Some(store::course(conn, course).await?.language),
                    None => None,
                };
                Ok((store::categories(conn).await?, language))
            })
        })
        .await?;
    let categories: Vec<String> = categories.into_iter().map(|(slug, _)| slug).collect();
    let language = language.unwrap_or_else(|| tenant.locale.tag().to_owned());
    let input = match CourseInput::parse(&form, &categories, &language) {
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
                AppError::Conflict(m) if m.id() == "error-slug-taken" => {
                    FieldErrors::from([("slug", Msg::new("field-course-slug-taken"))])
                }
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
    let by = audited_by(&req, &state, &user);
    let school = tenant.id;
    course_action(
        req,
        tenant,
        user,
        &state,
        &path,
        form.into_inner(),
        move |conn, course, form| {
            let publish = form.get("publish").is_some_and(|v| v == "1");
            Box::pin(async move {
                store::set_published(conn, course, publish).await?;
                let action = if publish {
                    "course.published"
                } else {
                    "course.unpublished"
                };
                let change = Change::new(action, format!("course:{course}"));
                audit::record(conn, school, &by, change).await
            })
        },
    )
    .await
}

fn title_or_422(form: &HashMap<String, String>) -> Result<String, AppError> {
    forms::section_title(form).map_err(|e| {
        AppError::Unprocessable(e.into_values().next().unwrap_or(Msg::new("field-required")))
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
            AppError::Unprocessable(e.into_values().next().unwrap_or(Msg::new("field-days")))
        })?;
        Some((title_or_422(&form)?, schedule))
    } else {
        None
    };
    if !matches!(action.as_str(), "rename" | "up" | "down" | "delete") {
        return Err(AppError::bad_request(Msg::new(
            "error-unknown-section-action",
        )));
    }
    let (by, school) = (audited_by(&req, &state, &user), tenant.id);
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
                    ("delete", _) => {
                        store::delete_section(conn, course, section).await?;
                        let change =
                            Change::new("course.section_deleted", format!("course:{course}"))
                                .before(json!({ "section": section }));
                        audit::record(conn, school, &by, change).await
                    }
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
        return Err(AppError::bad_request(Msg::new(
            "error-unknown-lesson-action",
        )));
    }
    let (by, school) = (audited_by(&req, &state, &user), tenant.id);
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
                    "delete" => {
                        store::delete_lesson(conn, course, lesson).await?;
                        let change =
                            Change::new("course.lesson_deleted", format!("course:{course}"))
                                .before(json!({ "lesson": lesson }));
                        audit::record(conn, school, &by, change).await
                    }
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
    let by = audited_by(&req, &state, &user);
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
                    return Err(AppError::Forbidden(Msg::new(
                        "error-only-admins-and-the-course",
                    )));
                }
                let change = match form.get("action").map(String::as_str) {
                    Some("assign") => {
                        let email = form
                            .get("email")
                            .map_or("", String::as_str)
                            .trim()
                            .to_lowercase();
                        store::assign(conn, tenant_id, course, &email).await?;
                        Change::new("course.instructor_assigned", format!("course:{course}"))
                            .after(json!({ "email": email }))
                    }
                    Some("remove") => {
                        let user: UserId = id(form.get("user").map_or("", String::as_str))?;
                        store::unassign(conn, course, user).await?;
                        Change::new("course.instructor_removed", format!("course:{course}"))
                            .before(json!({ "user": user }))
                    }
                    _ => {
                        return Err(AppError::bad_request(Msg::new(
                            "error-unknown-instructor-action",
                        )));
                    }
                };
                audit::record(conn, TenantId(tenant_id), &by, change).await
            })
        },
    )
    .await
}
