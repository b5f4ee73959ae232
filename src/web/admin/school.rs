//! `/admin/school`: the school's languages (its default and those its people may choose) and its
//! accent colour, which must stay readable (see `colour`). A change reaches every instance
//! through the school list's reload, and is on the audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use serde_json::json;

use crate::audit::{self, Change};
use crate::colour;
use crate::error::AppError;
use crate::i18n::{Locale, Msg};
use crate::redirect::see_other;
use crate::state::AppState;
use crate::tenancy::{files, look};
use crate::web::authoring::staff::Admin;
use crate::web::forms::{Page, SimpleForm, checked_form, render};
use crate::web::host::{School, audited_by};

/// `GET /admin/school`.
pub async fn show(School(school): School, Admin(user): Admin, state: web::Data<AppState>) -> Page {
    let languages: Vec<serde_json::Value> = Locale::all()
        .into_iter()
        .filter(|l| *l != Locale::PSEUDO)
        .map(|l| {
            json!({
                "tag": l.tag(),
                "name": l.name(),
                "offered": school.locales.contains(&l),
                "default": l == school.locale,
            })
        })
        .collect();
    let mut c = tera::Context::new();
    c.insert("languages", &languages);
    c.insert("accent", &school.accent_color);
    render(
        &state,
        &school,
        &user,
        "admin_school.html",
        c,
        StatusCode::OK,
    )
}

/// `POST /admin/school`: `locale`, an `offer-<tag>` box per offered language, `accent`.
pub async fn save(
    req: HttpRequest,
    School(school): School,
    Admin(user): Admin,
    state: web::Data<AppState>,
    form: SimpleForm,
) -> Page {
    checked_form(&req, &state, &user, &form)?;
    let mut offered: Vec<Locale> = form
        .iter()
        .filter(|(_, v)| v.as_str() == "1")
        .filter_map(|(k, _)| Locale::parse(k.strip_prefix("offer-")?))
        .collect();
    offered.sort_by_key(|l| l.tag());
    let tags: Vec<String> = offered.iter().map(|l| l.tag().to_owned()).collect();
    let wanted = form.get("locale").map(String::as_str);
    let (locale, mut locales) = files::languages(wanted, Some(&tags))
        .map_err(|_| AppError::Unprocessable(Msg::new("error-default-language-offered")))?;
    // The default first: it is the language the school lists first.
    locales.sort_by_key(|l| *l != locale);
    let accent = colour::accent(form.get("accent").map_or("", |a| a.trim())).map_err(|e| {
        AppError::Unprocessable(match e {
            colour::Refusal::NotHex => Msg::new("error-accent-not-hex"),
            colour::Refusal::LowContrast { ratio, suggestion } => {
                Msg::new("error-accent-too-light")
                    .number("ratio", ratio)
                    .text("suggestion", suggestion)
            }
        })
    })?;
    let before = json!({
        "locale": school.locale,
        "locales": school.locales.iter().map(|l| l.tag()).collect::<Vec<_>>(),
        "accent_color": school.accent_color,
    });
    let after = json!({
        "locale": locale,
        "locales": locales.iter().map(|l| l.tag()).collect::<Vec<_>>(),
        "accent_color": accent,
    });
    let by = audited_by(&req, &state, &user);
    state
        .school_tx(school.id, "school_look", move |conn| {
            Box::pin(async move {
                look::set(conn, locale, &locales, &accent).await?;
                let change = Change::new("school.look_changed", "school:look")
                    .before(before)
                    .after(after);
                audit::record(conn, school.id, &by, change).await
            })
        })
        .await?;
    Ok(see_other("/admin/school?saved=1"))
}
