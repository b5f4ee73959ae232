//! Short tags EduFlow signs its own tokens with (the read-your-writes cookie, unsubscribe links,
//! LTI hints): HMAC-SHA256 under a key every instance derives from the installation secret for
//! one purpose, over the school and the token's parts, truncated to 128 bits. A tag made for one
//! school or one purpose means nothing to another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::TenantId;

pub struct TagKey([u8; 32]);

impl TagKey {
    pub fn derive(secret: &[u8], purpose: &str) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(purpose.as_bytes());
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, tenant: TenantId, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(tenant.0.as_bytes());
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// The tag of `parts` for `tenant`, base64url.
    pub fn tag(&self, tenant: TenantId, parts: &[&[u8]]) -> String {
        URL_SAFE_NO_PAD.encode(&self.mac(tenant, parts).finalize().into_bytes()[..16])
    }

    /// Whether `tag` is this key's tag of `parts` for `tenant`.
    pub fn verify(&self, tenant: TenantId, parts: &[&[u8]], tag: &str) -> bool {
        URL_SAFE_NO_PAD.decode(tag).is_ok_and(|t| {
            t.len() == 16 && self.mac(tenant, parts).verify_truncated_left(&t).is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_holds_for_its_school_purpose_and_parts_only() {
        let key = TagKey::derive(b"a secret of the fleet", "links");
        let (a, b) = (TenantId::new(), TenantId::new());
        let tag = key.tag(a, &[b"one", b"two"]);
        assert!(key.verify(a, &[b"one", b"two"], &tag));
        assert!(!key.verify(b, &[b"one", b"two"], &tag));
        assert!(!key.verify(a, &[b"one", b"three"], &tag));
        assert!(!TagKey::derive(b"a secret of the fleet", "cookies").verify(
            a,
            &[b"one", b"two"],
            &tag
        ));
        assert!(!key.verify(a, &[b"one", b"two"], &tag[..10]));
        assert!(!key.verify(a, &[b"one", b"two"], "not base64 !"));
    }
}
