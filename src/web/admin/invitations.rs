//! Invitation pages: an admin invites one person or a CSV of many (see `crate::accounts::invitations`),
//! and an invitee accepts with the mailed link, which creates their account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::invitations::{Invite, Inviter, MAX_CSV_BYTES, Refused, invite, parse_csv};
use crate::accounts::password::{self, NewPassword};
use crate::accounts::sessions::{self, Viewer};
use crate::accounts::tokens::{self, Purpose};
use crate::accounts::users::{self as accounts, NewUser};
use crate::audit::{self, Change};
use crate::db::schema::{courses, enrollments};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::web::authoring::staff::Admin;
use crate::web::csrf::{anonymous_page, check_anonymous};
use crate::web::forms::{Page, SimpleForm, checked, render};
use crate::web::host::{School, audited_by};
use crate::web::lang;

/// `POST /admin/invitations`: one person.
pub async fn invite_one(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    let text = |k: &str| form.get(k).map_or("", String::as_str);
    checked(&req, &state, &user, text("csrf"))?;
    let person = Invite::parse(text("email"), text("name"), text("role"), text("courses"))
        .map_err(|reason| {
            AppError::Unprocessable(
                Msg::new("error-invitation-not-sent").text("reason", reason.to_string()),
            )
        })?;
    let (sent, refused) = invite_in_tx(&req, &state, &school, &user, vec![(1, person)]).await?;
    report(&state, &school, &user, sent, &refused, false)
}

/// `POST /admin/invitations/csv`: many, from a file.
pub async fn invite_csv(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Page {
    let (fields, file) =
        crate::media::upload::read_small_form(req.headers(), payload, MAX_CSV_BYTES).await?;
    checked(
        &req,
        &state,
        &user,
        fields.get("csrf").map_or("", String::as_str),
    )?;
    let file = file.ok_or_else(|| AppError::Unprocessable(Msg::new("error-choose-a-csv-file")))?;
    let (rows, mut refused) = parse_csv(&file);
    let (sent, more) = invite_in_tx(&req, &state, &school, &user, rows).await?;
    refused.extend(more);
    refused.sort_by_key(|r| r.line);
    report(&state, &school, &user, sent, &refused, true)
}

/// [`invite`] in a transaction of its own, as `user`.
async fn invite_in_tx(
    req: &HttpRequest,
    state: &AppState,
    school: &std::sync::Arc<Tenant>,
    user: &crate::accounts::sessions::CurrentUser,
    rows: Vec<(u64, Invite)>,
) -> Result<(usize, Vec<Refused>), AppError> {
    let (composer, letterhead, inviter) = (state.mail.clone(), school.clone(), user.name.clone());
    let by = audited_by(req, state, user);
    let mut roles = std::collections::BTreeMap::<&str, usize>::new();
    for (_, invite) in &rows {
        *roles.entry(invite.role.as_str()).or_default() += 1;
    }
    let asked = json!({ "rows": rows.len(), "roles": roles });
    state
        .school_tx(school.id, "invitations", move |conn| {
            Box::pin(async move {
                let inviter = Inviter {
                    composer: &composer,
                    school: &letterhead,
                    name: &inviter,
                };
                let (sent, refused) = invite(conn, &inviter, rows).await?;
                if sent > 0 {
                    let change = Change::new("member.invited", format!("invitations:{sent}"))
                        .after(json!({ "asked": asked, "sent": sent }));
                    audit::record(conn, letterhead.id, &by, change).await?;
                }
                Ok((sent, refused))
            })
        })
        .await
}

fn report(
    state: &AppState,
    school: &Tenant,
    user: &crate::accounts::sessions::CurrentUser,
    sent: usize,
    refused: &[Refused],
    from_file: bool,
) -> Page {
    let mut c = tera::Context::new();
    c.insert("sent", &sent);
    c.insert("refused", refused);
    c.insert("from_file", &from_file);
    let status = if sent == 0 && !refused.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(state, school, user, "admin_invitations.html", c, status)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    name: String,
    password: String,
    csrf: String,
}

fn gone(state: &AppState, locale: Locale, school: &Tenant) -> Result<HttpResponse, AppError> {
    crate::web::notice::notice(
        state,
        locale,
        &Viewer(None),
        school,
        StatusCode::GONE,
        "invitation-gone-title",
        "invitation-gone",
    )
}

async fn pending(
    state: &AppState,
    tenant: TenantId,
    token: String,
) -> Result<Option<Invite>, AppError> {
    state
        .school_tx(tenant, "invitation", move |conn| {
            Box::pin(async move {
                Ok(tokens::peek(conn, Purpose::Invite, &token)
                    .await?
                    .and_then(|t| serde_json::from_value(t.payload).ok()))
            })
        })
        .await
}

fn accept_page(
    req: &HttpRequest,
    state: &AppState,
    school: &Tenant,
    (token, invite): (&str, &Invite),
    status: StatusCode,
    errors: &[&str],
) -> Result<HttpResponse, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", school);
    c.insert("token", token);
    c.insert("invite", invite);
    c.insert("errors", &lang::localized(req, school, errors));
    anonymous_page(req, state, status, "invitation.html", c)
}

