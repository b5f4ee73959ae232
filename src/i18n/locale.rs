//! A locale: one of the languages compiled in, chosen per request and stored per school and
//! account by its tag.

use chrono::{DateTime, Datelike, Timelike, Utc};
use fluent_bundle::FluentValue;

pub use super::catalogue::Direction;
use super::catalogue::{Args, CATALOGUE, Entry, PSEUDO, SOURCE};

/// One of the compiled-in languages (a folder of `locales/`, or the pseudo-locale).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Locale(&'static str);

impl Locale {
    /// English, the language every message is written in first.
    pub const SOURCE: Locale = Locale(SOURCE);
    pub const PSEUDO: Locale = Locale(PSEUDO);

    /// The compiled-in locale with this tag (letter case aside).
    pub fn parse(tag: &str) -> Option<Self> {
        CATALOGUE
            .entries
            .iter()
            .find(|e| e.tag.eq_ignore_ascii_case(tag.trim()))
            .map(|e| Self(e.tag))
    }

    /// Every locale a school may offer, the pseudo-locale last.
    pub fn all() -> Vec<Self> {
        CATALOGUE.entries.iter().map(|e| Self(e.tag)).collect()
    }

    pub fn tag(self) -> &'static str {
        self.0
    }

    fn entry(self) -> &'static Entry {
        CATALOGUE
            .entry(self.0)
            .expect("a Locale names a compiled-in entry")
    }

    pub fn direction(self) -> Direction {
        self.entry().direction
    }

    /// The language's name in itself ("Deutsch"), for pickers.
    pub fn name(self) -> &'static str {
        &self.entry().name
    }

    /// Whether this locale has its own text for `id` (the English fallback aside).
    pub fn has(self, id: &str) -> bool {
        self.entry().format(id, &[]).is_some()
    }

    /// The message `id` in this locale.
    pub fn t(self, id: &str) -> String {
        self.tr(id, &[])
    }

    /// The message `id` with its variables, in this locale, else in English, else the id.
    pub fn tr(self, id: &str, args: &Args<'_>) -> String {
        self.entry()
            .format(id, args)
            .or_else(|| {
                tracing::warn!(
                    locale = self.0,
                    id,
                    "a message is missing; English is shown"
                );
                Self::SOURCE.entry().format(id, args)
            })
            .unwrap_or_else(|| {
                tracing::error!(id, "a message is missing from English");
                id.to_owned()
            })
    }

    /// A number as this locale writes it (digits, separators).
    pub fn number(self, n: f64) -> String {
        self.entry().style.format(&n.to_string())
    }

    /// A calendar day, as this locale writes one ("6 December 2026").
    pub fn date(self, at: DateTime<Utc>) -> String {
        let style = &self.entry().style;
        self.tr(
            "date-long",
            &[
                ("day", style.digits(&at.day().to_string()).into()),
                ("month", FluentValue::from(at.month())),
                ("year", style.digits(&at.year().to_string()).into()),
            ],
        )
    }

    /// A day and a time of day in UTC.
    pub fn date_time(self, at: DateTime<Utc>) -> String {
        let style = &self.entry().style;
        let time = format!("{:02}:{:02}", at.hour(), at.minute());
        self.tr(
            "date-time",
            &[
                ("date", self.date(at).into()),
                ("time", style.digits(&time).into()),
            ],
        )
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// Locales as pickers list them: each tag with its name in itself.
pub fn serialize_named<S: serde::Serializer>(locales: &[Locale], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(locales.len()))?;
    for l in locales {
        seq.serialize_element(&serde_json::json!({ "tag": l.tag(), "name": l.name() }))?;
    }
    seq.end()
}

/// The best of `offered` for an `Accept-Language` header: the most wanted tag offered exactly,
/// else by its language alone (`de-CH` finds `de`). `None` when nothing offered is wanted.
pub fn negotiate(accept: &str, offered: &[Locale]) -> Option<Locale> {
    let mut wanted: Vec<(f32, &str)> = accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && q > 0.0).then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted.iter().find_map(|(_, tag)| {
        let language = tag.split('-').next().unwrap_or(tag);
        offered
            .iter()
            .find(|l| l.0.eq_ignore_ascii_case(tag))
            .or_else(|| {
                offered.iter().find(|l| {
                    l.0.split('-')
                        .next()
                        .unwrap_or(l.0)
                        .eq_ignore_ascii_case(language)
                })
            })
            .copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(tag: &str) -> Locale {
        Locale::parse(tag).unwrap()
    }

    #[test]
    fn the_most_wanted_offered_language_wins() {
        let offered = [l("en"), l("de"), l("ar")];
        let pick = |h| negotiate(h, &offered).map(Locale::tag);
        assert_eq!(pick("de-CH,de;q=0.9,en;q=0.8"), Some("de"));
        assert_eq!(pick("fr-FR,fr;q=0.9,ar;q=0.5,en;q=0.4"), Some("ar"));
        assert_eq!(pick("en;q=0.2, de;q=0.7"), Some("de"));
        assert_eq!(pick("de;q=0, en"), Some("en"));
        assert_eq!(pick("fr, ja"), None);
        assert_eq!(pick("*"), None);
        assert_eq!(pick("de;q=banana, ar"), Some("ar"));
        assert_eq!(negotiate("de", &[l("en")]), None);
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let lessons = |tag, n: i64| l(tag).tr("lesson-count", &[("count", n.into())]);
        assert_eq!(lessons("en", 1), "1 lesson");
        assert_eq!(lessons("en", 3), "3 lessons");
        assert_eq!(lessons("de", 1), "1 Lektion");
        assert_eq!(lessons("de", 3), "3 Lektionen");
        // Arabic has six plural forms; two and eleven take different ones.
        let strip = |s: String| s.replace(['\u{2068}', '\u{2069}'], "");
        assert_ne!(strip(lessons("ar", 2)), strip(lessons("ar", 11)));
        assert!(
            strip(lessons("ar", 11)).starts_with("١١"),
            "{}",
            lessons("ar", 11)
        );
    }

    #[test]
    fn dates_and_numbers_read_as_each_language_writes_them() {
        let at = "2026-12-06T14:05:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(l("en").date(at), "6 December 2026");
        assert_eq!(l("de").date(at), "6. Dezember 2026");
        let ar = l("ar").date(at).replace(['\u{2068}', '\u{2069}'], "");
        assert_eq!(ar, "٦ ديسمبر ٢٠٢٦");
        assert_eq!(l("en").number(1234.5), "1,234.5");
        assert_eq!(l("de").number(1234.5), "1.234,5");
        assert_eq!(l("ar").number(1234.5), "١٬٢٣٤٫٥");
    }

    #[test]
    fn every_locale_has_every_english_message() {
        for locale in Locale::all() {
            let missing: Vec<_> = super::super::catalogue::ids(SOURCE)
                .into_iter()
                .filter(|id| !locale.has(id))
                .collect();
            assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        }
    }
}
