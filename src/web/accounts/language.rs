//! `POST /account/language`: the account's language, for its mail and for every browser it
//! signs in on; this browser switches at once.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::accounts::sessions::Viewer;
use crate::accounts::users;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::redirect::see_other;
use crate::state::AppState;
use crate::web::csrf::form_user;
use crate::web::host::School;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    locale: String,
    csrf: String,
}

pub async fn choose(
    req: HttpRequest,
    School(school): School,
    viewer: Viewer,
    state: web::Data<AppState>,
    form: crate::input::Form<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let user = form_user(&req, &state, viewer, &form.csrf, "/account")?;
    let locale = Locale::parse(&form.locale)
        .filter(|l| school.locales.contains(l))
        .ok_or_else(|| AppError::Unprocessable(Msg::new("error-language-not-offered")))?;
    let tenant = school.id;
    state
        .school_tx(tenant, "account_language", move |conn| {
            Box::pin(async move { users::set_locale(conn, tenant, user.id, locale).await })
        })
        .await?;
    let mut res = see_other("/account");
    res.add_cookie(&state.cookies.lang(locale.tag()))
        .map_err(AppError::internal)?;
    Ok(res)
}
