//! `/admin/audit`: the school's audit log, newest first, filtered by action and by actor, a page
//! at a time (keyset: a page starts after the last entry of the one before).

use actix_web::http::StatusCode;
use actix_web::web;
use serde::Deserialize;

use crate::audit::{self, ACTIONS, Filter};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::keyset::Cursor;
use crate::state::AppState;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, render};
use crate::web::host::School;

/// Entries per page.
const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    action: String,
    actor: String,
    after: String,
}

/// `GET /admin/audit`.
pub async fn page(
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Page {
    let action = match query.action.as_str() {
        "" => None,
        a => Some(
            *ACTIONS
                .iter()
                .find(|known| **known == a)
                .ok_or_else(|| AppError::bad_request(Msg::new("error-there-is-no-such-action")))?,
        ),
    };
    let actor = query.actor.trim().to_owned();
    if actor.chars().count() > 100 {
        return Err(AppError::bad_request(Msg::new(
            "error-search-for-at-most-100",
        )));
    }
    let after = match query.after.as_str() {
        "" => None,
        raw => Some(
            Cursor::parse(raw)
                .ok_or_else(|| AppError::bad_request(Msg::new("error-that-page-does-not-exist")))?,
        ),
    };
    let filter = Filter {
        action,
        actor: (!actor.is_empty()).then(|| actor.clone()),
    };
    let tenant = school.id;
    // The primary: an admin who just changed something finds it here at once.
    let mut entries = state
        .school_tx(tenant, "audit", move |conn| {
            Box::pin(async move { audit::entries(conn, tenant, &filter, after, PAGE + 1).await })
        })
        .await?;
    let next = (entries.len() as i64 > PAGE).then(|| {
        entries.truncate(PAGE as usize);
        entries
            .last()
            .map(|e| Cursor(e.at, e.id).encode())
            .unwrap_or_default()
    });
    let mut c = tera::Context::new();
    c.insert("entries", &entries);
    c.insert("actions", ACTIONS);
    c.insert("action", action.unwrap_or(""));
    c.insert("actor", &actor);
    c.insert("next", &next);
    render(
        &state,
        &school,
        &user,
        "admin_audit.html",
        c,
        StatusCode::OK,
    )
}
