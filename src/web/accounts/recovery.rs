//! Password reset. `POST /password/forgot` gives the same answer whether or not the address has
//! an account; if it has, a link is mailed that works once, for 30 minutes. Choosing a new
//! password through it ends every session of the account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;

use crate::accounts::password::{self, NewPassword};
use crate::accounts::sessions::{self, Viewer};
use crate::accounts::tokens::{self, Purpose};
use crate::db::schema::users;
use crate::email::parse_email;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::UserId;
use crate::mail::{Kind, outbox};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::csrf::{anonymous_page, check_anonymous};
use crate::web::host::School;
use crate::web::lang;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    password: String,
    csrf: String,
}

fn forgot_page(
    req: &HttpRequest,
    state: &AppState,
    school: &crate::tenancy::Tenant,
    status: StatusCode,
    email: &str,
    sent: bool,
    errors: &[&str],
) -> Result<HttpResponse, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", school);
    c.insert("email", email);
    c.insert("sent", &sent);
    c.insert("errors", &lang::localized(req, school, errors));
    anonymous_page(req, state, status, "password_forgot.html", c)
}

pub async fn forgot_form(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    forgot_page(&req, &state, &school, StatusCode::OK, "", false, &[])
}

pub async fn forgot(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
    form: crate::input::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    check_anonymous(&req, &state, &form.csrf)?;
    let Some(email) = parse_email(&form.email) else {
        return forgot_page(
            &req,
            &state,
            &school,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.email,
            false,
            &["error-enter-a-valid-email-address"],
        );
    };
    let (composer, tenant, shown) = (state.mail.clone(), school.clone(), email.clone());
    let locale = lang::of(&req, &school);
    state
        .school_tx(school.id, "password_forgot", move |conn| {
            Box::pin(async move {
                let account: Option<(uuid::Uuid, String)> = users::table
                    .filter(users::tenant_id.eq(tenant.id.0))
                    .filter(users::email.eq(&email))
                    .filter(users::suspended_at.is_null())
                    .select((users::id, users::name))
                    .first(conn)
                    .await
                    .optional()?;
                let Some((user, name)) = account else {
                    return Ok(());
                };
                let user = UserId(user);
                if tokens::resend_wait(conn, tenant.id, Purpose::Reset, user)
                    .await?
                    .is_some()
                {
                    return Ok(());
                }
                let token = tokens::issue(
                    conn,
                    tenant.id,
                    Purpose::Reset,
                    Some(user),
                    &email,
                    serde_json::Value::Null,
                )
                .await?;
                let mut ctx = tera::Context::new();
                ctx.insert("name", &name);
                ctx.insert(
                    "link",
                    &format!("{}/password/reset/{token}", composer.origin(&tenant)),
                );
                let mail =
                    composer.compose(&tenant, Kind::Reset, (&email, Some(user)), locale, ctx)?;
                outbox::enqueue(conn, tenant.id, &mail).await
            })
        })
        .await?;
    forgot_page(&req, &state, &school, StatusCode::OK, &shown, true, &[])
}

fn expired(
    state: &AppState,
    locale: Locale,
    school: &crate::tenancy::Tenant,
) -> Result<HttpResponse, AppError> {
    crate::web::notice::notice(
        state,
        locale,
        &Viewer(None),
        school,
        StatusCode::GONE,
        "link-gone-title",
        "reset-link-gone",
    )
}

/// The live reset token's account address.
async fn reset_email(
    state: &AppState,
    school: &crate::tenancy::Tenant,
    token: String,
) -> Result<Option<String>, AppError> {
    state
        .school_tx(school.id, "password_reset", move |conn| {
            Box::pin(async move {
                Ok(tokens::peek(conn, Purpose::Reset, &token)
                    .await?
                    .map(|t| t.email))
            })
        })
        .await
}

fn reset_page(
    req: &HttpRequest,
    state: &AppState,
    school: &crate::tenancy::Tenant,
    (token, email): (&str, &str),
    status: StatusCode,
    errors: &[&str],
) -> Result<HttpResponse, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", school);
    c.insert("token", token);
    c.insert("email", email);
    c.insert("errors", &lang::localized(req, school, errors));
    anonymous_page(req, state, status, "password_reset.html", c)
}

pub async fn reset_form(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    match reset_email(&state, &school, token.clone()).await? {
        Some(email) => reset_page(&req, &state, &school, (&token, &email), StatusCode::OK, &[]),
        None => expired(&state, lang::of(&req, &school), &school),
    }
}

pub async fn reset(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: crate::input::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    check_anonymous(&req, &state, &form.csrf)?;
    let token = token.into_inner();
    let Some(email) = reset_email(&state, &school, token.clone()).await? else {
        return expired(&state, lang::of(&req, &school), &school);
    };
    let password = match NewPassword::parse(&form.password, &email) {
        Ok(password) => password,
        Err(e) => {
            return reset_page(
                &req,
                &state,
                &school,
                (&token, &email),
                StatusCode::UNPROCESSABLE_ENTITY,
                &[e],
            );
        }
    };
    let hash = password::hash_off_thread(&state.hashing, password).await?;
    let tenant = school.id;
    let changed = state
        .school_tx(tenant, "password_reset", move |conn| {
            Box::pin(async move {
                // Redeemed here, not when the page opened: of two tabs racing, one wins.
                let Some(issued) = tokens::redeem(conn, Purpose::Reset, &token).await? else {
                    return Ok(None);
                };
                let Some(user) = issued.user.map(UserId) else {
                    return Ok(None);
                };
                let updated = diesel::update(
                    users::table
                        .filter(users::tenant_id.eq(tenant.0))
                        .filter(users::id.eq(user.0))
                        .filter(users::email.eq(&issued.email)),
                )
                .set((
                    users::password_hash.eq(&hash),
                    // The link reached this mailbox: the address is theirs.
                    users::email_verified_at.eq(Some(Utc::now())),
                ))
                .execute(conn)
                .await?;
                if updated == 0 {
                    return Ok(None);
                }
                tokens::retire(conn, tenant, Purpose::Reset, user).await?;
                sessions::end_all(conn, tenant, user).await?;
                Ok(Some(user))
            })
        })
        .await?;
    let Some(user) = changed else {
        return expired(&state, lang::of(&req, &school), &school);
    };
    state.sessions.forget_user(user);
    state.throttle.succeeded(&format!("{tenant}/{email}"));
    Ok(see_other("/login?reset=1"))
}
