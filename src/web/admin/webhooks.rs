//! `/admin/webhooks`: the school's webhook endpoints. A signing secret is shown once, on the page
//! that made it (adding, rotating); each endpoint has a log of its deliveries (status, latency,
//! attempts, next attempt) with a redeliver button. Every change is on the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::sessions::CurrentUser;
use crate::audit::{self, Change};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::keyset::Cursor;
use crate::outbound as address;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render};
use crate::web::host::{School, audited_by};
use crate::webhooks::{EVENTS, store};

/// Deliveries per page of an endpoint's log.
const PAGE: i64 = 50;

/// How long a rotated-out secret still signs.
pub const ROTATION_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

async fn list_page(
    state: &AppState,
    school: &Tenant,
    user: &CurrentUser,
    created: Option<String>,
    status: StatusCode,
) -> Page {
    let tenant = school.id;
    let endpoints = state
        .school_tx(tenant, "webhooks", move |conn| {
            Box::pin(async move { store::list(conn, tenant).await })
        })
        .await?;
    let mut c = tera::Context::new();
    c.insert("endpoints", &endpoints);
    c.insert("events", EVENTS);
    c.insert("secret", &created);
    render(state, school, user, "admin_webhooks.html", c, status)
}

/// `GET /admin/webhooks`.
pub async fn list(School(school): School, Admin(user): Admin, state: web::Data<AppState>) -> Page {
    list_page(&state, &school, &user, None, StatusCode::OK).await
}

/// `POST /admin/webhooks`: `url` and a `1` per wanted event. The answer shows the secret once.
pub async fn add(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let url = address::parse(form.get("url").map_or("", String::as_str)).map_err(|e| {
        AppError::Unprocessable(Msg::new("error-endpoint-not-added").text("reason", e.to_string()))
    })?;
    address::resolve(&url, state.webhooks_allow_private)
        .await
        .map_err(|e| {
            AppError::Unprocessable(
                Msg::new("error-endpoint-not-added").text("reason", e.to_string()),
            )
        })?;
    let events: Vec<&'static str> = EVENTS
        .iter()
        .copied()
        .filter(|e| form.get(*e).is_some_and(|v| v == "1"))
        .collect();
    if events.is_empty() {
        return Err(AppError::Unprocessable(Msg::new(
            "error-choose-at-least-one-event",
        )));
    }
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    let secret = state
        .school_tx(tenant, "webhooks", move |conn| {
            Box::pin(async move { store::add(conn, tenant, &by, url.as_str(), &events).await })
        })
        .await?;
    list_page(&state, &school, &user, Some(secret), StatusCode::CREATED).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    after: String,
}

async fn endpoint_page(
    state: &AppState,
    school: &Tenant,
    user: &CurrentUser,
    endpoint: Uuid,
    after: Option<Cursor>,
    secret: Option<String>,
) -> Page {
    let tenant = school.id;
    let (found, mut log) = state
        .school_tx(tenant, "webhooks", move |conn| {
            Box::pin(async move {
                let found = store::get(conn, tenant, endpoint).await?;
                let log = store::deliveries(conn, tenant, endpoint, after, PAGE + 1).await?;
                Ok((found, log))
            })
        })
        .await?;
    let found = found.ok_or(AppError::NotFound)?;
    let next = (log.len() as i64 > PAGE).then(|| {
        log.truncate(PAGE as usize);
        log.last()
            .map(|d| Cursor(d.created_at, d.id).encode())
            .unwrap_or_default()
    });
    let mut c = tera::Context::new();
    c.insert("endpoint", &found);
    c.insert("deliveries", &log);
    c.insert("next", &next);
    c.insert("secret", &secret);
    render(state, school, user, "admin_webhook.html", c, StatusCode::OK)
}

/// `GET /admin/webhooks/{id}?after=`: the endpoint and its deliveries, newest first.
pub async fn show(
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LogQuery>,
) -> Page {
    let endpoint: Uuid = id(&path)?;
    let after = match query.after.as_str() {
        "" => None,
        raw => Some(
            Cursor::parse(raw)
                .ok_or_else(|| AppError::bad_request(Msg::new("error-that-page-does-not-exist")))?,
        ),
    };
    endpoint_page(&state, &school, &user, endpoint, after, None).await
}

/// `POST /admin/webhooks/{id}/{action}`: `rotate` (the answer shows the new secret once; the old
/// one keeps signing for a day), `enable`, `delete`.
pub async fn act(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let (endpoint, action) = path.into_inner();
    let endpoint: Uuid = id(&endpoint)?;
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    let subject = format!("webhook:{endpoint}");
    if !matches!(action.as_str(), "rotate" | "enable" | "delete") {
        return Err(AppError::NotFound);
    }
    // The change and its audit entry in one transaction; `None`: no such endpoint here.
    let done = state
        .school_tx(tenant, "webhooks", move |conn| {
            Box::pin(async move {
                let done = match action.as_str() {
                    "rotate" => store::rotate(conn, tenant, endpoint, ROTATION_OVERLAP)
                        .await?
                        .map(|secret| (Change::new("webhook.rotated", subject), Some(secret))),
                    "enable" => store::enable(conn, tenant, endpoint)
                        .await?
                        .then(|| (Change::new("webhook.enabled", subject), None)),
                    _ => store::remove(conn, tenant, endpoint).await?.map(|url| {
                        let change =
                            Change::new("webhook.removed", subject).before(json!({ "url": url }));
                        (change, None)
                    }),
                };
                let Some((change, secret)) = done else {
                    return Ok(None);
                };
                let action = change.action;
                audit::record(conn, tenant, &by, change).await?;
                Ok(Some((action, secret)))
            })
        })
        .await?;
    match done.ok_or(AppError::NotFound)? {
        (_, Some(secret)) => {
            endpoint_page(&state, &school, &user, endpoint, None, Some(secret)).await
        }
        ("webhook.removed", _) => Ok(see_other("/admin/webhooks")),
        _ => Ok(see_other(format!("/admin/webhooks/{endpoint}"))),
    }
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery}/redeliver`: sends it again now.
pub async fn redeliver(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let (endpoint, delivery) = path.into_inner();
    let (endpoint, delivery): (Uuid, Uuid) = (id(&endpoint)?, id(&delivery)?);
    let by = audited_by(&req, &state, &user);
    let tenant = school.id;
    let found = state
        .school_tx(tenant, "webhooks", move |conn| {
            Box::pin(async move {
                let found = store::redeliver(conn, tenant, endpoint, delivery).await?;
                if found {
                    let change = Change::new("webhook.redelivered", format!("webhook:{endpoint}"))
                        .after(json!({ "delivery": delivery }));
                    audit::record(conn, tenant, &by, change).await?;
                }
                Ok(found)
            })
        })
        .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!("/admin/webhooks/{endpoint}")))
}
