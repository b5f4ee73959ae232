//! Host names as EduFlow compares them: the one spelling a school's address is stored and looked
//! up under.

/// Lower-cases, drops the port and a trailing dot; `None` for something that is not a host name.
pub fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        // IPv6 literal: never a school, but still a well-formed host.
        return rest
            .split_once(']')
            .map(|(ip, _)| format!("[{}]", ip.to_ascii_lowercase()));
    } else {
        raw.rsplit_once(':').map_or(raw, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                raw
            }
        })
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63)
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_hosts() {
        assert_eq!(
            normalize("Alpha.LocalHost:8080").as_deref(),
            Some("alpha.localhost")
        );
        assert_eq!(
            normalize("learn.example.com.").as_deref(),
            Some("learn.example.com")
        );
        assert_eq!(normalize("[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(normalize("bad host").as_deref(), None);
        assert_eq!(normalize("a..b").as_deref(), None);
        assert_eq!(normalize("").as_deref(), None);
    }
}
