//! Taking a quiz: a plain HTML form (no script needed), graded on the server when submitted,
//! and the attempt's result page. Instructors export a quiz as GIFT.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};

use super::grading::{self, Submission};
use super::{certificates, gift, quizzes};
use crate::actors::learners::SubmitAttempt;
use crate::authoring::Staff;
use crate::authoring::pages::id;
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::ids::{CourseId, LessonId};
use crate::learners::csrf::form_user;
use crate::learners::render_for;
use crate::learners::sessions::{Role, Viewer};
use crate::learning::LearnerState;
use crate::learning::pages::{lesson_gate, load_lesson, state_of};
use crate::learning::store::LessonPage;
use crate::startup::AppState;
use crate::tenancy::Tenant;
use crate::tenancy::host::School;
use crate::views::see_other;

async fn quiz_of(
    state: &AppState,
    tenant: &Tenant,
    lesson: uuid::Uuid,
) -> Result<quizzes::Quiz, AppError> {
    tenant_tx(state.pools.primary(), tenant.id, "quiz", move |conn| {
        Box::pin(async move { quizzes::load(conn, lesson).await })
    })
    .await?
    .ok_or(AppError::NotFound)
}

/// The quiz lesson's page: the questions (never their answers), and the learner's attempts.
pub async fn page(
    state: &AppState,
    tenant: &Arc<Tenant>,
    viewer: &Viewer,
    lesson: &LessonPage,
    learner: Option<&LearnerState>,
) -> Result<HttpResponse, AppError> {
    let quiz = quiz_of(state, tenant, lesson.lesson_id).await?;
    let attempts = match &viewer.0 {
        Some(user) => {
            let (who, at) = (user.id, lesson.lesson_id);
            tenant_tx(state.pools.primary(), tenant.id, "quiz", move |conn| {
                Box::pin(async move { quizzes::attempts(conn, who, at).await })
            })
            .await?
        }
        None => Vec::new(),
    };
    let enrolled = learner.is_some_and(|l| l.enrolled_in(lesson.course_id));
    let used = attempts.len() as i32;
    let remaining = quiz.settings.max_attempts.map(|m| (m - used).max(0));
    let passed = attempts.iter().any(|a| a.passed);
    let staff = viewer
        .0
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Instructor | Role::Admin));
    let mut c = tera::Context::new();
    c.insert("school", &**tenant);
    c.insert("lesson", lesson);
    c.insert("settings", &quiz.settings);
    c.insert("attempts", &attempts);
    c.insert("remaining", &remaining);
    c.insert("passed", &passed);
    c.insert("enrolled", &enrolled);
    c.insert("staff", &staff);
    let may_attempt = (enrolled || staff) && remaining != Some(0);
    c.insert(
        "questions",
        &may_attempt.then(|| grading::shown(&quiz.questions, quiz.settings.shuffle)),
    );
    c.insert(
        "csrf",
        &viewer
            .0
            .as_ref()
            .map(|u| u.csrf.clone())
            .unwrap_or_default(),
    );
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(render_for(&state.views, viewer, "quiz.html", &c)?))
}

/// Grades a submission, records the attempt (refused past the limit) and shows its result.
pub async fn submit(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    let csrf = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let back = format!("/courses/{course}/lessons/{lesson}");
    let user = form_user(&req, &state, viewer, &csrf, &back)?;
    let page = load_lesson(&state, &tenant, state.pools.primary(), &course, &lesson).await?;
    if page.kind != "quiz" {
        return Err(AppError::NotFound);
    }
    let learner = state_of(&state, &tenant, &user).await?;
    if !learner.enrolled_in(page.course_id) {
        return Err(AppError::Forbidden(
            "Enroll in the course to take its quizzes.".into(),
        ));
    }
    lesson_gate(&state, &page, &learner)?;
    let quiz = quiz_of(&state, &tenant, page.lesson_id).await?;
    let started = std::time::Instant::now();
    let outcome = grading::grade(
        &quiz.questions,
        &Submission::parse(&body, quiz.questions.len()),
        quiz.settings.pass_mark,
    );
    let (attempt, certificate) = state
        .registry
        .ask(
            &tenant,
            SubmitAttempt {
                user: user.id,
                course: page.course_id,
                lesson: page.lesson_id,
                outcome,
                max_attempts: quiz.settings.max_attempts,
            },
        )
        .await??;
    state
        .metrics
        .quiz_grading
        .observe(started.elapsed().as_secs_f64());
    certificates::issued(&state, &tenant, certificate).await;
    Ok(see_other(format!("{back}/attempts/{attempt}")))
}

/// One of the learner's attempts: score, pass or fail, and each question's feedback.
pub async fn result(
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson, attempt) = path.into_inner();
    let Some(user) = viewer.0.clone() else {
        return Err(AppError::SignIn(format!(
            "/courses/{course}/lessons/{lesson}/attempts/{attempt}"
        )));
    };
    let attempt: uuid::Uuid = id(&attempt)?;
    let page = load_lesson(&state, &tenant, state.pools.primary(), &course, &lesson).await?;
    let quiz = quiz_of(&state, &tenant, page.lesson_id).await?;
    let (found, attempts) = tenant_tx(state.pools.primary(), tenant.id, "quiz", move |conn| {
        Box::pin(async move {
            let found = quizzes::attempt(conn, user.id, attempt).await?;
            let all = quizzes::attempts(conn, user.id, page.lesson_id).await?;
            Ok((found, all))
        })
    })
    .await?;
    let Some((attempt, marked, _)) = found.filter(|(_, _, at)| *at == page.lesson_id) else {
        return Err(AppError::NotFound);
    };
    let learner = state_of(&state, &tenant, viewer.0.as_ref().expect("signed in")).await?;
    let progress = learner.course(&course);
    let remaining = quiz
        .settings
        .max_attempts
        .map(|m| (m - attempts.len() as i32).max(0));
    let mut c = tera::Context::new();
    c.insert("school", &*tenant);
    c.insert("lesson", &page);
    c.insert("attempt", &attempt);
    c.insert("marked", &marked);
    c.insert("settings", &quiz.settings);
    c.insert("remaining", &remaining);
    c.insert("progress", &progress.map(|p| p.summary()));
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(render_for(&state.views, &viewer, "quiz_result.html", &c)?))
}

/// The quiz's questions as a GIFT file, for Moodle or another EduFlow course.
pub async fn export(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    let (course, lesson): (CourseId, LessonId) = (id(&course)?, id(&lesson)?);
    let record = tenant_tx(
        state.pools.primary(),
        tenant.id,
        "authoring_read",
        move |conn| {
            Box::pin(async move {
                crate::authoring::store::may_edit(conn, &user, course).await?;
                let record = crate::authoring::store::lesson(conn, course, lesson).await?;
                Ok((quizzes::load(conn, lesson.0).await?, record.slug))
            })
        },
    )
    .await?;
    let (Some(quiz), slug) = record else {
        return Err(AppError::NotFound);
    };
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}.gift\""),
        ))
        .body(gift::write(&quiz.questions)))
}
