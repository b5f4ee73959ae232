//! Changing an account's email address: the new address must confirm it. The form takes the
//! new address and the current password; the link mailed to the new address (24 hours, single
//! use) makes the change.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;

use super::personal::password_matches;
use crate::accounts::sessions::Viewer;
use crate::accounts::tokens::{self, Purpose};
use crate::db::schema::users;
use crate::email::parse_email;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::UserId;
use crate::mail::{Kind, outbox};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::csrf::form_user;
use crate::web::host::School;
use crate::web::lang::Lang;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    email: String,
    password: String,
    csrf: String,
}

/// `POST /account/email`: mails a confirmation link to the new address.
pub async fn request(
    req: HttpRequest,
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    form: crate::input::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let user = form_user(&req, &state, viewer, &form.csrf, "/account")?;
    let email = parse_email(&form.email)
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-enter-a-valid-email-address")))?;
    if email == user.email {
        return Err(AppError::Unprocessable(Msg::new(
            "error-that-is-already-your-address",
        )));
    }
    if !password_matches(&state, school.id, user.id, form.password.clone()).await? {
        return Err(AppError::Forbidden(Msg::new(
            "error-that-is-not-your-password-3",
        )));
    }
    let (composer, letterhead) = (state.mail.clone(), school.clone());
    let wait = state
        .school_tx(school.id, "email_change", move |conn| {
            Box::pin(async move {
                let tenant = letterhead.id;
                let taken: i64 = users::table
                    .filter(users::tenant_id.eq(tenant.0))
                    .filter(users::email.eq(&email))
                    .count()
                    .get_result(conn)
                    .await?;
                if taken > 0 {
                    return Err(AppError::Conflict(Msg::new(
                        "error-another-account-here-uses-that",
                    )));
                }
                if let Some(wait) =
                    tokens::resend_wait(conn, tenant, Purpose::Email, user.id).await?
                {
                    return Ok(Some(wait));
                }
                let token = tokens::issue(
                    conn,
                    tenant,
                    Purpose::Email,
                    Some(user.id),
                    &email,
                    serde_json::Value::Null,
                )
                .await?;
                let mut ctx = tera::Context::new();
                ctx.insert("name", &user.name);
                ctx.insert("email", &email);
                ctx.insert(
                    "link",
                    &format!("{}/account/email/{token}", composer.origin(&letterhead)),
                );
                let mail = composer.compose(
                    &letterhead,
                    Kind::EmailChange,
                    (&email, Some(user.id)),
                    user.locale,
                    ctx,
                )?;
                outbox::enqueue(conn, tenant, &mail).await?;
                Ok(None)
            })
        })
        .await?;
    match wait {
        Some(wait) => Err(AppError::TooManyRequests(wait)),
        None => Ok(see_other("/account?email_sent=1")),
    }
}

/// `GET /account/email/{token}`: the new address confirmed; the account uses it from now on.
pub async fn confirm(
    School(school): School,
    viewer: Viewer,
    Lang(locale): Lang,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tenant = school.id;
    let token = token.into_inner();
    let changed = state
        .school_tx(tenant, "email_change", move |conn| {
            Box::pin(async move {
                let Some(issued) = tokens::redeem(conn, Purpose::Email, &token).await? else {
                    return Ok(None);
                };
                let Some(user) = issued.user.map(UserId) else {
                    return Ok(None);
                };
                let taken: i64 = users::table
                    .filter(users::tenant_id.eq(tenant.0))
                    .filter(users::email.eq(&issued.email))
                    .count()
                    .get_result(conn)
                    .await?;
                if taken > 0 {
                    return Ok(Some(false));
                }
                let updated = diesel::update(
                    users::table
                        .filter(users::tenant_id.eq(tenant.0))
                        .filter(users::id.eq(user.0))
                        .filter(users::erased_at.is_null()),
                )
                .set((
                    users::email.eq(&issued.email),
                    users::email_verified_at.eq(Some(Utc::now())),
                ))
                .execute(conn)
                .await;
                match updated {
                    Ok(0) => Ok(None),
                    Ok(_) => {
                        tokens::retire(conn, tenant, Purpose::Email, user).await?;
                        Ok(Some(true))
                    }
                    // Taken by a sign-up committed a moment ago: the transaction is void, the
                    // person sees a conflict and the link stays usable.
                    Err(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        _,
                    )) => Err(AppError::Conflict(Msg::new(
                        "error-another-account-here-uses-that-2",
                    ))),
                    Err(e) => Err(e.into()),
                }
            })
        })
        .await?;
    let (status, title, message) = match changed {
        Some(true) => (StatusCode::OK, "address-changed-title", "address-changed"),
        Some(false) => (StatusCode::CONFLICT, "address-taken-title", "address-taken"),
        None => (StatusCode::GONE, "link-gone-title", "email-link-gone"),
    };
    crate::web::notice::notice(&state, locale, &viewer, &school, status, title, message)
}
