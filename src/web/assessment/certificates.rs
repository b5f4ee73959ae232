//! A certificate's public verification page, its PDF, and its revocation by an admin.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::render_for;
use crate::accounts::sessions::{Role, Viewer};
use crate::assessment::certificates::{find, load, pdf_key};
use crate::audit::{self, Change};
use crate::db::schema::certificates;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::csrf::form_user;
use crate::web::host::{School, audited_by};
use crate::web::lang::Lang;

fn certificate_id(raw: &str) -> Result<Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The public verification page. Another school's host finds nothing: the row is not visible
/// through its door.
pub async fn verify(
    School(tenant): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let record = load(
        state.pools(tenant.id)?.primary(),
        &tenant,
        certificate_id(&path)?,
    )
    .await?;
    let mut c = tera::Context::new();
    c.insert("school", &*tenant);
    c.insert("certificate", &record);
    c.insert(
        "admin_csrf",
        &viewer
            .0
            .as_ref()
            .filter(|u| u.role == Role::Admin)
            .map(|u| u.csrf.clone()),
    );
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(render_for(
            &state.views,
            locale,
            &viewer,
            "certificate.html",
            &c,
        )?))
}

/// The PDF, through a signed media link. A revoked certificate has none.
pub async fn download(
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let record = load(
        state.pools(tenant.id)?.primary(),
        &tenant,
        certificate_id(&path)?,
    )
    .await?;
    if record.revoked_at.is_some() {
        return Err(AppError::Conflict(Msg::new(
            "error-this-certificate-was-revoked-see",
        )));
    }
    let key = pdf_key(&state.printer(tenant.id)?, &tenant, &record).await?;
    Ok(see_other(state.media.url(&key).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeForm {
    pub csrf: String,
    pub reason: String,
}

/// An admin revokes a certificate (or, with `restore`, takes the revocation back).
pub async fn revoke(
    req: HttpRequest,
    School(tenant): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: crate::input::Form<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    let user = form_user(&req, &state, viewer, &form.csrf, req.path())?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden(Msg::new(
            "error-only-the-school-s-admins",
        )));
    }
    let id = certificate_id(&path)?;
    let reason = form.reason.trim().to_owned();
    if reason.chars().count() > 500 {
        return Err(AppError::Unprocessable(Msg::new(
            "error-the-reason-is-at-most",
        )));
    }
    let restore = req.path().ends_with("/restore");
    let by = audited_by(&req, &state, &user);
    let school = tenant.id;
    state
        .school_tx(school, "certificate_write", move |conn| {
            Box::pin(async move {
                find(conn, id).await?.ok_or(AppError::NotFound)?;
                let target = certificates::table.find(id);
                let (changed, change) = if restore {
                    let n = diesel::update(target.filter(certificates::revoked_at.is_not_null()))
                        .set((
                            certificates::revoked_at.eq(None::<DateTime<Utc>>),
                            certificates::revoked_reason.eq(None::<String>),
                        ))
                        .execute(conn)
                        .await?;
                    (
                        n,
                        Change::new("certificate.restored", format!("certificate:{id}")),
                    )
                } else {
                    let reason = Some(reason).filter(|r| !r.is_empty());
                    let n = diesel::update(target.filter(certificates::revoked_at.is_null()))
                        .set((
                            certificates::revoked_at.eq(diesel::dsl::now),
                            certificates::revoked_reason.eq(&reason),
                        ))
                        .execute(conn)
                        .await?;
                    let change = Change::new("certificate.revoked", format!("certificate:{id}"))
                        .after(json!({ "reason": reason }));
                    (n, change)
                };
                if changed > 0 {
                    audit::record(conn, school, &by, change).await?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(see_other(format!("/certificates/{id}")))
}
