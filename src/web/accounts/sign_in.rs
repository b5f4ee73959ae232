//! Sign-up, log-in and log-out: plain HTML forms (`name`, `email`, `password`).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;

use crate::accounts::password::{self, NewPassword};
use crate::accounts::sessions::{self, Role, Viewer};
use crate::accounts::users::{self, NewUser};
use crate::db::schema::users as user_rows;
use crate::email::parse_email;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::ids::UserId;
use crate::sso::providers;
use crate::state::AppState;
use crate::web::accounts::sso;
use crate::web::csrf::{
    CsrfForm, anonymous_page, check_anonymous, check_origin, check_token, local_path,
};
use crate::web::host::{School, client_ip};
use crate::web::lang;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    name: String,
    email: String,
    password: String,
    csrf: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
    /// Arriving from a password reset.
    reset: Option<String>,
    /// `password`: the password form on an SSO-only school's login page (admins' way in).
    with: Option<String>,
}

struct FormPage<'a> {
    template: &'static str,
    status: StatusCode,
    form: &'a AccountForm,
    errors: Vec<&'a str>,
    notice: Option<&'a str>,
    with_password: bool,
}

/// The school's identity providers (their buttons) and whether it is SSO-only.
async fn sso_choices(
    state: &AppState,
    school: &School,
) -> Result<(Vec<serde_json::Value>, bool), AppError> {
    let tenant = school.0.id;
    state
        .school_tx(tenant, "sso choices", move |conn| {
            Box::pin(async move {
                let buttons = providers::list(conn, tenant)
                    .await?
                    .iter()
                    .map(|p| serde_json::json!({ "name": p.name, "label": p.label }))
                    .collect();
                Ok((buttons, providers::sso_only(conn, tenant).await?))
            })
        })
        .await
}

/// Renders a sign-up or log-in form with the anonymous anti-forgery token (double-submit cookie),
/// and a button per identity provider of the school.
async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    school: &School,
    page: FormPage<'_>,
) -> Result<HttpResponse, AppError> {
    let (sso, sso_only) = sso_choices(state, school).await?;
    let mut c = tera::Context::new();
    c.insert("sso", &sso);
    c.insert("sso_only", &sso_only);
    c.insert("with_password", &page.with_password);
    c.insert("school", &*school.0);
    c.insert("name", &page.form.name);
    c.insert("email", &page.form.email);
    c.insert("next", &page.form.next);
    c.insert("errors", &lang::localized(req, &school.0, &page.errors));
    c.insert(
        "notice",
        &page.notice.map(|id| lang::of(req, &school.0).t(id)),
    );
    anonymous_page(req, state, page.status, page.template, c)
}

pub(crate) fn signed_in(state: &AppState, token: String, next: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_path(Some(next))))
        .cookie(state.cookies.session(token))
        .cookie(state.cookies.removal(state.cookies.csrf_name()))
        .finish()
}

/// An empty sign-up or log-in form (`template`), remembering where to go afterwards.
async fn blank_form(
    req: &HttpRequest,
    state: &AppState,
    school: &School,
    q: NextQuery,
    template: &'static str,
) -> Result<HttpResponse, AppError> {
    let with_password = q.with.as_deref() == Some("password");
    let form = AccountForm {
        next: q.next,
        ..AccountForm::default()
    };
    form_page(
        req,
        state,
        school,
        FormPage {
            template,
            status: StatusCode::OK,
            form: &form,
            errors: vec![],
            notice: q.reset.is_some().then_some("notice-password-changed"),
            with_password,
        },
    )
    .await
}

pub async fn signup_form(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    blank_form(&req, &state, &school, q.into_inner(), "signup.html").await
}

pub async fn login_form(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    blank_form(&req, &state, &school, q.into_inner(), "login.html").await
}

pub async fn signup(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    form: crate::input::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_anonymous(&req, &state, &form.csrf)?;
    let tenant = school.0.id;
    let sso_only = state
        .school_tx(tenant, "sso only", move |conn| {
            Box::pin(async move { providers::sso_only(conn, tenant).await })
        })
        .await?;
    if sso_only {
        return Err(sso_only_refusal(&school));
    }
    let address = client_ip(&req, &state.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    if let Some(wait) = state.signups.attempt(&address) {
        return Err(AppError::TooManyRequests(wait));
    }
    let mut errors = Vec::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push("error-enter-your-name");
    }
    let email = parse_email(&form.email);
    if email.is_none() {
        errors.push("error-enter-a-valid-email-address");
    }
    let password = NewPassword::parse(&form.password, email.as_deref().unwrap_or_default());
    if let Err(e) = &password {
        errors.push(e);
    }
    let (Some(email), Ok(password), true) = (email, password, errors.is_empty()) else {
        return form_page(
            &req,
            &state,
            &school,
            FormPage {
                template: "signup.html",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                form: &form,
                errors,
                notice: None,
                with_password: true,
            },
        )
        .await;
    };
    let hash = password::hash_off_thread(&state.hashing, password).await?;
    let (tenant, admins) = (school.0.id, school.0.admin_emails.clone());
    let (composer, letterhead) = (state.mail.clone(), school.0.clone());
    let locale = lang::of(&req, &school.0);
    let created = state
        .school_tx(tenant, "signup", move |conn| {
            Box::pin(async move {
                let role = if admins.contains(&email) {
                    Role::Admin
                } else {
                    Role::Learner
                };
                let new = NewUser {
                    email: &email,
                    name: &name,
                    password_hash: &hash,
                    role,
                    verified: false,
                };
                let Some(id) = users::create(conn, tenant, new).await? else {
                    return Ok(None);
                };
                // The language they signed up in is theirs until they choose another.
                users::set_locale(conn, tenant, id, locale).await?;
                crate::web::accounts::verification::send(
                    conn,
                    &composer,
                    &letterhead,
                    id,
                    &name,
                    &email,
                    locale,
                )
                .await?;
                Ok(Some(sessions::create(conn, tenant, id).await?))
            })
        })
        .await?;
    match created {
        Some(token) => Ok(signed_in(&state, token, &form.next)),
        None => form_page(
            &req,
            &state,
            &school,
            FormPage {
                template: "signup.html",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                form: &form,
                errors: vec![
                    "An account cannot be created with this email. If you already have one, log in instead.",
                ],
                notice: None,
                with_password: true,
            },
        )
        .await,
    }
}

