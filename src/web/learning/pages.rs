//! Learner pages: enroll/unenroll, lessons, marking complete, and the `/learn` dashboard.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::render_for;
use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::actors::learners::{Complete, Enroll, Unenroll};
use crate::error::AppError;
use crate::learning::EnrolledCourse;
use crate::learning::store::EnrollOutcome;
use crate::media::key::MediaKey;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::catalog::course_page;
use crate::web::csrf::{CsrfForm, form_user};
use crate::web::freshness::ReadFloor;
use crate::web::host::School;
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
        return Err(AppError::Forbidden(
            "Confirm your email address before enrolling: open the link we mailed you, or ask \
             for a new one on your account page (/account)."
                .into(),
        ));
    }
    let notice = crate::learning::notices::EnrollNotice {
        composer: state.mail.clone(),
        school: tenant.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
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
        EnrollOutcome::Full => Err(AppError::Conflict("This course is full.".into())),
        EnrollOutcome::Requires(titles) => Err(AppError::Forbidden(format!(
            "Complete {} first.",
            titles.join(" and ")
        ))),
        EnrollOutcome::Closed => Err(AppError::Conflict(
            "Enrollment in this course has closed.".into(),
        )),
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
    floor: ReadFloor,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, lesson) = path.into_inner();
    let pool = floor.pool(&state.pools).await;
    let page = load_lesson(&state, &tenant, pool, &course, &lesson).await?;
    let learner = learner(&state, &tenant, &viewer).await?;
    if !may_view(&page, &viewer, learner.as_deref()) {
        // Never the content: the course page, with its enroll prompt.
        return course_page(&req, &state, &tenant, &viewer, &course).await;
    }
    if let Some(l) = learner
        .as_deref()
        .filter(|_| !is_staff(&viewer) && !page.free_preview)
    {
        lesson_gate(&state, &page, l)?;
    }
    if page.kind == "quiz" {
        return crate::web::assessment::quizzes::page(
            &state,
            &tenant,
            &viewer,
            &page,
            learner.as_deref(),
        )
        .await;
    }
    let progress = learner.as_deref().and_then(|l| l.course(&course));
    let mut c = tera::Context::new();
    c.insert("school", &*tenant);
    c.insert("lesson", &page);
    c.insert("enrolled", &progress.is_some());
    c.insert(
        "done",
        &progress.is_some_and(|p| p.lessons.iter().any(|l| l.id == page.lesson_id && l.done)),
    );
    c.insert(
        "position",
        &learner
            .as_deref()
            .and_then(|l| l.positions.get(&page.lesson_id))
            .copied()
            .unwrap_or(0),
    );
    c.insert(
        "csrf",
        &viewer
            .0
            .as_ref()
            .map(|u| u.csrf.clone())
            .unwrap_or_default(),
    );
    let own = |key: &Option<String>| {
        key.as_deref()
            .and_then(MediaKey::parse)
            .filter(|k| k.tenant == tenant.id)
    };
    let media = &state.media;
    let video_url = match own(&page.video_key) {
        Some(k) => Some(media.url(&k).await?),
        None => None,
    };
    let poster_url = match own(&page.cover_key) {
        Some(k) => Some(media.url(&k).await?),
        None => None,
    };
    let hls_url = own(&page.hls_key).map(|k| crate::media::hls::playlist_url(media, &k));
    c.insert("video_url", &video_url);
    c.insert("hls_url", &hls_url);
    c.insert("poster_url", &poster_url);
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(render_for(&state.views, &viewer, "lesson.html", &c)?))
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
    let page = load_lesson(&state, &tenant, state.pools.primary(), &course, &lesson).await?;
    let learner = state_of(&state, &tenant, &user).await?;
    if !learner.enrolled_in(page.course_id) {
        return Err(AppError::Forbidden(
            "Enroll in the course to record your progress.".into(),
        ));
    }
    lesson_gate(&state, &page, &learner)?;
    if page.kind == "quiz" {
        return Err(AppError::Conflict(
            "A quiz is complete when you pass it.".into(),
        ));
    }
    let certificate = state
        .registry
        .ask(
            &tenant,
            Complete {
                user: user.id,
                course: page.course_id,
                lesson: page.lesson_id,
            },
        )
        .await??;
    crate::assessment::certificates::issued(&state.printer(), &tenant, certificate).await;
    Ok(see_other(match &page.next {
        Some((next, _)) => format!("/courses/{course}/lessons/{next}"),
        None => format!("/courses/{course}"),
    }))
}

pub async fn dashboard(
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(learner) = learner(&state, &tenant, &viewer).await? else {
        return Err(AppError::SignIn("/learn".into()));
    };
    let courses: Vec<_> = learner
        .courses
        .iter()
        .map(EnrolledCourse::summary)
        .collect();
    let mut c = tera::Context::new();
    c.insert("school", &*tenant);
    c.insert("courses", &courses);
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(render_for(&state.views, &viewer, "learn.html", &c)?))
}
