//! What EduFlow asks a tool for, carried through the tool and back signed by EduFlow: the
//! `lti_message_hint` of a launch, and the `data` of a deep-linking request. Each names its
//! school, tool, person and what was asked, expires, and carries a random id so a deep-linking
//! answer is taken once. Bound to the school by the signature: a hint from school A means
//! nothing at school B.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::TenantId;
use crate::tags::TagKey;

/// How long a hint is good for: a launch takes a few redirects, choosing content a few minutes.
pub const LAUNCH_TTL_SECS: i64 = 300;
pub const DEEP_LINK_TTL_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Launch the lesson's resource link.
    Resource { course: Uuid, lesson: Uuid },
    /// Choose content to add to a section of a course.
    DeepLink { course: Uuid, section: Uuid },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub tool: Uuid,
    pub user: Uuid,
    pub target: Target,
    /// Unix seconds.
    pub exp: i64,
    pub id: String,
}

impl Intent {
    pub fn new(tool: Uuid, user: Uuid, target: Target, now: i64) -> Self {
        let ttl = match target {
            Target::Resource { .. } => LAUNCH_TTL_SECS,
            Target::DeepLink { .. } => DEEP_LINK_TTL_SECS,
        };
        Self {
            tool,
            user,
            target,
            exp: now + ttl,
            id: crate::random::random_token(),
        }
    }
}

pub struct HintKey(TagKey);

impl HintKey {
    pub fn derive(secret: &[u8]) -> Self {
        Self(TagKey::derive(secret, "eduflow lti hints"))
    }

    pub fn sign(&self, tenant: TenantId, intent: &Intent) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(intent).expect("an intent is JSON"));
        let tag = self.0.tag(tenant, &[body.as_bytes()]);
        format!("{body}.{tag}")
    }

    /// The intent `hint` carries, if this key signed it for `tenant` and it has not expired.
    pub fn check(&self, tenant: TenantId, hint: &str, now: i64) -> Option<Intent> {
        let (body, tag) = hint.split_once('.')?;
        if !self.0.verify(tenant, &[body.as_bytes()], tag) {
            return None;
        }
        let intent: Intent = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        (intent.exp > now).then_some(intent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_holds_for_its_school_until_it_expires_and_not_changed() {
        let key = HintKey::derive(b"secret");
        let (a, b) = (TenantId::new(), TenantId::new());
        let target = Target::Resource {
            course: Uuid::new_v4(),
            lesson: Uuid::new_v4(),
        };
        let intent = Intent::new(Uuid::new_v4(), Uuid::new_v4(), target, 1_000);
        let hint = key.sign(a, &intent);
        assert_eq!(key.check(a, &hint, 1_100), Some(intent.clone()));
        assert_eq!(key.check(b, &hint, 1_100), None);
        assert_eq!(key.check(a, &hint, 1_000 + LAUNCH_TTL_SECS), None);
        assert_eq!(HintKey::derive(b"other").check(a, &hint, 1_100), None);
        let (body, tag) = hint.split_once('.').unwrap();
        let mut forged = intent;
        forged.user = Uuid::new_v4();
        let forged_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(key.check(a, &format!("{forged_body}.{tag}"), 1_100), None);
        assert_eq!(key.check(a, body, 1_100), None);
    }
}
