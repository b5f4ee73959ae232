//! Email verification: sign-up mails a link; opening it confirms the address. A school may
//! require a confirmed address before enrolling (`[accounts] require_verified_email`).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::accounts::sessions::Viewer;
use crate::accounts::tokens::{self, Purpose};
use crate::db::schema::users;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::{TenantId, UserId};
use crate::mail::{Composer, Kind, outbox};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::csrf::{CsrfForm, form_user};
use crate::web::host::School;
use crate::web::lang::Lang;

/// Mails `email` a link confirming it, in the caller's transaction.
pub async fn send(
    conn: &mut AsyncPgConnection,
    composer: &Composer,
    school: &Tenant,
    user: UserId,
    name: &str,
    email: &str,
    locale: Locale,
) -> Result<(), AppError> {
    let token = tokens::issue(
        conn,
        school.id,
        Purpose::Verify,
        Some(user),
        email,
        serde_json::Value::Null,
    )
    .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("name", name);
    ctx.insert("email", email);
    ctx.insert(
        "link",
        &format!("{}/account/verify/{token}", composer.origin(school)),
    );
    let mail = composer.compose(school, Kind::Verify, (email, Some(user)), locale, ctx)?;
    outbox::enqueue(conn, school.id, &mail).await
}

async fn mark_verified(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: uuid::Uuid,
    email: &str,
) -> Result<bool, AppError> {
    // Only the address the link was sent to: a link outlives an address change.
    Ok(diesel::update(
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::id.eq(user))
            .filter(users::email.eq(email)),
    )
    .set(users::email_verified_at.eq(Utc::now()))
    .execute(conn)
    .await?
        > 0)
}

/// `GET /account/verify/{token}`: opening the mailed link confirms the address.
pub async fn confirm(
    School(school): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tenant = school.id;
    let token = token.into_inner();
    let confirmed = state
        .school_tx(tenant, "verify", move |conn| {
            Box::pin(async move {
                match tokens::redeem(conn, Purpose::Verify, &token).await? {
                    Some(issued) => match issued.user {
                        Some(user) => mark_verified(conn, tenant, user, &issued.email).await,
                        None => Ok(false),
                    },
                    None => Ok(false),
                }
            })
        })
        .await?;
    if confirmed {
        crate::web::notice::notice(
            &state,
            locale,
            &viewer,
            &school,
            actix_web::http::StatusCode::OK,
            "address-confirmed-title",
            "address-confirmed",
        )
    } else {
        crate::web::notice::notice(
            &state,
            locale,
            &viewer,
            &school,
            actix_web::http::StatusCode::GONE,
            "link-gone-title",
            "verify-link-gone",
        )
    }
}

/// `POST /account/verify`: mails a new link, at most once a minute.
pub async fn resend(
    req: HttpRequest,
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    form: crate::input::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let user = form_user(&req, &state, viewer, &form.csrf, "/account")?;
    if user.verified {
        return Ok(see_other("/account"));
    }
    let composer = state.mail.clone();
    let wait = state
        .school_tx(school.id, "verify_resend", move |conn| {
            Box::pin(async move {
                if let Some(wait) =
                    tokens::resend_wait(conn, school.id, Purpose::Verify, user.id).await?
                {
                    return Ok(Some(wait));
                }
                send(
                    conn,
                    &composer,
                    &school,
                    user.id,
                    &user.name,
                    &user.email,
                    user.locale,
                )
                .await?;
                Ok(None)
            })
        })
        .await?;
    match wait {
        Some(wait) => Err(AppError::TooManyRequests(wait)),
        None => Ok(see_other("/account?sent=1")),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountQuery {
    sent: Option<String>,
    email_sent: Option<String>,
}

#[derive(serde::Serialize)]
struct AccountView<'a> {
    name: &'a str,
    email: &'a str,
    verified: bool,
}

/// `GET /account`: who you are here, and whether your address is confirmed.
pub async fn account(
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<AccountQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(user) = &viewer.0 else {
        return Err(AppError::SignIn("/account".into()));
    };
    let mut c = tera::Context::new();
    c.insert("school", &*school);
    c.insert(
        "user",
        &AccountView {
            name: &user.name,
            email: &user.email,
            verified: user.verified,
        },
    );
    c.insert("csrf", &user.csrf);
    c.insert("required", &school.accounts.require_verified_email);
    c.insert("sent", &q.sent.is_some());
    c.insert("email_sent", &q.email_sent.is_some());
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::html())
        .body(crate::accounts::render_for(
            &state.views,
            user.locale,
            &viewer,
            "account.html",
            &c,
        )?))
}
