//! Outgoing mail. A mail is rendered when the change that causes it is made and written to the
//! outbox in that change's transaction ([`outbox`]); after commit the sender task on some
//! instance delivers it ([`sender`]) over SMTP, or as `.eml` files when no SMTP server is
//! configured ([`transport`]).

pub mod outbox;
pub mod sender;
pub mod transport;

use std::sync::Arc;

use serde::Serialize;

use crate::error::AppError;
use crate::hostname::Origins;
use crate::i18n::Locale;
use crate::ids::UserId;
use crate::tenancy::Tenant;
use crate::views::Views;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Verify,
    Reset,
    EmailChange,
    Invite,
    Enrollment,
    Announcement,
    WebhookDisabled,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Reset => "reset",
            Self::EmailChange => "email_change",
            Self::Invite => "invite",
            Self::Enrollment => "enrollment",
            Self::Announcement => "announcement",
            Self::WebhookDisabled => "webhook_disabled",
        }
    }

    /// Its templates: `mail/<name>.txt` (first line `Subject: …`) and `mail/<name>.html`.
    fn template(self) -> &'static str {
        self.as_str()
    }
}

/// A rendered mail, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Mail {
    pub kind: Kind,
    pub to: String,
    /// The recipient's account, when they have one (their data export lists it).
    pub user: Option<UserId>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Where the recipient unsubscribes (sent as `List-Unsubscribe`).
    pub unsubscribe: Option<String>,
}

/// Renders a school's mail. Every link is absolute and on the school's own host: its first
/// custom domain, else its subdomain; never the host a request came in on.
pub struct Composer {
    views: Arc<Views>,
    origins: Origins,
}

#[derive(Serialize)]
struct Letterhead<'a> {
    name: &'a str,
    accent: &'a str,
    logo: Option<String>,
    origin: &'a str,
}

impl Composer {
    pub fn new(views: Arc<Views>, base_domain: &str, https: bool, port: Option<u16>) -> Self {
        Self {
            views,
            origins: Origins::new(base_domain, https, port),
        }
    }

    /// `https://school.example.org[:port]`.
    pub fn origin(&self, school: &Tenant) -> String {
        self.origins.of(&school.slug, &school.domains)
    }

    /// Renders `kind`'s templates for `to` in `locale` (the recipient's); `ctx` adds to the
    /// letterhead (`school`) and `origin`.
    pub fn compose(
        &self,
        school: &Tenant,
        kind: Kind,
        to: (&str, Option<UserId>),
        locale: Locale,
        mut ctx: tera::Context,
    ) -> Result<Mail, AppError> {
        let origin = self.origin(school);
        let logo = school.logo_url.as_ref().map(|logo| {
            if logo.starts_with('/') {
                format!("{origin}{logo}")
            } else {
                logo.clone()
            }
        });
        ctx.insert(
            "school",
            &Letterhead {
                name: &school.name,
                accent: &school.accent_color,
                logo,
                origin: &origin,
            },
        );
        ctx.insert("origin", &origin);
        let text = self
            .views
            .render(locale, &format!("mail/{}.txt", kind.template()), &ctx)?;
        let (subject, body) = text
            .strip_prefix("Subject: ")
            .and_then(|t| t.split_once('\n'))
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "mail/{}.txt has no Subject line",
                    kind.as_str()
                ))
            })?;
        let subject = subject.trim().to_owned();
        ctx.insert("subject", &subject);
        let html = self
            .views
            .render(locale, &format!("mail/{}.html", kind.template()), &ctx)?;
        Ok(Mail {
            kind,
            to: to.0.to_owned(),
            user: to.1,
            subject,
            text: body.trim_start().to_owned(),
            html,
            unsubscribe: ctx
                .get("unsubscribe")
                .and_then(|u| u.as_str())
                .map(str::to_owned),
        })
    }
}
