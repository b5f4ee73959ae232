//! Secrets the database keeps sealed (XChaCha20-Poly1305) under a key every instance derives from
//! the installation's shared secret, so a database dump, a replica or an export alone never
//! holds them in clear. Each sealed value is bound to a context (its school and name): moved to
//! another row, it no longer opens.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const NONCE: usize = 24;

pub struct SealKey(XChaCha20Poly1305);

impl SealKey {
    /// The key for `purpose`, derived from the installation secret.
    pub fn derive(secret: &[u8], purpose: &str) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"eduflow sealing: ");
        mac.update(purpose.as_bytes());
        let key = mac.finalize().into_bytes();
        Self(XChaCha20Poly1305::new(&key))
    }

    /// `plain`, sealed for `context`: a fresh nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).expect("the OS random source works");
        let nonce = XNonce::from(nonce);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .expect("sealing a short secret cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// What `sealed` holds, if it was sealed with this key for `context` and is unchanged.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_with_its_key_and_context_and_unchanged() {
        let key = SealKey::derive(b"installation secret", "lti keys");
        let sealed = key.seal(b"a private key", b"school a/k1");
        assert!(!sealed.windows(13).any(|w| w == b"a private key"));
        assert_eq!(
            key.open(&sealed, b"school a/k1").as_deref(),
            Some(&b"a private key"[..])
        );
        assert_eq!(key.open(&sealed, b"school b/k1"), None);
        let other = SealKey::derive(b"another installation", "lti keys");
        assert_eq!(other.open(&sealed, b"school a/k1"), None);
        let purpose = SealKey::derive(b"installation secret", "something else");
        assert_eq!(purpose.open(&sealed, b"school a/k1"), None);
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&tampered, b"school a/k1"), None);
        assert_eq!(key.open(&sealed[..10], b"school a/k1"), None);
        assert_ne!(key.seal(b"a private key", b"school a/k1"), sealed);
    }
}
