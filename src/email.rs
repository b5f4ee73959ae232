//! Email addresses, parsed once.

/// A normalised email address: trimmed, lower-cased, one `@`, a dotted domain.
pub fn parse_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(email)
}

#[cfg(test)]
mod tests {
    use super::parse_email;

    #[test]
    fn emails_are_normalised_once() {
        assert_eq!(
            parse_email("  Ada@Example.ORG ").as_deref(),
            Some("ada@example.org")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
            "ada@.org",
        ] {
            assert_eq!(parse_email(bad), None, "{bad}");
        }
    }
}
