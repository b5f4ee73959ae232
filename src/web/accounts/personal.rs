//! A person's data: everything the school holds about them, as JSON; and erasure, which
//! removes every trace of who they were but keeps an anonymous row so the enrollment counts a
//! course needs (its cap) stay true. Both for the person themselves and for an admin on their
//! behalf.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::accounts::password;
use crate::accounts::sessions::{self, Viewer};
use crate::audit::{self, By, Change};
use crate::db::schema::{
    account_tokens, certificates, course_instructors, courses, enrollments, lesson_progress,
    lessons, media, outbox, quiz_attempts, sessions as session_rows, users,
};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};
use crate::media::key::MediaKey;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::form_user;
use crate::web::host::School;

#[derive(Serialize, Queryable)]
struct Profile {
    id: Uuid,
    name: String,
    email: String,
    role: String,
    created_at: DateTime<Utc>,
    email_verified_at: Option<DateTime<Utc>>,
    suspended_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Queryable)]
struct Enrollment {
    course: String,
    title: String,
    enrolled_at: DateTime<Utc>,
    announcements: bool,
}

#[derive(Serialize, Queryable)]
struct Progress {
    course: String,
    lesson: String,
    title: String,
    completed_at: Option<DateTime<Utc>>,
    position_seconds: i32,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, Queryable)]
struct SessionMeta {
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, Queryable)]
struct AttemptRow {
    lesson: String,
    lesson_title: String,
    number: i32,
    score: i32,
    passed: bool,
    marked: serde_json::Value,
    submitted_at: DateTime<Utc>,
}

#[derive(Serialize, Queryable)]
struct CertificateRow {
    id: Uuid,
    course_title: String,
    learner_name: String,
    issued_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Queryable)]
