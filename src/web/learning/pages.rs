//! Learner pages: enroll/unenroll, lessons, marking complete, and the `/learn` dashboard.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::accounts::{ACCOUNT_SLOT, account_slot};
use crate::actors::learners::{Enroll, Unenroll};
use crate::catalog::pages::PageKey;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::learning::store::EnrollOutcome;
use crate::learning::{DASHBOARD_SLOT, dashboard_slot};
use crate::learning::{lesson_page, quiz_page};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::catalog::{course_page, html};
use crate::web::csrf::{CsrfForm, form_user};
use crate::web::host::School;
use crate::web::lang::Lang;
use crate::web::learning::access::{
    course_slug, is_staff, learner, lesson_gate, load_lesson, may_view, state_of,
};

/// The signed-in user and the course slug of an enroll/unenroll form.
fn course_form(
    req: &HttpRequest,
    state: &AppState,
    viewer: Viewer,
    slug: String,
    csrf: &str,
) -> Result<(CurrentUser, String), AppError> {
    course_slug(&slug)?;
    Ok((form_user(req, state, viewer, csrf, req.path())?, slug))
}

pub async fn enroll(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: crate::input::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let (user, slug) = course_form(&req, &state, viewer, slug.into_inner(), &form.csrf)?;
    if tenant.accounts.require_verified_email && !user.verified && user.role == Role::Learner {
        return Err(AppError::Forbidden(Msg::new(
            "error-confirm-your-email-address-before",
        )));
    }
    let notice = crate::learning::notices::EnrollNotice {
        composer: state.mail.clone(),
        school: tenant.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        locale: user.locale,
    };
    let outcome = state
        .registry
        .ask(
            &tenant,
            Enroll {
                user: user.id,
                course: slug.clone(),
                notice: Some(notice),
            },
        )
        .await??;
    match outcome.ok_or(AppError::NotFound)? {
        EnrollOutcome::Enrolled | EnrollOutcome::AlreadyEnrolled => {
            Ok(see_other(format!("/courses/{slug}")))
        }
        EnrollOutcome::Full => Err(AppError::Conflict(Msg::new("error-this-course-is-full"))),
        EnrollOutcome::Requires(titles) => Err(AppError::Forbidden(
            Msg::new("error-complete-first").text("courses", titles.join(", ")),
        )),
        EnrollOutcome::Closed => Err(AppError::Conflict(Msg::new(
            "error-enrollment-in-this-course-has",
        ))),
    }
}

pub async fn unenroll(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    form: crate::input::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let (user, slug) = course_form(&req, &state, viewer, slug.into_inner(), &form.csrf)?;
    if !state
        .registry
        .ask(
            &tenant,
            Unenroll {
                user: user.id,
                course: slug.clone(),
            },
        )
        .await??
    {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!("/courses/{slug}")))
}

pub async fn lesson(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    course_slug(&course)?;
    course_slug(&lesson)?;
    let cached = state
        .registry
        .page(&tenant, PageKey::Lesson(course.clone(), lesson, locale))
        .await?;
    let page = cached
        .lesson
        .as_ref()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a lesson page without its lesson")))?;
    let learner = learner(&state, &tenant, &viewer).await?;
    if !may_view(page, &viewer, learner.as_deref()) {
        // Never the content: the course page, with its enroll prompt.
        return course_page(&req, &state, &tenant, &viewer, locale, &course).await;
    }
    if let Some(l) = learner
        .as_deref()
        .filter(|_| !is_staff(&viewer) && !page.free_preview)
    {
        lesson_gate(&state, page, l)?;
    }
    if let Some(quiz) = &cached.quiz {
        let mut res = html(&req, &cached, &viewer, || {
            quiz_page::slots(locale, &viewer, learner.as_deref(), page, quiz)
        });
        // Its questions come in a new order on every showing, and its attempts change.
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        return Ok(res);
    }
    Ok(html(&req, &cached, &viewer, || {
        lesson_page::slots(locale, &viewer, learner.as_deref(), page)
    }))
}

pub async fn complete(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: crate::input::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    let user = form_user(&req, &state, viewer, &form.csrf, req.path())?;
    let page = load_lesson(&state, &tenant, &course, &lesson).await?;
    let learner = state_of(&state, &tenant, &user).await?;
    if !learner.enrolled_in(page.course_id) {
        return Err(AppError::Forbidden(Msg::new(
            "error-enroll-in-the-course-to-2",
        )));
    }
    lesson_gate(&state, &page, &learner)?;
    if page.kind == "quiz" {
        return Err(AppError::Conflict(Msg::new(
            "error-a-quiz-is-complete-when-2",
        )));
    }
    if page.kind == "lti" {
        return Err(AppError::Conflict(Msg::new("lti-completes-with-grade")));
    }
    if page.kind == "scorm" {
        return Err(AppError::Conflict(Msg::new("scorm-completes-itself")));
    }
    super::completion::complete(&state, &tenant, user.id, (page.course_id, page.lesson_id)).await?;
    Ok(see_other(match &page.next {
        Some((next, _)) => format!("/courses/{course}/lessons/{next}"),
        None => format!("/courses/{course}"),
    }))
}

pub async fn dashboard(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(learner) = learner(&state, &tenant, &viewer).await? else {
        return Err(AppError::SignIn("/learn".into()));
    };
    let shell = state.registry.page(&tenant, PageKey::Learn(locale)).await?;
    Ok(html(&req, &shell, &viewer, || {
        vec![
            (ACCOUNT_SLOT, account_slot(locale, &viewer)),
            (DASHBOARD_SLOT, dashboard_slot(locale, &learner)),
        ]
    }))
}