pub async fn login(
    req: HttpRequest,
    school: School,
    state: web::Data<AppState>,
    form: crate::input::Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    check_anonymous(&req, &state, &form.csrf)?;
    let tenant = school.0.id;
    let email = parse_email(&form.email).unwrap_or_default();
    let account = format!("{tenant}/{email}");
    let address = client_ip(&req, &state.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    if let Some(wait) = state.throttle.blocked(&account, &address) {
        return Err(AppError::TooManyRequests(wait));
    }
    let lookup_email = email.clone();
    // The account and the school's SSO-only switch, read together.
    type Found = (uuid::Uuid, String, bool, String, Option<String>);
    let (found, sso_only): (Option<Found>, bool) = state
        .school_tx(tenant, "login", move |conn| {
            Box::pin(async move {
                let found = user_rows::table
                    .filter(user_rows::email.eq(lookup_email))
                    .select((
                        user_rows::id,
                        user_rows::password_hash,
                        user_rows::suspended_at.is_not_null(),
                        user_rows::role,
                        user_rows::locale,
                    ))
                    .first(conn)
                    .await
                    .optional()?;
                Ok((found, providers::sso_only(conn, tenant).await?))
            })
        })
        .await?;
    let attempt = form.password.clone();
    let stored = found.as_ref().map(|(_, h, ..)| h.clone());
    let ok = password::off_thread(&state.hashing, move || {
        password::verify(&attempt, stored.as_deref())
    })
    .await
    .map_err(AppError::internal)?;
    let (true, Some((user, _, suspended, role, locale))) = (ok, found) else {
        state.throttle.failed(&account, &address);
        let errors = vec!["error-email-or-password"];
        return form_page(
            &req,
            &state,
            &school,
            FormPage {
                template: "login.html",
                status: StatusCode::UNAUTHORIZED,
                form: &form,
                errors,
                notice: None,
                with_password: true,
            },
        )
        .await;
    };
    state.throttle.succeeded(&account);
    if sso_only && role != Role::Admin.as_str() {
        return Err(sso_only_refusal(&school));
    }
    if suspended {
        return Err(AppError::Forbidden(
            Msg::new("error-account-suspended").text("school", school.0.name.clone()),
        ));
    }
    // A fresh token on every login; whatever session the browser brought is ended (no fixation).
    let previous = req
        .cookie(state.cookies.session_name())
        .map(|c| c.value().to_owned());
    if let Some(previous) = &previous {
        state.sessions.forget(&sessions::token_digest(previous));
    }
    let token = state
        .school_tx(tenant, "login", move |conn| {
            Box::pin(async move {
                if let Some(previous) = previous {
                    sessions::delete(conn, &previous).await?;
                }
                sessions::create(conn, tenant, UserId(user)).await
            })
        })
        .await?;
    let mut res = signed_in(&state, token, &form.next);
    // The account's language follows it to this browser.
    if let Some(locale) = locale.as_deref().and_then(Locale::parse) {
        res.add_cookie(&state.cookies.lang(locale.tag()))
            .map_err(AppError::internal)?;
    }
    Ok(res)
}

/// What an SSO-only school answers a sign-up, and a password sign-in by anyone but an admin
/// (admins keep the password: their way in when the provider is down or misconfigured).
fn sso_only_refusal(school: &School) -> AppError {
    AppError::Forbidden(Msg::new("error-sso-only").text("school", school.0.name.clone()))
}

pub async fn logout(
    req: HttpRequest,
    school: School,
    viewer: Viewer,
    state: web::Data<AppState>,
    form: crate::input::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    check_origin(&req, &state)?;
    let Viewer(Some(user)) = viewer else {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/"))
            .finish());
    };
    check_token(Some(&user.csrf), &form.csrf)?;
    let mut provider_logout = None;
    if let Some(token) = req
        .cookie(state.cookies.session_name())
        .map(|c| c.value().to_owned())
    {
        state.sessions.forget(&sessions::token_digest(&token));
        let ended = state
            .school_tx(school.0.id, "logout", move |conn| {
                Box::pin(async move { sessions::delete(conn, &token).await })
            })
            .await?;
        if let Some((provider, id_token)) = ended {
            provider_logout = sso::logout_target(&req, &state, &school, &provider, &id_token).await;
        }
    }
    let ended = state.cookies.removal(state.cookies.session_name());
    // The provider's logout is reached through a page, not a redirect: pages allow forms to go
    // to this school only (CSP `form-action 'self'`), and that holds for a form's redirects too.
    if let Some((label, to)) = provider_logout {
        let mut c = tera::Context::new();
        c.insert("school", &*school.0);
        c.insert("provider", &label);
        c.insert("provider_logout", &to);
        let page = crate::accounts::render_for(
            &state.views,
            user.locale,
            &Viewer(None),
            "signed_out.html",
            &c,
        )?;
        return Ok(HttpResponse::Ok()
            .content_type(actix_web::http::header::ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .cookie(ended)
            .body(page));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/"))
        .cookie(ended)
        .finish())
}
