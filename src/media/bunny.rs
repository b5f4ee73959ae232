//! Bunny.net token authentication (HS256): a CDN URL signer for pull zones with token
//! authentication. The token is `HS256-` (`HS256-1-` when bound to a client address) and the
//! unpadded base64url HMAC-SHA256, under the zone's key, of: the signed path, the expiry, the
//! client address as bytes (IPv6 reduced to its /64), and the sorted `k=v&…` parameters.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a token allows.
#[derive(Debug, Clone, Default)]
pub struct Grant<'a> {
    /// The object's path on the CDN, starting with `/`.
    pub path: &'a str,
    pub expires: u64,
    pub client: Option<IpAddr>,
    /// Put the token in the path (`/bcdn_token=…/dir/`) so relative URLs below keep it.
    pub directory: bool,
    /// Sign a prefix instead of the path: the token then opens everything under it.
    pub path_allowed: Option<&'a str>,
    pub countries_allowed: Option<&'a str>,
    pub countries_blocked: Option<&'a str>,
    pub ignore_params: bool,
    /// Bytes per second, 0 for none.
    pub speed_limit: u64,
}

fn client_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => {
            let mut bytes = v6.octets();
            bytes[8..].fill(0);
            bytes.to_vec()
        }
    }
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in the URL.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The token and the signed URL under `base` (scheme and host, no trailing slash).
pub fn sign(key: &[u8], base: &str, grant: &Grant<'_>) -> (String, String) {
    let mut params: BTreeMap<&str, String> = BTreeMap::new();
    if grant.ignore_params {
        params.insert("token_ignore_params", "true".into());
    } else {
        if let Some(c) = grant.countries_allowed {
            params.insert("token_countries", c.into());
        }
        if let Some(c) = grant.countries_blocked {
            params.insert("token_countries_blocked", c.into());
        }
        if grant.speed_limit > 0 {
            params.insert("limit", grant.speed_limit.to_string());
        }
    }
    if let Some(prefix) = grant.path_allowed {
        params.insert("token_path", prefix.into());
    }
    let signed_path = grant.path_allowed.unwrap_or(grant.path);
    let signing: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(signed_path.as_bytes());
    mac.update(grant.expires.to_string().as_bytes());
    if let Some(ip) = grant.client {
        mac.update(&client_bytes(ip));
    }
    mac.update(signing.join("&").as_bytes());
    let digest = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    let token = format!(
        "HS256-{}{digest}",
        if grant.client.is_some() { "1-" } else { "" }
    );
    let tail: String = params
        .iter()
        .map(|(k, v)| format!("&{k}={}", encode(v)))
        .collect();
    let url = if grant.directory {
        format!(
            "{base}/bcdn_token={token}{tail}&expires={}{}",
            grant.expires, grant.path
        )
    } else {
        format!(
            "{base}{}?token={token}{tail}&expires={}",
            grant.path, grant.expires
        )
    };
    (token, url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Inputs {
        key: String,
        expires: u64,
        host: String,
        cases: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Case {
        name: String,
        path: String,
        user_ip: String,
        is_directory: bool,
        path_allowed: String,
        countries_allowed: String,
        countries_blocked: String,
        ignore_params: bool,
        speed_limit: u64,
    }

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Vector {
        name: String,
        signed_url: String,
        token: String,
    }

    /// Every case of the official vectors (BunnyCDN.TokenAuthentication e2e/), token and URL.
    #[test]
    fn matches_the_official_vectors() {
        let inputs: Inputs =
            serde_json::from_str(include_str!("../../tests/vectors/bunny-inputs.json")).unwrap();
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/bunny-vectors.json")).unwrap();
        let vectors: Vec<Vector> = serde_json::from_value(vectors["vectors"].clone()).unwrap();
        assert_eq!(inputs.cases.len(), vectors.len());
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        for (case, expected) in inputs.cases.iter().zip(&vectors) {
            assert_eq!(case.name, expected.name);
            let (allowed, blocked, prefix) = (
                some(&case.countries_allowed),
                some(&case.countries_blocked),
                some(&case.path_allowed),
            );
            let grant = Grant {
                path: &case.path,
                expires: inputs.expires,
                client: some(&case.user_ip).map(|ip| ip.parse().unwrap()),
                directory: case.is_directory,
                path_allowed: prefix.as_deref(),
                countries_allowed: allowed.as_deref(),
                countries_blocked: blocked.as_deref(),
                ignore_params: case.ignore_params,
                speed_limit: case.speed_limit,
            };
            let (token, url) = sign(inputs.key.as_bytes(), &inputs.host, &grant);
            assert_eq!(token, expected.token, "{}", case.name);
            assert_eq!(url, expected.signed_url, "{}", case.name);
        }
    }
}
