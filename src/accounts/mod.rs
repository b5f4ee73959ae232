//! Accounts: every role's people of a school, their passwords, sessions and one-time tokens, and
//! the account part of every page.

pub mod invitations;
pub mod live;
pub mod members;
pub mod password;
pub mod sessions;
pub mod sso;
pub mod throttle;
pub mod tokens;
pub mod users;

use actix_web::web::Bytes;

use crate::error::{AppError, escape_html};
use crate::views::Views;
use sessions::{Role, Viewer};

/// Where a shared, cached page shows who is signed in.
pub const ACCOUNT_SLOT: &str = "<!--eduflow:account-->";

/// The account part of the page header for this viewer.
pub fn account_slot(viewer: &Viewer) -> String {
    match &viewer.0 {
        Some(user) => format!(
            "{}<a href=\"/learn\">My learning</a> <span class=\"who\">{}</span>\
             <form class=\"inline\" method=\"post\" action=\"/logout\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Log out</button></form>",
            match user.role {
                Role::Admin =>
                    "<a href=\"/author\">Authoring</a> <a href=\"/admin/members\">Members</a> ",
                Role::Instructor => "<a href=\"/author\">Authoring</a> ",
                Role::Learner => "",
            },
            escape_html(&user.name),
            escape_html(&user.csrf)
        ),
        None => "<a href=\"/login\">Log in</a> <a class=\"button\" href=\"/signup\">Sign up</a>"
            .to_owned(),
    }
}

/// A page rendered for one viewer (never cached): the template, then the account slot.
pub fn render_for(
    views: &Views,
    viewer: &Viewer,
    template: &str,
    ctx: &tera::Context,
) -> Result<Bytes, AppError> {
    let body = views.render(template, ctx)?;
    Ok(crate::encoded::compose(
        body.into(),
        &[(ACCOUNT_SLOT, account_slot(viewer))],
    ))
}
