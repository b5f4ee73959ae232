//! Tera templates, compiled into the binary so one file deploys everywhere. Pages and HTML mail
//! are named `*.html`, so tera escapes whatever they interpolate; the plain-text mail bodies
//! (`mail/*.txt`) are not HTML and are not escaped.

use tera::{Context, Tera};

use crate::error::AppError;

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

pub struct Views {
    tera: Tera,
    /// Templates rendered so far: a cache hit renders none.
    renders: std::sync::atomic::AtomicU64,
}

impl Views {
    pub fn new() -> anyhow::Result<Self> {
        let mut tera = Tera::default();
        tera.register_filter("markdown", crate::markdown::filter);
        tera.register_filter("day", |v: &tera::Value, _: &_| instant(v, 10));
        tera.register_filter("minute", |v: &tera::Value, _: &_| instant(v, 16));
        tera.register_filter("urlencode", |v: &tera::Value, _: &_| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("urlencode takes text"))?;
            Ok(tera::Value::String(
                form_urlencoded::byte_serialize(s.as_bytes()).collect(),
            ))
        });
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        Ok(Self {
            tera,
            renders: Default::default(),
        })
    }

    pub fn renders(&self) -> u64 {
        self.renders.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, AppError> {
        self.renders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.tera.render(name, ctx).map_err(AppError::internal)
    }
}

/// A serialized instant (RFC 3339) cut to its first `len` characters: 10 for the day, 16 for
/// the minute (`T` shown as a space).
fn instant(v: &tera::Value, len: usize) -> tera::Result<tera::Value> {
    let s = v
        .as_str()
        .ok_or_else(|| tera::Error::msg("expected an instant"))?;
    Ok(tera::Value::String(
        s.chars().take(len).collect::<String>().replace('T', " "),
    ))
}
