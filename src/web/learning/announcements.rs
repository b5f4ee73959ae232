//! Course announcements: an instructor writes one, and it is mailed to every enrolled learner
//! who has not unsubscribed, through the outbox in one transaction (batched by the sender). Each
//! mail carries `List-Unsubscribe` and a link that works without logging in: it is signed for
//! that learner and that course.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::accounts::sessions::Viewer;
use crate::db::schema::{announcements, courses, enrollments, users};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{CourseId, TenantId, UserId};
use crate::mail::{Kind, Mail, outbox};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::authoring::staff::Staff;
use crate::web::forms::{SimpleForm, checked, id};
use crate::web::host::School;
use crate::web::lang::Lang;

/// `POST /author/courses/{course}/announcements`: `subject`, `body` (Markdown).
pub async fn announce(
    req: HttpRequest,
    School(school): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Result<HttpResponse, AppError> {
    let text = |k: &str| form.get(k).map_or("", |v| v.trim());
    checked(&req, &state, &user, text("csrf"))?;
    let course: CourseId = id(&path)?;
    let (subject, body) = (text("subject").to_owned(), text("body").to_owned());
    if subject.is_empty() || subject.chars().count() > 200 || subject.contains(char::is_control) {
        return Err(AppError::Unprocessable(Msg::new(
            "error-write-a-subject-of-1",
        )));
    }
    if body.is_empty() || body.chars().count() > 20_000 {
        return Err(AppError::Unprocessable(Msg::new(
            "error-write-the-announcement-up-to",
        )));
    }
    let tenant = school.id;
    let (composer, letterhead, author) = (state.mail.clone(), school.clone(), user.clone());
    let key = state.unsubscribe.clone();
    let sent = state
        .school_tx(tenant, "announce", move |conn| {
            Box::pin(async move {
                crate::authoring::store::may_edit(conn, &author, course).await?;
                let (slug, title): (String, String) = courses::table
                    .filter(courses::tenant_id.eq(tenant.0))
                    .filter(courses::id.eq(course.0))
                    .select((courses::slug, courses::title))
                    .first(conn)
                    .await?;
                let learners: Vec<(Uuid, String, String, Option<String>)> = enrollments::table
                    .inner_join(
                        users::table.on(users::id
                            .eq(enrollments::user_id)
                            .and(users::tenant_id.eq(enrollments::tenant_id))),
                    )
                    .filter(enrollments::tenant_id.eq(tenant.0))
                    .filter(enrollments::course_id.eq(course.0))
                    .filter(enrollments::announcements)
                    .filter(users::suspended_at.is_null())
                    .select((users::id, users::name, users::email, users::locale))
                    .load(conn)
                    .await?;
                let origin = composer.origin(&letterhead);
                let mails = learners
                    .iter()
                    .map(|(learner, name, email, locale)| {
                        let learner = UserId(*learner);
                        let sig = key.sign(tenant, course, learner);
                        let mut ctx = tera::Context::new();
                        ctx.insert("name", name);
                        ctx.insert("title", &subject);
                        ctx.insert("body", &body);
                        ctx.insert("course", &title);
                        ctx.insert("author", &author.name);
                        ctx.insert("link", &format!("{origin}/courses/{slug}"));
                        ctx.insert(
                            "unsubscribe",
                            &format!(
                                "{origin}/unsubscribe/{course}/{learner}/{sig}",
                                course = course.0
                            ),
                        );
                        composer.compose(
                            &letterhead,
                            Kind::Announcement,
                            (email, Some(learner)),
                            letterhead.locale_for(locale.as_deref()),
                            ctx,
                        )
                    })
                    .collect::<Result<Vec<Mail>, AppError>>()?;
                outbox::enqueue_many(conn, tenant, &mails).await?;
                diesel::insert_into(announcements::table)
                    .values((
                        announcements::tenant_id.eq(tenant.0),
                        announcements::course_id.eq(course.0),
                        announcements::author_id.eq(author.id.0),
                        announcements::subject.eq(&subject),
                        announcements::body.eq(&body),
                        announcements::recipients.eq(mails.len() as i32),
                    ))
                    .execute(conn)
                    .await?;
                Ok(mails.len())
            })
        })
        .await?;
    Ok(see_other(format!(
        "/author/courses/{}?announced={sent}",
        course.0
    )))
}

/// The learner and course a signed link names, if its signature holds at this school.
fn signed(
    state: &AppState,
    tenant: TenantId,
    (course, user, sig): &(String, String, String),
) -> Result<(CourseId, UserId), AppError> {
    let (course, user): (CourseId, UserId) = (id(course)?, id(user)?);
    if state.unsubscribe.verify(tenant, course, user, sig) {
        Ok((course, user))
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /unsubscribe/{course}/{user}/{sig}`: a page with one button. A GET changes nothing:
/// mail scanners follow links.
pub async fn confirm(
    School(school): School,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let parts = path.into_inner();
    signed(&state, school.id, &parts)?;
    let mut c = tera::Context::new();
    c.insert("school", &*school);
    c.insert(
        "action",
        &format!("/unsubscribe/{}/{}/{}", parts.0, parts.1, parts.2),
    );
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::html())
        .body(crate::accounts::render_for(
            &state.views,
            locale,
            &Viewer(None),
            "unsubscribe.html",
            &c,
        )?))
}

/// `POST /unsubscribe/{course}/{user}/{sig}`: from the page, or a mail client's one-click
/// request (RFC 8058). The signature is the authority: no session, no form token.
pub async fn unsubscribe(
    School(school): School,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course, user) = signed(&state, school.id, &path.into_inner())?;
    let tenant = school.id;
    state
        .school_tx(tenant, "unsubscribe", move |conn| {
            Box::pin(async move {
                diesel::update(
                    enrollments::table
                        .filter(enrollments::tenant_id.eq(tenant.0))
                        .filter(enrollments::course_id.eq(course.0))
                        .filter(enrollments::user_id.eq(user.0)),
                )
                .set(enrollments::announcements.eq(false))
                .execute(conn)
                .await?;
                Ok(())
            })
        })
        .await?;
    crate::web::notice::notice(
        &state,
        locale,
        &Viewer(None),
        &school,
        StatusCode::OK,
        "unsubscribed-title",
        "unsubscribed",
    )
}
