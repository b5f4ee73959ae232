//! What a school's own systems do through the API with a token (see `client`): people created
//! or updated by address, enrollments made and ended, lessons marked complete, and feeds of what
//! changed since a mark.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::client::ApiClient;
use crate::accounts::members::{self, Person};
use crate::accounts::sessions::Role;
use crate::accounts::users::{self, Upserted};
use crate::actors::learners::{Enroll, Unenroll};
use crate::api_tokens::Scope;
use crate::audit::{self, Change};
use crate::email::parse_email;
use crate::error::{ApiError, AppError};
use crate::feeds;
use crate::gradebook::{self, Pick};
use crate::i18n::Msg;
use crate::ids::UserId;
use crate::keyset::{Cursor, Mark};
use crate::learning::store::{self as learning, EnrollOutcome};
use crate::slug::is_slug;
use crate::state::{AppState, OnReplica};

/// Items per page unless `limit` asks for fewer or more (up to 500).
const DEFAULT_LIMIT: i64 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageQuery {
    after: Option<String>,
    limit: Option<i64>,
    q: Option<String>,
}

impl PageQuery {
    fn limit(&self) -> Result<i64, AppError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n @ 1..=500) => Ok(n),
            Some(_) => Err(AppError::bad_request(Msg::new(
                "error-limit-is-between-1-and",
            ))),
        }
    }

    fn mark(&self) -> Result<Option<Mark>, AppError> {
        self.after
            .as_deref()
            .map(|raw| Mark::parse(raw).ok_or_else(bad_cursor))
            .transpose()
    }
}

fn bad_cursor() -> AppError {
    AppError::bad_request(Msg::new("error-after-is-not-a-mark"))
}

fn query(req: &HttpRequest) -> Result<PageQuery, AppError> {
    web::Query::<PageQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| AppError::bad_request(Msg::new("error-query").text("reason", e.to_string())))
}

/// A page of `items` and the mark to ask for the next (`null` at the end).
fn page<T: serde::Serialize>(
    mut items: Vec<T>,
    limit: i64,
    mark: impl Fn(&T) -> String,
) -> HttpResponse {
    let next = (items.len() as i64 > limit).then(|| {
        items.truncate(limit as usize);
        items.last().map(&mark).unwrap_or_default()
    });
    HttpResponse::Ok().json(json!({ "items": items, "next": next }))
}

