//! Tera templates, compiled into the binary so one file deploys everywhere. Pages and HTML mail
//! are named `*.html`, so tera escapes whatever they interpolate; the plain-text mail bodies
//! (`mail/*.txt`) are not HTML and are not escaped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fluent_bundle::FluentValue;
use tera::{Context, Tera};

use crate::error::AppError;
use crate::i18n::Locale;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("catalog.html", include_str!("../templates/catalog.html")),
    ("course.html", include_str!("../templates/course.html")),
    ("landing.html", include_str!("../templates/landing.html")),
    ("signup.html", include_str!("../templates/signup.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("lesson.html", include_str!("../templates/lesson.html")),
    ("learn.html", include_str!("../templates/learn.html")),
    ("quiz.html", include_str!("../templates/quiz.html")),
    (
        "quiz_result.html",
        include_str!("../templates/quiz_result.html"),
    ),
    (
        "certificate.html",
        include_str!("../templates/certificate.html"),
    ),
    (
        "author_index.html",
        include_str!("../templates/author_index.html"),
    ),
    (
        "author_course.html",
        include_str!("../templates/author_course.html"),
    ),
    (
        "author_lesson.html",
        include_str!("../templates/author_lesson.html"),
    ),
    (
        "admin_members.html",
        include_str!("../templates/admin_members.html"),
    ),
    ("notice.html", include_str!("../templates/notice.html")),
    ("lti_post.html", include_str!("../templates/lti_post.html")),
    (
        "author_grades.html",
        include_str!("../templates/author_grades.html"),
    ),
    (
        "admin_lti.html",
        include_str!("../templates/admin_lti.html"),
    ),
    (
        "password_forgot.html",
        include_str!("../templates/password_forgot.html"),
    ),
    (
        "password_reset.html",
        include_str!("../templates/password_reset.html"),
    ),
    ("account.html", include_str!("../templates/account.html")),
    (
        "admin_invitations.html",
        include_str!("../templates/admin_invitations.html"),
    ),
    (
        "invitation.html",
        include_str!("../templates/invitation.html"),
    ),
    (
        "unsubscribe.html",
        include_str!("../templates/unsubscribe.html"),
    ),
    (
        "admin_learners.html",
        include_str!("../templates/admin_learners.html"),
    ),
    (
        "admin_api.html",
        include_str!("../templates/admin_api.html"),
    ),
    (
        "signed_out.html",
        include_str!("../templates/signed_out.html"),
    ),
    (
        "admin_school.html",
        include_str!("../templates/admin_school.html"),
    ),
    (
        "admin_sso.html",
        include_str!("../templates/admin_sso.html"),
    ),
    (
        "admin_webhooks.html",
        include_str!("../templates/admin_webhooks.html"),
    ),
    (
        "admin_webhook.html",
        include_str!("../templates/admin_webhook.html"),
    ),
    (
        "admin_audit.html",
        include_str!("../templates/admin_audit.html"),
    ),
    (
        "admin_learner.html",
        include_str!("../templates/admin_learner.html"),
    ),
    (
        "author_learners.html",
        include_str!("../templates/author_learners.html"),
    ),
    (
        "mail/layout.html",
        include_str!("../templates/mail/layout.html"),
    ),
    (
        "mail/macros.html",
        include_str!("../templates/mail/macros.html"),
    ),
    (
        "mail/verify.txt",
        include_str!("../templates/mail/verify.txt"),
    ),
    (
        "mail/verify.html",
        include_str!("../templates/mail/verify.html"),
    ),
    (
        "mail/reset.txt",
        include_str!("../templates/mail/reset.txt"),
    ),
    (
        "mail/reset.html",
        include_str!("../templates/mail/reset.html"),
    ),
    (
        "mail/email_change.txt",
        include_str!("../templates/mail/email_change.txt"),
    ),
    (
        "mail/email_change.html",
        include_str!("../templates/mail/email_change.html"),
    ),
    (
        "mail/invite.txt",
        include_str!("../templates/mail/invite.txt"),
    ),
    (
        "mail/invite.html",
        include_str!("../templates/mail/invite.html"),
    ),
    (
        "mail/enrollment.txt",
        include_str!("../templates/mail/enrollment.txt"),
    ),
    (
        "mail/enrollment.html",
        include_str!("../templates/mail/enrollment.html"),
    ),
    (
        "mail/webhook_disabled.txt",
        include_str!("../templates/mail/webhook_disabled.txt"),
    ),
    (
        "mail/webhook_disabled.html",
        include_str!("../templates/mail/webhook_disabled.html"),
    ),
    (
        "mail/announcement.txt",
        include_str!("../templates/mail/announcement.txt"),
    ),
    (
        "mail/announcement.html",
        include_str!("../templates/mail/announcement.html"),
    ),
];

/// The templates once per locale: each copy's `t` function, `day`, `minute` and `number`
/// filters speak its language.
pub struct Views {
    tera: HashMap<Locale, Tera>,
    /// Templates rendered so far: a cache hit renders none.
    renders: std::sync::atomic::AtomicU64,
}

impl Views {
    pub fn new() -> anyhow::Result<Self> {
        let mut base = Tera::default();
        base.register_filter("markdown", crate::markdown::filter);
        base.register_filter("urlencode", |v: &tera::Value, _: &_| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("urlencode takes text"))?;
            Ok(tera::Value::String(
                form_urlencoded::byte_serialize(s.as_bytes()).collect(),
            ))
        });
        // The name and direction of a language courses are written in (`language_name(tag=…)`).
        base.register_function("language_name", |args: &HashMap<String, tera::Value>| {
            let tag = args
                .get("tag")
                .and_then(tera::Value::as_str)
                .unwrap_or_default();
            Ok(crate::i18n::language_name(tag).into())
        });
        base.register_function("language_dir", |args: &HashMap<String, tera::Value>| {
            let tag = args
                .get("tag")
                .and_then(tera::Value::as_str)
                .unwrap_or_default();
            Ok(crate::i18n::language_dir(tag).into())
        });
        base.add_raw_templates(TEMPLATES.iter().copied())?;
        let tera = Locale::all()
            .into_iter()
            .map(|locale| {
                let mut tera = base.clone();
                tera.register_function("t", Translate(locale));
                tera.register_filter("day", move |v: &tera::Value, _: &_| {
                    instant(v).map(|at| locale.date(at).into())
                });
                tera.register_filter("minute", move |v: &tera::Value, _: &_| {
                    instant(v).map(|at| locale.date_time(at).into())
                });
                tera.register_filter("number", move |v: &tera::Value, _: &_| {
                    let n = v
                        .as_f64()
                        .ok_or_else(|| tera::Error::msg("number takes a number"))?;
                    Ok(locale.number(n).into())
                });
                (locale, tera)
            })
            .collect();
        Ok(Self {
            tera,
            renders: Default::default(),
        })
    }

    pub fn renders(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `name` in `locale`; the context also gets the page's `lang` and `dir`.
    pub fn render(&self, locale: Locale, name: &str, ctx: &Context) -> Result<String, AppError> {
        self.renders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut ctx = ctx.clone();
        ctx.insert("lang", locale.tag());
        ctx.insert("dir", locale.direction().as_str());
        self.tera[&locale]
            .render(name, &ctx)
            .map_err(AppError::internal)
    }
}

