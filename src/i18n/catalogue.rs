//! The bundles, one per locale folder plus the pseudo-locale, built once on first use.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use super::numbers::{self, NumberStyle};
use super::pseudo;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

pub(super) const SOURCE: &str = "en";
/// Accented, lengthened English: a page in it shows at a glance any text that skipped Fluent.
pub(super) const PSEUDO: &str = "en-XA";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltr => "ltr",
            Self::Rtl => "rtl",
        }
    }
}

/// A message's variables: names and values (numbers choose plural forms).
pub type Args<'a> = [(&'a str, FluentValue<'a>)];

pub(super) struct Entry {
    pub tag: &'static str,
    pub bundle: FluentBundle<FluentResource>,
    pub direction: Direction,
    pub name: String,
    pub style: NumberStyle,
}

pub(super) struct Catalogue {
    pub entries: Vec<Entry>,
}

pub(super) static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::load);

impl Catalogue {
    fn load() -> Self {
        let mut entries = Vec::new();
        for (tag, files) in FOLDERS {
            entries.push(Entry::build(tag, files, None));
            if *tag == SOURCE {
                entries.push(Entry::build(PSEUDO, files, Some(pseudo::transform)));
            }
        }
        numbers::publish(entries.iter().map(|e| (e.tag, e.style.clone())));
        Self { entries }
    }

    pub fn entry(&self, tag: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }
}

impl Entry {
    fn build(
        tag: &'static str,
        files: &[(&str, &str)],
        transform: Option<fn(&str) -> Cow<'_, str>>,
    ) -> Self {
        let lang: LanguageIdentifier = tag
            .parse()
            .unwrap_or_else(|e| panic!("locales/{tag} is not a language tag: {e:?}"));
        let mut bundle = FluentBundle::new_concurrent(vec![lang]);
        for (name, text) in files {
            let resource = FluentResource::try_new((*text).to_owned())
                .unwrap_or_else(|(_, e)| panic!("locales/{tag}/{name}: {e:?}"));
            bundle
                .add_resource(resource)
                .unwrap_or_else(|e| panic!("locales/{tag}/{name}: {e:?}"));
        }
        bundle.set_transform(transform);
        bundle.set_formatter(Some(numbers::format_value));
        let plain = |id: &str| {
            let message = bundle.get_message(id)?;
            let mut errors = Vec::new();
            let text = bundle.format_pattern(message.value()?, None, &mut errors);
            Some(text.into_owned())
        };
        let direction = match plain("locale-direction").as_deref() {
            Some("rtl") => Direction::Rtl,
            _ => Direction::Ltr,
        };
        let name = plain("locale-name").unwrap_or_else(|| tag.to_owned());
        let style = NumberStyle::new(
            plain("number-digits").as_deref(),
            plain("number-decimal").as_deref(),
            plain("number-group").as_deref(),
        );
        // Bidi isolation marks keep a right-to-left page's embedded names and numbers in order;
        // a left-to-right page has nothing to isolate them from.
        bundle.set_use_isolating(direction == Direction::Rtl);
        Self {
            tag,
            bundle,
            direction,
            name,
            style,
        }
    }

    /// The message `id` with `args`, or `None` when this locale lacks it.
    pub fn format(&self, id: &str, args: &Args<'_>) -> Option<String> {
        let (id, attribute) = match id.split_once('.') {
            Some((id, attribute)) => (id, Some(attribute)),
            None => (id, None),
        };
        let message = self.bundle.get_message(id)?;
        let pattern = match attribute {
            Some(a) => message.get_attribute(a)?.value(),
            None => message.value()?,
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                locale = self.tag,
                id,
                ?errors,
                "a message did not format cleanly"
            );
        }
        Some(text.into_owned())
    }
}

/// The message ids (and `id.attribute`s) of a locale folder, for completeness checks.
#[cfg(test)]
pub(super) fn ids(tag: &str) -> Vec<String> {
    use fluent_syntax::ast;
    let mut ids = Vec::new();
    for (_, text) in FOLDERS
        .iter()
        .filter(|(t, _)| *t == tag)
        .flat_map(|(_, f)| f.iter())
    {
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(r, _)| r);
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                if m.value.is_some() {
                    ids.push(m.id.name.to_owned());
                }
                for a in &m.attributes {
                    ids.push(format!("{}.{}", m.id.name, a.id.name));
                }
            }
        }
    }
    ids
}
