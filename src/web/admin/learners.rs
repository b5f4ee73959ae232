//! `/admin/learners`: the school's accounts with search and keyset pagination; each learner's
//! enrollments and progress; suspension, removal from a course, their data export and erasure.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::members as store;
use crate::audit::{self, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, UserId};
use crate::keyset::Cursor;
use crate::learning::EnrolledCourse;
use crate::redirect::see_other;
use crate::state::{AppState, OnReplica};
use crate::web::accounts::personal;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked, checked_form, id, render};
use crate::web::host::{School, audited_by};

/// Accounts per page.
const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    after: String,
}

/// `GET /admin/learners`.
pub async fn list(
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Page {
    let q = query.q.trim().to_owned();
    if q.chars().count() > 100 {
        return Err(AppError::bad_request(Msg::new(
            "error-search-for-at-most-100",
        )));
    }
    let after = match query.after.as_str() {
        "" => None,
        raw => Some(
            Cursor::parse(raw)
                .ok_or_else(|| AppError::bad_request(Msg::new("error-that-page-does-not-exist")))?,
        ),
    };
    let tenant = school.id;
    let search = q.clone();
    let mut people = state
        .school_tx(OnReplica(tenant), "people", move |conn| {
            Box::pin(async move { store::people(conn, tenant, &search, after, PAGE + 1).await })
        })
        .await?;
    let next = (people.len() as i64 > PAGE).then(|| {
        people.truncate(PAGE as usize);
        people
            .last()
            .map(|p| Cursor(p.created_at, p.id).encode())
            .unwrap_or_default()
    });
    let mut c = tera::Context::new();
    c.insert("people", &people);
    c.insert("q", &q);
    c.insert("next", &next);
    render(
        &state,
        &school,
        &user,
        "admin_learners.html",
        c,
        StatusCode::OK,
    )
}

#[derive(Serialize)]
struct CourseProgress<'a> {
    id: uuid::Uuid,
    slug: &'a str,
    title: &'a str,
    done: usize,
    total: usize,
    percent: usize,
}

/// `GET /admin/learners/{id}`: who, and how far in each course.
pub async fn show(
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Page {
    let learner: UserId = id(&path)?;
    let tenant = school.id;
    let (person, learning) = state
        .school_tx(tenant, "people", move |conn| {
            Box::pin(async move {
                let Some(person) = store::person(conn, tenant, learner).await? else {
                    return Err(AppError::NotFound);
                };
                let learning = crate::learning::store::learner_state(conn, learner).await?;
                Ok((person, learning))
            })
        })
        .await?;
    let courses: Vec<CourseProgress> = learning
        .courses
        .iter()
        .map(|c: &EnrolledCourse| CourseProgress {
            id: c.id,
            slug: &c.slug,
            title: &c.title,
            done: c.done(),
            total: c.lessons.len(),
            percent: c.percent(),
        })
        .collect();
    let mut c = tera::Context::new();
    c.insert("person", &person);
    c.insert("courses", &courses);
    render(
        &state,
        &school,
        &user,
        "admin_learner.html",
        c,
        StatusCode::OK,
    )
}

/// `POST /admin/learners/{id}/suspend` (`suspend` = 1) or reinstate (`suspend` = 0).
pub async fn suspend(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let learner: UserId = id(&path)?;
    if learner == user.id {
        return Err(AppError::Conflict(Msg::new(
            "error-you-cannot-suspend-yourself",
        )));
    }
    let suspend = match form.get("suspend").map(String::as_str) {
        Some("1") => true,
        Some("0") => false,
        _ => {
            return Err(AppError::Unprocessable(Msg::new(
                "error-choose-suspend-or-reinstate",
            )));
        }
    };
    let tenant = school.id;
    let by = audited_by(&req, &state, &user);
    let found = state
        .school_tx(tenant, "people_write", move |conn| {
            Box::pin(async move {
                let found = store::set_suspended(conn, tenant, learner, suspend).await?;
                if found {
                    let action = if suspend {
                        "learner.suspended"
                    } else {
                        "learner.reinstated"
                    };
                    let change = Change::new(action, format!("user:{learner}"));
                    audit::record(conn, tenant, &by, change).await?;
                }
                Ok(found)
            })
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    state.sessions.forget_user(learner);
    Ok(see_other(format!("/admin/learners/{learner}")))
}

/// `POST /admin/learners/{id}/courses/{course}/remove`.
pub async fn remove(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let (learner, course) = path.into_inner();
    let (learner, course): (UserId, CourseId) = (id(&learner)?, id(&course)?);
    let tenant = school.id;
    let by = audited_by(&req, &state, &user);
    let removed = state
        .school_tx(tenant, "people_write", move |conn| {
            Box::pin(async move {
                let removed = store::remove_enrollment(conn, tenant, learner, course).await?;
                if removed {
                    let change = Change::new("learner.removed", format!("user:{learner}"))
                        .after(json!({ "course": course }));
                    audit::record(conn, tenant, &by, change).await?;
                }
                Ok(removed)
            })
        })
        .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!("/admin/learners/{learner}")))
}

/// `GET /admin/learners/{id}/export`: the learner's data, as they would download it.
pub async fn export(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let learner: UserId = id(&path)?;
    let letterhead = school.clone();
    let by = audited_by(&req, &state, &user);
    let data = state
        .school_tx(school.id, "personal_export", move |conn| {
            Box::pin(async move {
                let data = personal::export(conn, &letterhead, learner).await?;
                if data.is_some() {
                    let change = Change::new("learner.exported", format!("user:{learner}"));
                    audit::record(conn, letterhead.id, &by, change).await?;
                }
                Ok(data)
            })
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(personal::attachment(&school, &data))
}

/// `POST /admin/learners/{id}/delete`: erases the account; the admin re-enters their own
/// password.
pub async fn erase(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: crate::input::Form<personal::DeleteForm>,
) -> Page {
    checked(&req, &state, &user, &form.csrf)?;
    let learner: UserId = id(&path)?;
    if learner == user.id {
        return Err(AppError::Conflict(Msg::new(
            "error-delete-your-own-account-from",
        )));
    }
    if !personal::password_matches(&state, school.id, user.id, form.password.clone()).await? {
        return Err(AppError::Forbidden(Msg::new(
            "error-that-is-not-your-password",
        )));
    }
    let by = audited_by(&req, &state, &user);
    if !personal::erase_now(&state, school.id, learner, Some(by)).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/learners"))
}
