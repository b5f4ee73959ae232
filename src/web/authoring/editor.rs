//! What the course and lesson editors share: uploads (checked, stored, signed for the preview)
//! and the form values a page is rendered with.

use std::collections::HashMap;

use actix_web::{HttpRequest, web};

use crate::accounts::sessions::CurrentUser;
use crate::authoring::store;
use crate::error::AppError;
use crate::ids::CourseId;
use crate::media::hls;
use crate::media::key::MediaKey;
use crate::media::sniff::Family;
use crate::media::upload::{self, Stored, UploadForm};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::{check_origin, check_token};

/// Checks, in a read on the primary, that `user` may edit `course` (before a body is read).
pub(super) async fn allowed(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    course: CourseId,
) -> Result<(), AppError> {
    let user = user.clone();
    state
        .school_tx(tenant.id, "authoring_read", move |conn| {
            Box::pin(async move { store::may_edit(conn, &user, course).await })
        })
        .await
}

/// Reads an authoring upload form once `user` is known to be allowed to send it.
pub(super) async fn upload_form(
    req: &HttpRequest,
    state: &AppState,
    user: &CurrentUser,
    payload: web::Payload,
) -> Result<UploadForm, AppError> {
    check_origin(req, state)?;
    let form = upload::read_form(
        req.headers(),
        payload,
        &state.media.staging,
        &state.media.limits,
    )
    .await?;
    check_token(Some(&user.csrf), form.text("csrf"))?;
    Ok(form)
}

/// Stores the form's file `field` if one was sent.
pub(super) async fn file(
    state: &AppState,
    tenant: &Tenant,
    user: &CurrentUser,
    form: &mut UploadForm,
    field: &str,
    family: Family,
) -> Result<Option<Stored>, AppError> {
    let Some(staged) = form.files.remove(field) else {
        return Ok(None);
    };
    let pools = state.pools(tenant.id)?;
    let pool = pools.primary();
    Ok(Some(match family {
        Family::Hls => Stored {
            key: hls::ingest(&state.media, pool, tenant.id, Some(user.id), staged).await?,
            info: Default::default(),
        },
        _ => upload::ingest(&state.media, pool, tenant.id, Some(user.id), staged, family).await?,
    }))
}

pub(super) fn key_of(stored: Option<Stored>) -> Option<String> {
    stored.map(|s| s.key.as_str().to_owned())
}

pub(super) async fn signed(
    state: &AppState,
    tenant: &Tenant,
    key: Option<&str>,
) -> Result<Option<String>, AppError> {
    match key
        .and_then(MediaKey::parse)
        .filter(|k| k.tenant == tenant.id)
    {
        Some(k) => Ok(Some(state.media.url(&k).await?)),
        None => Ok(None),
    }
}

/// The form's values as typed, every field present (the templates compare them).
pub(super) fn typed_values(form: &UploadForm, fields: &[&str]) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = fields
        .iter()
        .map(|f| ((*f).to_owned(), form.text(f).to_owned()))
        .collect();
    if form.text("free_preview") == "on" {
        values.insert("free_preview".into(), "on".into());
    }
    values
}

pub(super) fn blank_values(fields: &[&str]) -> HashMap<String, String> {
    fields
        .iter()
        .map(|f| ((*f).to_owned(), String::new()))
        .collect()
}
