//! The signed unsubscribe link of course announcements: it works without logging in, for one
//! learner and one course.

use crate::ids::{CourseId, TenantId, UserId};
use crate::tags::TagKey;

/// Signs unsubscribe links; every instance derives the same key from the media secret.
pub struct UnsubscribeKey(TagKey);

impl UnsubscribeKey {
    pub fn derive(secret: &[u8]) -> Self {
        Self(TagKey::derive(secret, "eduflow unsubscribe links"))
    }

    pub fn sign(&self, tenant: TenantId, course: CourseId, user: UserId) -> String {
        self.0
            .tag(tenant, &[course.0.as_bytes(), user.0.as_bytes()])
    }

    pub fn verify(&self, tenant: TenantId, course: CourseId, user: UserId, sig: &str) -> bool {
        self.0
            .verify(tenant, &[course.0.as_bytes(), user.0.as_bytes()], sig)
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
