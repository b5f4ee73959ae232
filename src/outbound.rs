//! Where EduFlow may call out to: webhook endpoints, schools' identity providers and learning
//! record stores, at URLs that school admins and operators type. A URL is `http(s)://` with a
//! host; every address its host resolves to must be public — not loopback, private, link-local,
//! unique-local, carrier-grade NAT, multicast or unspecified — unless the installation allows
//! private addresses (`EDUFLOW_WEBHOOKS_ALLOW_PRIVATE`, `EDUFLOW_SSO_ALLOW_PRIVATE`,
//! `EDUFLOW_LRS_ALLOW_PRIVATE`, for tests and private deployments). Callers connect to the
//! address that was checked, so a name that resolves differently a moment later changes nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::Url;

/// Whether `ip` is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || ip.to_ipv4().is_some())
}

/// A URL to call, parsed once: `http` or `https`, with a host, no credentials, no fragment.
pub fn parse(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("the URL is not valid ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the URL must start with https:// (or http://)".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not carry a user name or password".into());
    }
    if url.fragment().is_some() || url.as_str().len() > 2000 {
        return Err("the URL must have no #fragment and at most 2000 characters".into());
    }
    Ok(url)
}

/// The address to deliver to `url` at: its host resolved, every address checked.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("{host} does not resolve ({e})"))?
            .collect(),
    };
    let first = *addrs
        .first()
        .ok_or_else(|| format!("{host} has no address"))?;
    if !allow_private {
        if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(format!(
                "{host} resolves to {}, which is not a public address",
                private.ip()
            ));
        }
    }
    Ok(first)
}

/// HTTP clients by the host and the checked address they are pinned to, so deliveries to one
/// endpoint reuse its connections (keep-alive) and TLS set-up.
pub struct Clients {
    user_agent: &'static str,
    pinned: std::sync::Mutex<std::collections::HashMap<(String, SocketAddr), reqwest::Client>>,
}

impl Clients {
    /// Clients that introduce themselves as `user_agent`.
    pub fn new(user_agent: &'static str) -> Self {
        Self {
            user_agent,
            pinned: Default::default(),
        }
    }

    pub fn get(
        &self,
        host: &str,
        addr: SocketAddr,
        timeout: Duration,
    ) -> Result<reqwest::Client, String> {
        let mut clients = self
            .pinned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(&(host.to_owned(), addr)) {
            return Ok(client.clone());
        }
        if clients.len() >= 1_000 {
            clients.clear();
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(host, addr)
            .connect_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| format!("building the client failed: {e}"))?;
        clients.insert((host.to_owned(), addr), client.clone());
        Ok(client)
    }
}

/// A request error's text and causes, without the URL (which may carry a token in its query).
pub fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "the endpoint");
    }
    text
}

/// The body of `res`, refused once it passes `limit` bytes (read as it comes, so a huge answer
/// costs no more than the limit).
pub async fn body_within(res: &mut reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(|e| without_url(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(format!("its answer is over {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The key `kid` of a key set another party publishes (its only key when a token names none);
/// `None` when it has no such key.
pub fn key_in(
    keys: &jsonwebtoken::jwk::JwkSet,
    kid: Option<&str>,
) -> Option<Result<jsonwebtoken::DecodingKey, String>> {
    let jwk = match kid {
        Some(kid) => keys.find(kid)?,
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => return None,
    };
    Some(jsonwebtoken::DecodingKey::from_jwk(jwk).map_err(|e| format!("key is unusable ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_nothing_hidden() {
        assert!(parse("https://hooks.example.org/in?x=1").is_ok());
        for bad in [
            "ftp://example.org/",
            "https://user:pw@example.org/",
            "https://example.org/#frag",
            "not a url",
            "file:///etc/passwd",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[actix_web::test]
    async fn loopback_is_refused_unless_allowed() {
        let url = parse("http://127.0.0.1:9/hook").unwrap();
        assert!(
            resolve(&url, false)
                .await
                .unwrap_err()
                .contains("not a public")
        );
        assert_eq!(
            resolve(&url, true).await.unwrap(),
            "127.0.0.1:9".parse().unwrap()
        );
        let named = parse("http://localhost:9/hook").unwrap();
        assert!(resolve(&named, false).await.is_err());
    }
}
