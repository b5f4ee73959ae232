//! Learners: accounts and sessions per school.

pub mod accounts;
pub mod csrf;
pub mod password;
pub mod sessions;
pub mod throttle;

use actix_web::web::Bytes;

use crate::error::escape_html;
use sessions::Viewer;

/// Where a shared, cached page shows who is signed in.
pub const ACCOUNT_SLOT: &str = "<!--eduflow:account-->";

/// Fills the per-viewer part of a shared page: the page bytes stay the same for every visitor
/// (and cacheable); only this slot differs.
pub fn compose(page: Bytes, viewer: &Viewer) -> Bytes {
    let Some(at) = find(&page, ACCOUNT_SLOT.as_bytes()) else {
        return page;
    };
    let slot = match &viewer.0 {
        Some(user) => format!(
            "<span class=\"who\">{}</span><form class=\"inline\" method=\"post\" action=\"/logout\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Log out</button></form>",
            escape_html(&user.name),
            escape_html(&user.csrf)
        ),
        None => "<a href=\"/login\">Log in</a> <a class=\"button\" href=\"/signup\">Sign up</a>"
            .to_owned(),
    };
    let mut out = Vec::with_capacity(page.len() + slot.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(slot.as_bytes());
    out.extend_from_slice(&page[at + ACCOUNT_SLOT.len()..]);
    Bytes::from(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
