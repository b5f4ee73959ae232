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
use crate::i18n::Locale;
use crate::views::Views;
use sessions::{Role, Viewer};

/// Where a shared, cached page shows who is signed in.
pub const ACCOUNT_SLOT: &str = "<!--eduflow:account-->";

/// The account part of the page header for this viewer.
pub fn account_slot(locale: Locale, viewer: &Viewer) -> String {
    let t = |id| escape_html(&locale.t(id));
    match &viewer.0 {
        Some(user) => {
            let staff = match user.role {
                Role::Admin => format!(
                    "<a href=\"/author\">{}</a> <a href=\"/admin/members\">{}</a> ",
                    t("nav-authoring"),
                    t("nav-members")
                ),
                Role::Instructor => format!("<a href=\"/author\">{}</a> ", t("nav-authoring")),
                Role::Learner => String::new(),
            };
            format!(
                "{staff}<a href=\"/learn\">{}</a> <span class=\"who\">{}</span>\
                 <form class=\"inline\" method=\"post\" action=\"/logout\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">{}</button></form>",
                t("my-learning"),
                escape_html(&user.name),
                escape_html(&user.csrf),
                t("log-out"),
            )
        }
        None => format!(
            "<a href=\"/login\">{}</a> <a class=\"button\" href=\"/signup\">{}</a>",
            t("log-in"),
            t("sign-up")
        ),
    }
}

/// A page rendered for one viewer (never cached): the template, then the account slot.
pub fn render_for(
    views: &Views,
    locale: Locale,
    viewer: &Viewer,
    template: &str,
    ctx: &tera::Context,
) -> Result<Bytes, AppError> {
    let body = views.render(locale, template, ctx)?;
    Ok(crate::encoded::compose(
        body.into(),
        &[(ACCOUNT_SLOT, account_slot(locale, viewer))],
    ))
}
