//! The signed unsubscribe link of course announcements: it works without logging in, for one
//! learner and one course.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::{CourseId, TenantId, UserId};

/// Signs unsubscribe links; every instance derives the same key from the media secret.
pub struct UnsubscribeKey([u8; 32]);

impl UnsubscribeKey {
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"eduflow unsubscribe links");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, tenant: TenantId, course: CourseId, user: UserId) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(tenant.0.as_bytes());
        mac.update(course.0.as_bytes());
        mac.update(user.0.as_bytes());
        mac
    }

    pub fn sign(&self, tenant: TenantId, course: CourseId, user: UserId) -> String {
        URL_SAFE_NO_PAD.encode(&self.mac(tenant, course, user).finalize().into_bytes()[..16])
    }

    pub fn verify(&self, tenant: TenantId, course: CourseId, user: UserId, sig: &str) -> bool {
        URL_SAFE_NO_PAD.decode(sig).is_ok_and(|tag| {
            self.mac(tenant, course, user)
                .verify_truncated_left(&tag)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_signed_for_one_school_course_and_learner() {
        let key = UnsubscribeKey::derive(b"a secret of the fleet");
        let (t, c, u) = (TenantId::new(), CourseId::new(), UserId::new());
        let sig = key.sign(t, c, u);
        assert!(key.verify(t, c, u, &sig));
        assert!(!key.verify(TenantId::new(), c, u, &sig));
        assert!(!key.verify(t, CourseId::new(), u, &sig));
        assert!(!key.verify(t, c, UserId::new(), &sig));
        assert!(!key.verify(t, c, u, "garbage"));
        assert!(!UnsubscribeKey::derive(b"another").verify(t, c, u, &sig));
    }
}
