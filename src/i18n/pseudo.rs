//! The pseudo-locale's text: every letter of English swapped for an accented look-alike, and a
//! third longer, so untranslated text and layouts too tight for German stand out.

use std::borrow::Cow;

const LOWER: [char; 26] = [
    'ȧ', 'ƀ', 'ƈ', 'ḓ', 'ḗ', 'ƒ', 'ɠ', 'ħ', 'ī', 'ĵ', 'ķ', 'ŀ', 'ḿ', 'ƞ', 'ǿ', 'ƥ', 'ɋ', 'ř', 'ş',
    'ŧ', 'ŭ', 'ṽ', 'ẇ', 'ẋ', 'ẏ', 'ẑ',
];
const UPPER: [char; 26] = [
    'Ȧ', 'Ɓ', 'Ƈ', 'Ḓ', 'Ḗ', 'Ƒ', 'Ɠ', 'Ħ', 'Ī', 'Ĵ', 'Ķ', 'Ŀ', 'Ḿ', 'Ƞ', 'Ǿ', 'Ƥ', 'Ɋ', 'Ř', 'Ş',
    'Ŧ', 'Ŭ', 'Ṽ', 'Ẇ', 'Ẋ', 'Ẏ', 'Ẑ',
];

pub(super) fn transform(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_ascii_alphabetic()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut letters = 0;
    for c in text.chars() {
        out.push(match c {
            'a'..='z' => LOWER[(c as u8 - b'a') as usize],
            'A'..='Z' => UPPER[(c as u8 - b'A') as usize],
            c => c,
        });
        letters += usize::from(c.is_ascii_alphabetic());
    }
    out.extend(std::iter::repeat_n('~', letters.div_ceil(3)));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_ascii_letter_survives_and_the_text_grows() {
        let out = super::transform("Log in to {school}");
        assert!(!out.chars().any(|c| c.is_ascii_alphabetic()), "{out}");
        assert!(out.chars().count() > "Log in to {school}".len());
        assert_eq!(super::transform(" · "), " · ");
    }
}