/// `GET /api/v1/users` (users:read): the school's accounts, newest first; `q` searches name and
/// address.
pub async fn users_list(
    client: ApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::UsersRead)?;
    let query = query(&req)?;
    let limit = query.limit()?;
    let after = query
        .after
        .as_deref()
        .map(|raw| Cursor::parse(raw).ok_or_else(bad_cursor))
        .transpose()?;
    let q = query.q.clone().unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(AppError::bad_request(Msg::new("error-q-is-at-most-100")).into());
    }
    let tenant = client.school.id;
    let people = state
        .school_tx(OnReplica(tenant), "api_users", move |conn| {
            Box::pin(async move { members::people(conn, tenant, &q, after, limit + 1).await })
        })
        .await?;
    Ok(page(people, limit, |p: &Person| {
        Cursor(p.created_at, p.id).encode()
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    email: String,
    name: String,
    role: String,
}

/// `POST /api/v1/users` (users:write): creates the account, or updates its name and role; the
/// same body twice leaves one account. 201 when created, 200 otherwise.
pub async fn users_upsert(
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Json<UserBody>,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::UsersWrite)?;
    let email = parse_email(&body.email)
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-email-is-not-an-email")))?;
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 || !crate::input::is_storable(&name) {
        return Err(AppError::Unprocessable(Msg::new("error-name-is-1-to-100")).into());
    }
    let role = Role::parse(&body.role)
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-role-is-learner-instructor-or")))?;
    let tenant = client.school.id;
    let by = client.by().clone();
    let (mail, who) = (email.clone(), name.clone());
    let done = state
        .school_tx(tenant, "api_users", move |conn| {
            Box::pin(async move {
                let done = users::upsert(conn, tenant, &mail, &who, role).await?;
                let change = match &done {
                    Upserted::Created(id) => Some(
                        Change::new("member.created", format!("user:{id}"))
                            .after(json!({ "role": role.as_str() })),
                    ),
                    Upserted::Existing {
                        id, role: before, ..
                    } if before != role.as_str() => Some(
                        Change::new("member.role", format!("user:{id}"))
                            .before(json!({ "role": before }))
                            .after(json!({ "role": role.as_str() })),
                    ),
                    Upserted::Existing { .. } => None,
                };
                if let Some(change) = change {
                    audit::record(conn, tenant, &by, change).await?;
                }
                Ok(done)
            })
        })
        .await?;
    let (id, mut answer) = match done {
        Upserted::Created(id) => (id, HttpResponse::Created()),
        Upserted::Existing { id, .. } => {
            state.sessions.forget_user(id);
            (id, HttpResponse::Ok())
        }
    };
    Ok(answer.json(json!({ "id": id, "email": email, "name": name, "role": role.as_str() })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    email: String,
    course: String,
}

/// The account with `email` at the client's school, or a 404 saying so.
async fn account(
    state: &AppState,
    client: &ApiClient,
    email: &str,
) -> Result<(UserId, String, Option<String>), AppError> {
    let email = parse_email(email)
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-email-is-not-an-email")))?;
    let tenant = client.school.id;
    state
        .school_tx(tenant, "api_account", move |conn| {
            Box::pin(async move { users::by_email(conn, tenant, &email).await })
        })
        .await?
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-no-account-has-this-email")))
}

fn course_slug(course: &str) -> Result<(), AppError> {
    if is_slug(course, 120) {
        Ok(())
    } else {
        Err(AppError::Unprocessable(Msg::new(
            "error-course-is-not-a-course",
        )))
    }
}

/// `POST /api/v1/enrollments` (enrollments:write): enrolls an account in a published course, as
/// the learner would (full, closed and prerequisite rules hold). 201 when enrolled, 200 when it
/// already was.
pub async fn enroll(
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Json<EnrollBody>,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::EnrollmentsWrite)?;
    course_slug(&body.course)?;
    let (user, name, locale) = account(&state, &client, &body.email).await?;
    let email = parse_email(&body.email).unwrap_or_default();
    let notice = crate::learning::notices::EnrollNotice {
        composer: state.mail.clone(),
        school: client.school.clone(),
        name,
        email: email.clone(),
        locale: client.school.locale_for(locale.as_deref()),
    };
    let outcome = state
        .registry
        .ask(
            &client.school,
            Enroll {
                user,
                course: body.course.clone(),
                notice: Some(notice),
            },
        )
        .await??
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-no-published-course-has-this")))?;
    let enrolled = json!({ "user_id": user, "email": email, "course": body.course });
    match outcome {
        EnrollOutcome::Enrolled => Ok(HttpResponse::Created().json(enrolled)),
        EnrollOutcome::AlreadyEnrolled => Ok(HttpResponse::Ok().json(enrolled)),
        EnrollOutcome::Full => {
            Err(AppError::Conflict(Msg::new("error-this-course-is-full")).into())
        }
        EnrollOutcome::Closed => {
            Err(AppError::Conflict(Msg::new("error-enrollment-in-this-course-has")).into())
        }
        EnrollOutcome::Requires(titles) => Err(AppError::Conflict(
            Msg::new("error-learner-must-complete").text("courses", titles.join(", ")),
        )
        .into()),
    }
}

/// `DELETE /api/v1/users/{user}/enrollments/{course}` (enrollments:write): 204, or 404 when
/// there was no such enrollment.
pub async fn unenroll(
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::EnrollmentsWrite)?;
    let (user, course) = path.into_inner();
    let user: UserId = user.parse().map_err(|_| AppError::NotFound)?;
    if !is_slug(&course, 120) {
        return Err(AppError::NotFound.into());
    }
    let tenant = client.school.id;
    let slug = course.clone();
    let enrolled = state
        .school_tx(tenant, "api_account", move |conn| {
            Box::pin(async move { learning::is_enrolled(conn, tenant, user, &slug).await })
        })
        .await?;
    if !enrolled {
        return Err(AppError::NotFound.into());
    }
    state
        .registry
        .ask(&client.school, Unenroll { user, course })
        .await??;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionBody {
    email: String,
    course: String,
    lesson: String,
}

/// `POST /api/v1/completions` (enrollments:write): marks a lesson complete for an enrolled
/// learner (drip dates do not hold back a school's own record; a quiz is completed by passing
/// it). Answers the certificate the completion issued, if any.
pub async fn complete(
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Json<CompletionBody>,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::EnrollmentsWrite)?;
    course_slug(&body.course)?;
    if !is_slug(&body.lesson, 120) {
        return Err(AppError::Unprocessable(Msg::new("error-lesson-is-not-a-lesson")).into());
    }
    let (user, ..) = account(&state, &client, &body.email).await?;
    let tenant = client.school.id;
    let (course, lesson) = (body.course.clone(), body.lesson.clone());
    let (course_id, lesson_id) = state
        .school_tx(tenant, "api_complete", move |conn| {
            Box::pin(async move {
                let (course_id, lesson_id, kind) =
                    learning::lesson_of(conn, tenant, &course, &lesson)
                        .await?
                        .ok_or_else(|| {
                            AppError::Unprocessable(Msg::new("error-no-such-lesson-in-a"))
                        })?;
                if kind == "quiz" {
                    return Err(AppError::Conflict(Msg::new(
                        "error-a-quiz-is-complete-when",
                    )));
                }
                if !learning::is_enrolled(conn, tenant, user, &course).await? {
                    return Err(AppError::Conflict(Msg::new(
                        "error-the-learner-is-not-enrolled",
                    )));
                }
                Ok((course_id, lesson_id))
            })
        })
        .await?;
    let certificate = crate::web::learning::completion::complete(
        &state,
        &client.school,
        user,
        (course_id, lesson_id),
    )
    .await?;
    Ok(HttpResponse::Created().json(json!({
        "user_id": user,
        "course": body.course,
        "lesson": body.lesson,
        "certificate": certificate,
    })))
}

/// `GET /api/v1/progress` (progress:read): progress rows changed since `after`, oldest first.
pub async fn progress(
    client: ApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::ProgressRead)?;
    let query = query(&req)?;
    let (limit, after) = (query.limit()?, query.mark()?);
    let tenant = client.school.id;
    let rows = state
        .school_tx(tenant, "api_feed", move |conn| {
            Box::pin(async move { feeds::progress(conn, tenant, after, limit + 1).await })
        })
        .await?;
    Ok(page(rows, limit, |r| r.mark().encode()))
}

