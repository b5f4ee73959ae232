//! The admins' page of member roles.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};

use super::staff::Admin;
use serde_json::json;

use crate::accounts::sessions::Role;
use crate::audit::{self, Change};
use crate::authoring::store;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::UserId;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::forms::{Page, SimpleForm, checked_form, id, render};
use crate::web::host::{School, audited_by};

pub async fn members(
    School(tenant): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
) -> Page {
    let members = state
        .school_tx(tenant.id, "authoring_read", |conn| {
            Box::pin(async move { store::members(conn).await })
        })
        .await?;
    let mut c = tera::Context::new();
    c.insert("members", &members);
    c.insert("roles", &["learner", "instructor", "admin"]);
    render(
        &state,
        &tenant,
        &user,
        "admin_members.html",
        c,
        StatusCode::OK,
    )
}

pub async fn set_role(
    req: HttpRequest,
    School(tenant): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let member: UserId = id(&path)?;
    let role = form
        .get("role")
        .and_then(|r| Role::parse(r))
        .ok_or_else(|| {
            AppError::Unprocessable(Msg::new("error-choose-learner-instructor-or-admin"))
        })?;
    if member == user.id {
        return Err(AppError::Conflict(Msg::new(
            "error-you-cannot-change-your-own",
        )));
    }
    let by = audited_by(&req, &state, &user);
    let school = tenant.id;
    state
        .school_tx(school, "members_write", move |conn| {
            Box::pin(async move {
                let before = store::set_role(conn, member, role).await?;
                let change = Change::new("member.role", format!("user:{member}"))
                    .before(json!({ "role": before }))
                    .after(json!({ "role": role.as_str() }));
                audit::record(conn, school, &by, change).await
            })
        })
        .await?;
    state.sessions.forget_user(member);
    Ok(see_other("/admin/members"))
}
