//! Learners: accounts and sessions per school.

pub mod accounts;
pub mod csrf;
pub mod email_change;
pub mod password;
pub mod personal;
pub mod recovery;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod verification;

use actix_web::web::Bytes;

use crate::bytes::find;
use crate::error::{AppError, escape_html};
use crate::views::Views;
use sessions::{Role, Viewer};

/// Where a shared, cached page shows who is signed in.
pub const ACCOUNT_SLOT: &str = "<!--eduflow:account-->";

/// Fills the per-viewer parts of a shared page: the page bytes stay the same for every visitor
/// (and cacheable); only the slots differ. Slots must appear in the page in the order given.
pub fn compose(page: Bytes, slots: &[(&str, String)]) -> Bytes {
    if slots.is_empty() {
        return page;
    }
    let mut out =
        Vec::with_capacity(page.len() + slots.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut rest: &[u8] = &page;
    for (marker, content) in slots {
        if let Some(at) = find(rest, marker.as_bytes()) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(content.as_bytes());
            rest = &rest[at + marker.len()..];
        }
    }
    out.extend_from_slice(rest);
    Bytes::from(out)
}

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
    Ok(compose(
        body.into(),
        &[(ACCOUNT_SLOT, account_slot(viewer))],
    ))
}

/// A page that only tells the viewer something (a link used up, a mail on its way).
pub fn notice(
    state: &crate::startup::AppState,
    viewer: &Viewer,
    school: &crate::tenancy::Tenant,
    status: actix_web::http::StatusCode,
    title: &str,
    message: &str,
) -> Result<actix_web::HttpResponse, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", school);
    c.insert("title", title);
    c.insert("message", message);
    Ok(actix_web::HttpResponse::build(status)
        .content_type(actix_web::http::header::ContentType::html())
        .body(render_for(&state.views, viewer, "notice.html", &c)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled_in_order_and_missing_ones_skipped() {
        let page = Bytes::from_static(b"<a><!--x--><b><!--y--></b>");
        let out = compose(
            page,
            &[
                ("<!--x-->", "1".into()),
                ("<!--z-->", "2".into()),
                ("<!--y-->", "<i>".into()),
            ],
        );
        assert_eq!(&out[..], b"<a>1<b><i></b>");
    }
}
