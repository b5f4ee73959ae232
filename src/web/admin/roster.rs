//! `/author/courses/{course}/learners`: who is enrolled in a course and how far each has got,
//! for its instructors and the school's admins; also as CSV.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::accounts::members::{self as store, Enrolled};
use crate::accounts::sessions::CurrentUser;
use crate::error::AppError;
use crate::ids::CourseId;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Staff;
use crate::web::forms::{Page, id, render};
use crate::web::host::School;

async fn roster(
    state: &AppState,
    school: &Tenant,
    user: &CurrentUser,
    course: CourseId,
) -> Result<(String, String, Vec<Enrolled>), AppError> {
    let (tenant, who) = (school.id, user.clone());
    state
        .school_tx(tenant, "roster", move |conn| {
            Box::pin(async move {
                crate::authoring::store::may_edit(conn, &who, course).await?;
                let record = crate::authoring::store::course(conn, course).await?;
                let enrolled = store::enrolled(conn, tenant, course).await?;
                Ok((record.slug, record.title, enrolled))
            })
        })
        .await
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    learner: &'a Enrolled,
    percent: i64,
}

/// `GET /author/courses/{course}/learners`.
pub async fn page(
    School(school): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Page {
    let course: CourseId = id(&path)?;
    let (slug, title, enrolled) = roster(&state, &school, &user, course).await?;
    let rows: Vec<Row> = enrolled
        .iter()
        .map(|learner| Row {
            learner,
            percent: learner.percent(),
        })
        .collect();
    let mut c = tera::Context::new();
    c.insert(
        "course",
        &serde_json::json!({ "id": course, "slug": slug, "title": title }),
    );
    c.insert("learners", &rows);
    render(
        &state,
        &school,
        &user,
        "author_learners.html",
        c,
        StatusCode::OK,
    )
}

/// A spreadsheet opens a cell starting with one of these as a formula: such values get a quote.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// `GET /author/courses/{course}/learners.csv`.
pub async fn csv(
    School(school): School,
    Staff(user): Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let course: CourseId = id(&path)?;
    let (slug, _, enrolled) = roster(&state, &school, &user, course).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "name",
        "email",
        "enrolled_at",
        "completed_lessons",
        "total_lessons",
        "percent",
        "last_activity",
    ];
    out.write_record(header).map_err(AppError::internal)?;
    for l in &enrolled {
        out.write_record([
            cell(&l.name),
            cell(&l.email),
            l.enrolled_at.to_rfc3339(),
            l.done.to_string(),
            l.total.to_string(),
            l.percent().to_string(),
            l.last_activity.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    let body = out.into_inner().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{slug}-learners.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::cell("@sum"), "'@sum");
        assert_eq!(super::cell("Ada"), "Ada");
    }
}