struct Sent {
    kind: String,
    recipient: String,
    subject: String,
    status: String,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

/// Everything the school holds about `user`, or `None` when there is no such (unerased)
/// account.
pub async fn export(
    conn: &mut AsyncPgConnection,
    school: &Tenant,
    user: UserId,
) -> Result<Option<serde_json::Value>, AppError> {
    let tenant = school.id.0;
    let profile: Option<Profile> = users::table
        .filter(users::tenant_id.eq(tenant))
        .filter(users::id.eq(user.0))
        .filter(users::erased_at.is_null())
        .select((
            users::id,
            users::name,
            users::email,
            users::role,
            users::created_at,
            users::email_verified_at,
            users::suspended_at,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some(profile) = profile else {
        return Ok(None);
    };
    let enrolled: Vec<Enrollment> = enrollments::table
        .inner_join(courses::table)
        .filter(enrollments::tenant_id.eq(tenant))
        .filter(enrollments::user_id.eq(user.0))
        .order(enrollments::created_at)
        .select((
            courses::slug,
            courses::title,
            enrollments::created_at,
            enrollments::announcements,
        ))
        .load(conn)
        .await?;
    let progress: Vec<Progress> = lesson_progress::table
        .inner_join(lessons::table)
        .inner_join(courses::table.on(courses::id.eq(lesson_progress::course_id)))
        .filter(lesson_progress::tenant_id.eq(tenant))
        .filter(lesson_progress::user_id.eq(user.0))
        .order((courses::slug, lessons::slug))
        .select((
            courses::slug,
            lessons::slug,
            lessons::title,
            lesson_progress::completed_at,
            lesson_progress::position_seconds,
            lesson_progress::updated_at,
        ))
        .load(conn)
        .await?;
    let sessions: Vec<SessionMeta> = session_rows::table
        .filter(session_rows::tenant_id.eq(tenant))
        .filter(session_rows::user_id.eq(user.0))
        .order(session_rows::created_at)
        .select((
            session_rows::created_at,
            session_rows::last_seen_at,
            session_rows::expires_at,
        ))
        .load(conn)
        .await?;
    let mail: Vec<Sent> = outbox::table
        .filter(outbox::tenant_id.eq(tenant))
        .filter(
            outbox::user_id
                .eq(user.0)
                .or(outbox::recipient.eq(&profile.email)),
        )
        .order(outbox::created_at)
        .select((
            outbox::kind,
            outbox::recipient,
            outbox::subject,
            outbox::status,
            outbox::created_at,
            outbox::sent_at,
        ))
        .load(conn)
        .await?;
    let attempts: Vec<AttemptRow> = quiz_attempts::table
        .inner_join(lessons::table)
        .filter(quiz_attempts::tenant_id.eq(tenant))
        .filter(quiz_attempts::user_id.eq(user.0))
        .order((lessons::slug, quiz_attempts::number))
        .select((
            lessons::slug,
            lessons::title,
            quiz_attempts::number,
            quiz_attempts::score,
            quiz_attempts::passed,
            quiz_attempts::marked,
            quiz_attempts::submitted_at,
        ))
        .load(conn)
        .await?;
    let certified: Vec<CertificateRow> = certificates::table
        .filter(certificates::tenant_id.eq(tenant))
        .filter(certificates::user_id.eq(user.0))
        .order(certificates::issued_at)
        .select((
            certificates::id,
            certificates::course_title,
            certificates::learner_name,
            certificates::issued_at,
            certificates::revoked_at,
        ))
        .load(conn)
        .await?;
    let tool_scores = crate::lti::grades::of_person(conn, TenantId(tenant), user.0).await?;
    let packages = crate::scorm::store::of_person(conn, TenantId(tenant), user.0).await?;
    let overrides = crate::gradebook::overrides_of(conn, TenantId(tenant), user.0).await?;
    Ok(Some(json!({
        "format": "eduflow-personal-data",
        "version": 1,
        "exported_at": Utc::now(),
        "school": { "slug": school.slug, "name": school.name },
        "profile": profile,
        "enrollments": enrolled,
        "progress": progress,
        "sessions": sessions,
        "emails": mail,
        "quiz_attempts": attempts,
        "tool_scores": tool_scores,
        "scorm_attempts": packages,
        "grade_overrides": overrides,
        "certificates": certified,
    })))
}

/// Erases `user` (see [`erase`]) and then their certificates' PDFs from the media store.
/// `false`: no such account. An erasure by staff (`by_staff`) goes on the audit log.
pub async fn erase_now(
    state: &AppState,
    tenant: TenantId,
    user: UserId,
    by_staff: Option<By>,
) -> Result<bool, AppError> {
    let erased = state
        .school_tx(tenant, "personal_erase", move |conn| {
            Box::pin(async move {
                let erased = erase(conn, tenant, user).await?;
                if let (Some(by), Some(_)) = (&by_staff, &erased) {
                    let change = Change::new("learner.erased", format!("user:{user}"));
                    audit::record(conn, tenant, by, change).await?;
                }
                Ok(erased)
            })
        })
        .await?;
    let Some(pdfs) = erased else {
        return Ok(false);
    };
    state.sessions.forget_user(user);
    for key in pdfs.iter().filter_map(|k| MediaKey::parse(k)) {
        if let Err(e) = state.media.store.delete(&key).await {
            tracing::warn!(error = ?e, key = key.as_str(), "deleting an erased certificate failed");
        }
    }
    Ok(true)
}

/// Erases `user`: name, email and password replaced, sessions, links, mail, progress, quiz
/// attempts, certificates and course assignments deleted; enrollments stay as anonymous counts.
/// Returns the store keys of the certificates' PDFs, to delete once this commits; `None`: no
/// such account.
pub async fn erase(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
) -> Result<Option<Vec<String>>, AppError> {
    let email: Option<String> = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::id.eq(user.0))
        .filter(users::erased_at.is_null())
        .select(users::email)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let Some(email) = email else {
        return Ok(None);
    };
    let pdfs: Vec<String> = certificates::table
        .filter(certificates::tenant_id.eq(tenant.0))
        .filter(certificates::user_id.eq(user.0))
        .filter(certificates::pdf_key.is_not_null())
        .select(certificates::pdf_key.assume_not_null())
        .load(conn)
        .await?;
    diesel::delete(
        media::table
            .filter(media::tenant_id.eq(tenant.0))
            .filter(media::key.eq_any(&pdfs)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        certificates::table
            .filter(certificates::tenant_id.eq(tenant.0))
            .filter(certificates::user_id.eq(user.0)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        quiz_attempts::table
            .filter(quiz_attempts::tenant_id.eq(tenant.0))
            .filter(quiz_attempts::user_id.eq(user.0)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        outbox::table
            .filter(outbox::tenant_id.eq(tenant.0))
            .filter(outbox::user_id.eq(user.0).or(outbox::recipient.eq(&email))),
    )
    .execute(conn)
    .await?;
    // Scores tools sent, what packages recorded, instructors' comments on grades, and statements
    // not yet sent to the school's LRS all name the learner: they go too.
    for table in [
        "lti_scores",
        "scorm_attempts",
        "grade_overrides",
        "xapi_statements",
    ] {
        diesel::sql_query(format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND user_id = $2"
        ))
        .bind::<diesel::sql_types::Uuid, _>(tenant.0)
        .bind::<diesel::sql_types::Uuid, _>(user.0)
        .execute(conn)
        .await?;
    }
    diesel::delete(
        account_tokens::table
            .filter(account_tokens::tenant_id.eq(tenant.0))
            .filter(
                account_tokens::user_id
                    .eq(user.0)
                    .or(account_tokens::email.eq(&email)),
            ),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        lesson_progress::table
            .filter(lesson_progress::tenant_id.eq(tenant.0))
            .filter(lesson_progress::user_id.eq(user.0)),
    )
    .execute(conn)
    .await?;
    diesel::delete(
        course_instructors::table
            .filter(course_instructors::tenant_id.eq(tenant.0))
            .filter(course_instructors::user_id.eq(user.0)),
    )
    .execute(conn)
    .await?;
    sessions::end_all(conn, tenant, user).await?;
    diesel::update(
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::id.eq(user.0)),
    )
    .set((
        users::email.eq(format!("erased-{}@invalid", user.0.simple())),
        users::name.eq("Erased account"),
        // No password verifies against this.
        users::password_hash.eq("!"),
        users::role.eq("learner"),
        users::email_verified_at.eq(None::<DateTime<Utc>>),
        users::suspended_at.eq(Some(Utc::now())),
        users::erased_at.eq(Some(Utc::now())),
    ))
    .execute(conn)
    .await?;
    Ok(Some(pdfs))
}

/// The download of an export.
pub fn attachment(school: &Tenant, data: &serde_json::Value) -> HttpResponse {
    let filename = format!(
        "eduflow-{}-{}.json",
        school.slug,
        Utc::now().format("%Y-%m-%d")
    );
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(serde_json::to_vec_pretty(data).unwrap_or_default())
}

/// `GET /account/export`.
pub async fn export_mine(
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Viewer(Some(user)) = viewer else {
        return Err(AppError::SignIn("/account".into()));
    };
    let letterhead = school.clone();
    let data = state
        .school_tx(school.id, "personal_export", move |conn| {
            Box::pin(async move { export(conn, &letterhead, user.id).await })
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(attachment(&school, &data))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub password: String,
    pub csrf: String,
}

/// Whether `password` is the account's, checked off the request thread.
pub async fn password_matches(
    state: &AppState,
    tenant: TenantId,
    user: UserId,
    password: String,
) -> Result<bool, AppError> {
    let stored: Option<String> = state
        .school_tx(tenant, "password_check", move |conn| {
            Box::pin(async move {
                Ok(users::table
                    .filter(users::tenant_id.eq(tenant.0))
                    .filter(users::id.eq(user.0))
                    .select(users::password_hash)
                    .first(conn)
                    .await
                    .optional()?)
            })
        })
        .await?;
    password::off_thread(&state.hashing, move || {
        password::verify(&password, stored.as_deref())
    })
    .await
    .map_err(AppError::internal)
}

/// `POST /account/delete`: the password again, and the session's token.
pub async fn delete_mine(
    req: HttpRequest,
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    form: crate::input::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let user = form_user(&req, &state, viewer, &form.csrf, "/account")?;
    if !password_matches(&state, school.id, user.id, form.password.clone()).await? {
        return Err(AppError::Forbidden(Msg::new(
            "error-that-is-not-your-password-2",
        )));
    }
    erase_now(&state, school.id, user.id, None).await?;
    let mut page = crate::web::notice::notice(
        &state,
        user.locale,
        &Viewer(None),
        &school,
        actix_web::http::StatusCode::OK,
        "account-deleted-title",
        "account-deleted",
    )?;
    page.add_removal_cookie(&state.cookies.removal(state.cookies.session_name()))
        .map_err(AppError::internal)?;
    Ok(page)
}
