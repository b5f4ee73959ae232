//! Standard Webhooks signatures: `webhook-id`, `webhook-timestamp` and `webhook-signature`
//! (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64 part of a `whsec_`
//! secret). While a rotated-out secret is still honoured, both signatures are sent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the OS random source works");
    format!("whsec_{}", STANDARD.encode(key))
}

/// `v1,<signature>` of `body` sent as message `id` at `timestamp` (Unix seconds) with `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (and of its reference libraries).
    #[test]
    fn signs_the_specifications_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn both_secrets_sign_during_a_rotation_and_junk_secrets_none() {
        let (old, new) = (new_secret(), new_secret());
        let both = header(&[&new, &old], "msg_1", 1, b"{}");
        assert_eq!(both.split(' ').count(), 2);
        assert!(both.starts_with(&sign(&new, "msg_1", 1, b"{}").unwrap()));
        assert_eq!(header(&["whsec_!!", "nope"], "msg_1", 1, b"{}"), "");
    }
}
