//! Numbers as each language writes them: its digits and its decimal and group separators, read
//! from its `number-*` messages.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::FluentValue;
use intl_memoizer::Memoizable;
use intl_memoizer::concurrent::IntlLangMemoizer;
use unic_langid::LanguageIdentifier;

#[derive(Clone, Debug)]
pub(super) struct NumberStyle {
    /// Zero to nine; `None` for ASCII digits.
    digits: Option<[char; 10]>,
    decimal: String,
    group: String,
}

impl NumberStyle {
    pub fn new(digits: Option<&str>, decimal: Option<&str>, group: Option<&str>) -> Self {
        let digits =
            digits.and_then(|d| <[char; 10]>::try_from(d.chars().collect::<Vec<_>>()).ok());
        Self {
            digits: digits.filter(|d| d != &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
            decimal: decimal.unwrap_or(".").to_owned(),
            group: group.unwrap_or(",").to_owned(),
        }
    }

    /// ASCII digits in `s` written in this style's digits (years, times: no separators).
    pub fn digits(&self, s: &str) -> String {
        match self.digits {
            None => s.to_owned(),
            Some(d) => s
                .chars()
                .map(|c| c.to_digit(10).map_or(c, |n| d[n as usize]))
                .collect(),
        }
    }

    /// A number written the plain way (`-1234.5`) in this style: groups of three, its separators.
    pub fn format(&self, plain: &str) -> String {
        let (sign, unsigned) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut out = String::from(sign);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(c);
        }
        if !fraction.is_empty() {
            out.push_str(&self.decimal);
            out.push_str(fraction);
        }
        self.digits(&out)
    }
}

static STYLES: OnceLock<HashMap<String, NumberStyle>> = OnceLock::new();

/// Makes each locale's style known to [`format_value`] (which Fluent hands only the language).
pub(super) fn publish<'a>(styles: impl Iterator<Item = (&'a str, NumberStyle)>) {
    let _ = STYLES.set(styles.map(|(t, s)| (t.to_owned(), s)).collect());
}

struct StyleOf(NumberStyle);

impl Memoizable for StyleOf {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        STYLES
            .get()
            .and_then(|s| s.get(&lang.to_string()))
            .cloned()
            .map(StyleOf)
            .ok_or(())
    }
}

/// Fluent's hook for showing a value: numbers in the bundle's language.
pub(super) fn format_value(value: &FluentValue<'_>, intls: &IntlLangMemoizer) -> Option<String> {
    match value {
        FluentValue::Number(n) => intls
            .with_try_get::<StyleOf, _, _>((), |style| style.0.format(&n.as_string()))
            .ok(),
        _ => None,
    }
}
