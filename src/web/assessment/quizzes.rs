//! Taking a quiz: a plain HTML form (no script needed), graded on the server when submitted,
//! and the attempt's result page. Instructors export a quiz as GIFT.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::render_for;
use crate::accounts::sessions::Viewer;
use crate::actors::learners::SubmitAttempt;
use crate::assessment::grading::{self, Submission};
use crate::assessment::{certificates, gift, quizzes};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, LessonId, UserId};
use crate::learning::store::{LessonPage, lesson_page};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Staff;
use crate::web::csrf::form_user;
use crate::web::forms::id;
use crate::web::host::School;
use crate::web::learning::access::{course_slug, lesson_gate, state_of};

/// A quiz and `user`'s attempts at it.
async fn quiz_and_attempts(
    conn: &mut diesel_async::AsyncPgConnection,
    lesson: uuid::Uuid,
    user: Option<UserId>,
) -> Result<(quizzes::Quiz, Vec<quizzes::Attempt>), AppError> {
    let quiz = quizzes::load(conn, lesson)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempts = match user {
        Some(user) => quizzes::attempts(conn, user, lesson).await?,
        None => Vec::new(),
    };
    Ok((quiz, attempts))
}

/// What a quiz request reads, in one transaction on the primary (an attempt just made must be
/// there): the lesson, its quiz, the learner's attempts and, if asked, one attempt's marks.
struct QuizRead {
    page: LessonPage,
    quiz: quizzes::Quiz,
    attempts: Vec<quizzes::Attempt>,
    marked: Option<Vec<grading::Marked>>,
}

async fn read_quiz(
    state: &AppState,
    tenant: &Tenant,
    (course, lesson): (&str, &str),
    user: Option<UserId>,
    attempt: Option<uuid::Uuid>,
) -> Result<QuizRead, AppError> {
    course_slug(course)?;
    course_slug(lesson)?;
    let (course, lesson) = (course.to_owned(), lesson.to_owned());
    state
        .school_tx(tenant.id, "quiz", move |conn| {
            Box::pin(async move {
                let page = lesson_page(conn, &course, &lesson)
                    .await?
                    .filter(|p| p.kind == "quiz")
                    .ok_or(AppError::NotFound)?;
                let (quiz, attempts) = quiz_and_attempts(conn, page.lesson_id, user).await?;
                // Only an attempt of this learner at this quiz.
                let marked = match attempt.filter(|id| attempts.iter().any(|a| a.id == *id)) {
                    Some(id) => Some(quizzes::marked(conn, id).await?),
                    None => None,
                };
                Ok(QuizRead {
                    page,
                    quiz,
                    attempts,
                    marked,
                })
            })
        })
        .await
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
    let QuizRead { page, quiz, .. } =
        read_quiz(&state, &tenant, (&course, &lesson), None, None).await?;
    let learner = state_of(&state, &tenant, &user).await?;
    if !learner.enrolled_in(page.course_id) {
        return Err(AppError::Forbidden(Msg::new(
            "error-enroll-in-the-course-to",
        )));
    }
    lesson_gate(&state, &page, &learner)?;
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
    certificates::issued(&state.printer(tenant.id)?, &tenant, certificate).await;
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
    let QuizRead {
        page,
        quiz,
        attempts,
        marked,
    } = read_quiz(
        &state,
        &tenant,
        (&course, &lesson),
        Some(user.id),
        Some(attempt),
    )
    .await?;
    let (Some(marked), Some(attempt)) = (marked, attempts.iter().find(|a| a.id == attempt)) else {
        return Err(AppError::NotFound);
    };
    let learner = state_of(&state, &tenant, &user).await?;
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
        .body(render_for(
            &state.views,
            user.locale,
            &viewer,
            "quiz_result.html",
            &c,
        )?))
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
    let record = state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move {
                crate::authoring::store::may_edit(conn, &user, course).await?;
                let record = crate::authoring::store::lesson(conn, course, lesson).await?;
                Ok((quizzes::load(conn, lesson.0).await?, record.slug))
            })
        })
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
