//! Host names as EduFlow compares them: the one spelling a school's address is stored and looked
//! up under.

/// Where schools' pages are on the public internet: a school's first custom domain, else its
/// subdomain of the base domain, on the public scheme and port. Links in mail and the LTI
/// issuer are made here, never from the host a request came in on.
#[derive(Debug, Clone)]
pub struct Origins {
    base_domain: String,
    https: bool,
    /// `None`: the scheme's own port.
    port: Option<u16>,
}

impl Origins {
    pub fn new(base_domain: &str, https: bool, port: Option<u16>) -> Self {
        let default = if https { 443 } else { 80 };
        Self {
            base_domain: base_domain.to_owned(),
            https,
            port: port.filter(|p| *p != default),
        }
    }

    /// `https://school.example.org[:port]`.
    pub fn of(&self, slug: &str, domains: &[String]) -> String {
        let host = domains
            .first()
            .cloned()
            .unwrap_or_else(|| format!("{slug}.{}", self.base_domain));
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        }
    }
}

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