/// `GET /invitations/{token}`: the form that creates the invited account.
pub async fn accept_form(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    match pending(&state, school.id, token.clone()).await? {
        Some(invite) => accept_page(
            &req,
            &state,
            &school,
            (&token, &invite),
            StatusCode::OK,
            &[],
        ),
        None => gone(&state, lang::of(&req, &school), &school),
    }
}

/// `POST /invitations/{token}`: creates the account with the invited role and enrollments, and
/// signs it in.
pub async fn accept(
    req: HttpRequest,
    School(school): School,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: crate::input::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    check_anonymous(&req, &state, &form.csrf)?;
    let token = token.into_inner();
    let Some(mut invite) = pending(&state, school.id, token.clone()).await? else {
        return gone(&state, lang::of(&req, &school), &school);
    };
    let name = form.name.trim();
    if !name.is_empty() {
        if name.chars().count() > 100 {
            return accept_page(
                &req,
                &state,
                &school,
                (&token, &invite),
                StatusCode::UNPROCESSABLE_ENTITY,
                &["error-enter-your-name"],
            );
        }
        invite.name = name.to_owned();
    }
    let password = match NewPassword::parse(&form.password, &invite.email) {
        Ok(p) => p,
        Err(e) => {
            return accept_page(
                &req,
                &state,
                &school,
                (&token, &invite),
                StatusCode::UNPROCESSABLE_ENTITY,
                &[e],
            );
        }
    };
    let hash = password::hash_off_thread(&state.hashing, password).await?;
    let tenant = school.id;
    let session = state
        .school_tx(tenant, "invitation_accept", move |conn| {
            Box::pin(async move {
                if tokens::redeem(conn, Purpose::Invite, &token)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                let new = NewUser {
                    email: &invite.email,
                    name: &invite.name,
                    password_hash: &hash,
                    role: invite.role,
                    // The invitation reached this mailbox.
                    verified: true,
                };
                let Some(user) = accounts::create(conn, tenant, new).await? else {
                    return Err(AppError::Conflict(Msg::new(
                        "error-an-account-with-this-address",
                    )));
                };
                enroll(conn, tenant, user, &invite.courses).await?;
                Ok(Some(sessions::create(conn, tenant, user).await?))
            })
        })
        .await?;
    let Some(session) = session else {
        return gone(&state, lang::of(&req, &school), &school);
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/learn"))
        .cookie(state.cookies.session(session))
        .cookie(state.cookies.removal(state.cookies.csrf_name()))
        .finish())
}

/// The invitation's enrollments: the admin's decision, so a course's cap and closing date do
/// not apply.
async fn enroll(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    slugs: &[String],
) -> Result<(), AppError> {
    if slugs.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = courses::table
        .filter(courses::tenant_id.eq(tenant.0))
        .filter(courses::slug.eq_any(slugs))
        .select(courses::id)
        .load(conn)
        .await?;
    let rows: Vec<_> = ids
        .into_iter()
        .map(|course| {
            (
                enrollments::tenant_id.eq(tenant.0),
                enrollments::user_id.eq(user.0),
                enrollments::course_id.eq(course),
            )
        })
        .collect();
    diesel::insert_into(enrollments::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
