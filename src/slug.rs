//! Slugs: the lower-case, hyphenated names in URLs (schools, courses, lessons).

/// Lower-case ASCII letters, digits and inner hyphens, at most `max` bytes.
pub fn is_slug(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A URL slug from a title: lowercase ASCII words joined by `-`.
pub fn slugify(title: &str, max: usize) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= max {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_slugs() {
        assert_eq!(slugify("Data & Analytics: 101", 120), "data-analytics-101");
        assert!(is_slug(&slugify("  Mastering Rust!  ", 120), 120));
    }
}
