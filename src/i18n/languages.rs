//! The languages a course may be written in: more than EduFlow's own pages speak. Each with its
//! name in itself and its direction, for catalog labels and the `lang`/`dir` of course text.

/// (tag, name in itself, right to left)
const LANGUAGES: &[(&str, &str, bool)] = &[
    ("ar", "العربية", true),
    ("cs", "Čeština", false),
    ("da", "Dansk", false),
    ("de", "Deutsch", false),
    ("el", "Ελληνικά", false),
    ("en", "English", false),
    ("es", "Español", false),
    ("fa", "فارسی", true),
    ("fi", "Suomi", false),
    ("fr", "Français", false),
    ("he", "עברית", true),
    ("hi", "हिन्दी", false),
    ("id", "Bahasa Indonesia", false),
    ("it", "Italiano", false),
    ("ja", "日本語", false),
    ("ko", "한국어", false),
    ("nl", "Nederlands", false),
    ("no", "Norsk", false),
    ("pl", "Polski", false),
    ("pt", "Português", false),
    ("ru", "Русский", false),
    ("sv", "Svenska", false),
    ("sw", "Kiswahili", false),
    ("tr", "Türkçe", false),
    ("uk", "Українська", false),
    ("ur", "اردو", true),
    ("zh", "中文", false),
];

/// A language tag as courses carry them: `de`, `pt-BR`, `zh-Hant` (the database checks the same).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// The language's name in itself (the tag when it is not listed).
pub fn language_name(tag: &str) -> &str {
    LANGUAGES
        .iter()
        .find(|(t, ..)| *t == primary(tag))
        .map_or(tag, |(_, name, _)| name)
}

/// `rtl` or `ltr`, for text written in `tag`.
pub fn language_dir(tag: &str) -> &'static str {
    let rtl = LANGUAGES
        .iter()
        .any(|(t, _, rtl)| *t == primary(tag) && *rtl);
    if rtl { "rtl" } else { "ltr" }
}

/// Every listed language as `{tag, name}`, for the authoring form's choice.
pub fn course_languages() -> Vec<serde_json::Value> {
    LANGUAGES
        .iter()
        .map(|(tag, name, _)| serde_json::json!({ "tag": tag, "name": name }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_names_and_directions() {
        for good in ["de", "pt-BR", "zh-Hant", "fil"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "D", "de_DE", "deutsch", "de-", "e n", "de-x"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
        assert_eq!(language_name("pt-BR"), "Português");
        assert_eq!(language_name("tlh"), "tlh");
        assert_eq!(
            (
                language_dir("ar"),
                language_dir("fa-IR"),
                language_dir("de")
            ),
            ("rtl", "rtl", "ltr")
        );
    }
}
