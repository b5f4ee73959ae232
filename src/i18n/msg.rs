//! A message to show a person, kept as its id and variables until the language is known: an
//! error made deep in the domain is worded when the response is, in the reader's language.

use chrono::{DateTime, Utc};
use fluent_bundle::FluentValue;

use super::locale::Locale;

#[derive(Debug, Clone, PartialEq)]
enum Arg {
    Text(String),
    Number(f64),
    /// Written as the reader's language writes a day and time.
    Instant(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// Text that is not ours to translate (a provider's answer, a file's own complaint).
    pub fn plain(text: impl Into<String>) -> Self {
        Self::new("plain").text("text", text)
    }

    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    pub fn number(mut self, name: &'static str, value: impl Into<f64>) -> Self {
        self.args.push((name, Arg::Number(value.into())));
        self
    }

    pub fn instant(mut self, name: &'static str, at: DateTime<Utc>) -> Self {
        self.args.push((name, Arg::Instant(at)));
        self
    }

    /// Its id, the stable code API clients match on.
    pub fn id(&self) -> &'static str {
        self.id
    }

    pub fn in_(&self, locale: Locale) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(t) => FluentValue::from(t.as_str()),
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Instant(at) => FluentValue::from(locale.date_time(*at)),
                };
                (*name, value)
            })
            .collect();
        locale.tr(self.id, &args)
    }
}

/// In English: logs, and clients that read no language.
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_(Locale::SOURCE))
    }
}