/// `t(k="message-id", name=value, …)`: the message in this copy's locale; every argument but
/// `k` is a variable of the message.
struct Translate(Locale);

impl tera::Function for Translate {
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let id = args
            .get("k")
            .and_then(tera::Value::as_str)
            .ok_or_else(|| tera::Error::msg("t() takes the message id as k"))?;
        let vars: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .filter(|(name, _)| name.as_str() != "k")
            .map(|(name, v)| {
                let value = match v {
                    tera::Value::Number(n) => FluentValue::from(n.as_f64().unwrap_or_default()),
                    tera::Value::String(s) => FluentValue::from(s.as_str()),
                    tera::Value::Null => FluentValue::from(""),
                    other => FluentValue::from(other.to_string()),
                };
                (name.as_str(), value)
            })
            .collect();
        Ok(self.0.tr(id, &vars).into())
    }

    fn is_safe(&self) -> bool {
        false
    }
}

/// A serialized instant (RFC 3339).
fn instant(v: &tera::Value) -> tera::Result<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| tera::Error::msg("expected an instant"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_a_template_names_is_in_english() {
        let mut missing = Vec::new();
        for (name, text) in TEMPLATES {
            for piece in text.split("t(k=\"").skip(1) {
                let id = piece.split('"').next().unwrap_or_default();
                // `"audit-" ~ action`: a family of ids, checked where the actions are listed.
                if !id.ends_with('-') && !Locale::SOURCE.has(id) {
                    missing.push(format!("{name}: {id}"));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn pages_say_their_language_and_direction() {
        let views = Views::new().unwrap();
        let ar = Locale::parse("ar").unwrap();
        let html = views.render(ar, "landing.html", &Context::new()).unwrap();
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(html.contains("مدارس على الإنترنت"), "{html}");
    }
}