/// `GET /api/v1/certificates` (certificates:read): certificates issued, revoked or restored
/// since `after`, oldest first.
pub async fn certificates(
    client: ApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::CertificatesRead)?;
    let query = query(&req)?;
    let (limit, after) = (query.limit()?, query.mark()?);
    let tenant = client.school.id;
    let rows = state
        .school_tx(tenant, "api_feed", move |conn| {
            Box::pin(async move { feeds::certificates(conn, tenant, after, limit + 1).await })
        })
        .await?;
    Ok(page(rows, limit, |r| r.mark().encode()))
}

/// `GET /api/v1/enrollments` (enrollments:read): enrollments made since `after`, oldest first.
pub async fn enrollments(
    client: ApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::EnrollmentsRead)?;
    let query = query(&req)?;
    let (limit, after) = (query.limit()?, query.mark()?);
    let tenant = client.school.id;
    let rows = state
        .school_tx(tenant, "api_feed", move |conn| {
            Box::pin(async move { feeds::enrollments(conn, tenant, after, limit + 1).await })
        })
        .await?;
    Ok(page(rows, limit, |r| r.mark().encode()))
}

/// `GET /api/v1/courses/{slug}/grades` (grades:read): the course's gradebook, a page of learners
/// (in the order they enrolled) against its graded items.
pub async fn grades(
    client: ApiClient,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    client.needs(Scope::GradesRead)?;
    let query = query(&req)?;
    let limit = query.limit()?;
    let after = query
        .after
        .as_deref()
        .map(|raw| Cursor::parse(raw).ok_or_else(bad_cursor))
        .transpose()?;
    let slug = path.into_inner();
    if !is_slug(&slug, 120) {
        return Err(AppError::NotFound.into());
    }
    let tenant = client.school.id;
    let (items, mut rows) = state
        .school_tx(tenant, "gradebook", move |conn| {
            Box::pin(async move {
                let course = crate::authoring::store::course_by_slug(conn, tenant, &slug)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let items = gradebook::items(conn, tenant, course).await?;
                let rows =
                    gradebook::rows(conn, tenant, course, &items, Pick::Page(after, limit + 1))
                        .await?;
                Ok((items, rows))
            })
        })
        .await?;
    let next = (rows.len() as i64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.cursor().encode())
    });
    Ok(HttpResponse::Ok().json(json!({ "items": items, "rows": rows, "next": next.flatten() })))
}
