//! HMAC-SHA256 URL tokens for EduFlow's own `/media/…` origin: the token covers the key and the
//! expiry, so a URL works for exactly one object of one school until it expires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::key::MediaKey;

/// How media URLs are signed and how long they live (never over 7 days).
pub const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Clone)]
pub struct Signer {
    secret: Vec<u8>,
    ttl: Duration,
}

/// How finely expiries are rounded: a quarter of the lifetime, between a minute and an hour.
fn step(ttl: Duration) -> Duration {
    (ttl / 4).clamp(Duration::from_secs(60), Duration::from_secs(3600))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Signer {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let ttl = ttl.min(MAX_URL_TTL);
        Self {
            secret: secret.to_vec(),
            ttl: ttl.min(MAX_URL_TTL - step(ttl)),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn mac(&self, key: &str, expires: u64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(key.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// When a URL signed now expires (Unix seconds): at least the configured time away, rounded
    /// up to a step, so a page rendered twice within a step links the same URLs and browsers
    /// and CDNs keep their cached copies.
    pub fn expiry(&self) -> u64 {
        let step = step(self.ttl).as_secs();
        (now() + self.ttl.as_secs()).div_ceil(step) * step
    }

    /// A `/media` path with its token, valid until `expires`.
    pub fn url(&self, key: &MediaKey, expires: u64) -> String {
        let sig = URL_SAFE_NO_PAD.encode(self.mac(key.as_str(), expires).finalize().into_bytes());
        format!("/media/{}?expires={expires}&sig={sig}", key.as_str())
    }

    /// Whether `sig` is this signer's token for `key` until `expires`, and that time has not passed.
    pub fn verify(&self, key: &str, expires: u64, sig: &str) -> bool {
        let Ok(sig) = URL_SAFE_NO_PAD.decode(sig) else {
            return false;
        };
        expires >= now() && self.mac(key, expires).verify_slice(&sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;

    fn parts(url: &str) -> (String, u64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let pairs: std::collections::HashMap<_, _> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        (
            path.trim_start_matches("/media/").to_owned(),
            pairs["expires"].parse().unwrap(),
            pairs["sig"].clone(),
        )
    }

    #[test]
    fn tokens_verify_and_resist_tampering() {
        let signer = Signer::new(b"a secret of some length", Duration::from_secs(60));
        let key = MediaKey::new(TenantId::new(), "video", &"b".repeat(64), "webm");
        let (k, exp, sig) = parts(&signer.url(&key, signer.expiry()));
        assert!(signer.verify(&k, exp, &sig));
        assert!((now() + 60..=now() + 120).contains(&exp), "{exp}");
        assert_eq!(
            signer.url(&key, signer.expiry()),
            signer.url(&key, signer.expiry())
        );
        assert!(
            !signer.verify(&k, exp + 1, &sig),
            "a longer expiry must not verify"
        );
        assert!(
            !signer.verify(&k.replace('b', "c"), exp, &sig),
            "another key must not verify"
        );
        assert!(!Signer::new(b"another secret", Duration::from_secs(60)).verify(&k, exp, &sig));
        assert!(
            !signer.verify(
                &k,
                now() - 1,
                &URL_SAFE_NO_PAD.encode(signer.mac(&k, now() - 1).finalize().into_bytes())
            ),
            "expired"
        );
        let longest = Signer::new(b"s", Duration::from_secs(30 * 24 * 3600));
        assert!(longest.expiry() <= now() + MAX_URL_TTL.as_secs());
    }
}
