//! `/author/courses/{course}/grades`: the course's gradebook for its instructors and the
//! school's admins — a page of learners at a time against the graded items, a CSV of all of
//! them, and overrides with a comment (on the audit log).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::staff::Staff;
use crate::authoring::store;
use crate::error::AppError;
use crate::gradebook::{self, NewOverride, Pick};
use crate::i18n::Msg;
use crate::ids::CourseId;
use crate::keyset::Cursor;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render};
use crate::web::host::{School, audited_by};

/// Learners per page.
pub const PAGE: i64 = 25;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GradesQuery {
    after: String,
}

/// `GET /author/courses/{course}/grades[?after=]`.
pub async fn page(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<GradesQuery>,
) -> Page {
    let course: CourseId = id(&path)?;
    let after = match query.after.as_str() {
        "" => None,
        raw => Some(
            Cursor::parse(raw)
                .ok_or_else(|| AppError::bad_request(Msg::new("error-after-is-not-a-mark")))?,
        ),
    };
    let (school, who) = (tenant.id, user.clone());
    let (record, items, mut rows) = state
        .school_tx(school, "gradebook", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                let record = store::course(conn, course).await?;
                let items = gradebook::items(conn, school, course.0).await?;
                let rows =
                    gradebook::rows(conn, school, course.0, &items, Pick::Page(after, PAGE + 1))
                        .await?;
                Ok((record, items, rows))
            })
        })
        .await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.cursor().encode())
    });
    let mut c = tera::Context::new();
    c.insert("course", &record);
    c.insert("items", &items);
    c.insert("rows", &rows);
    c.insert("next", &next.flatten());
    render(
        &state,
        &tenant,
        &user,
        "author_grades.html",
        c,
        StatusCode::OK,
    )
}

/// `GET /author/courses/{course}/grades/csv`: every learner, a few hundred at a time.
pub async fn csv(
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Page {
    let course: CourseId = id(&path)?;
    let (school, who) = (tenant.id, user.clone());
    let (items, rows) = state
        .school_tx(school, "gradebook", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                let items = gradebook::items(conn, school, course.0).await?;
                let mut all = Vec::new();
                let mut after = None;
                loop {
                    let rows =
                        gradebook::rows(conn, school, course.0, &items, Pick::Page(after, 500))
                            .await?;
                    after = rows.last().map(gradebook::Row::cursor);
                    let done = rows.len() < 500;
                    all.extend(rows);
                    if done {
                        break;
                    }
                }
                Ok((items, all))
            })
        })
        .await?;
    let body = gradebook::csv::write(&items, &rows).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"grades-{course}.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// `POST /author/courses/{course}/grades`: an override (`user`, `item`, `score`, `comment`).
pub async fn set_override(
    req: HttpRequest,
    School(tenant): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    let course: CourseId = id(&path)?;
    checked_form(&req, &state, &user, &form)?;
    let field = |k: &str| form.get(k).map_or("", String::as_str);
    let new = NewOverride::parse(
        field("user"),
        field("item"),
        field("score"),
        field("comment"),
    )
    .map_err(AppError::Unprocessable)?;
    let by = audited_by(&req, &state, &user);
    let (school, who) = (tenant.id, user.clone());
    state
        .school_tx(school, "gradebook", move |conn| {
            Box::pin(async move {
                store::may_edit(conn, &who, course).await?;
                gradebook::set_override(conn, school, &by, course.0, &new).await
            })
        })
        .await?;
    Ok(see_other(format!("/author/courses/{course}/grades")))
}
