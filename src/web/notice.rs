//! A page that only tells the viewer something.

use crate::accounts::render_for;
use crate::accounts::sessions::Viewer;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;

/// A page that only tells the viewer something (a link used up, a mail on its way): the
/// messages `title` and `message` in the viewer's language.
pub fn notice(
    state: &AppState,
    locale: Locale,
    viewer: &Viewer,
    school: &crate::tenancy::Tenant,
    status: actix_web::http::StatusCode,
    title: &str,
    message: &str,
) -> Result<actix_web::HttpResponse, AppError> {
    let mut c = tera::Context::new();
    c.insert("school", school);
    c.insert("title", &locale.t(title));
    c.insert(
        "message",
        &locale.tr(message, &[("school", school.name.as_str().into())]),
    );
    Ok(actix_web::HttpResponse::build(status)
        .content_type(actix_web::http::header::ContentType::html())
        .body(render_for(&state.views, locale, viewer, "notice.html", &c)?))
}
