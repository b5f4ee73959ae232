//! LTI 1.3 Advantage with EduFlow as the platform (1EdTech LTI Core 1.3, Deep Linking 2.0,
//! Assignment and Grade Services 2.0, Names and Role Provisioning Services 2.0).
//!
//! A school registers tools; each gets a client id and deployment id from EduFlow. The school is
//! the issuer: its base URL, with its keys at `/lti/jwks`, the OIDC authorization endpoint at
//! `/lti/authorize` and the OAuth 2 token endpoint at `/lti/token`. A launch starts on EduFlow
//! (third-party initiated login with a signed `lti_message_hint`), goes to the tool, and comes
//! back to `/lti/authorize`, which answers with an id_token signed by the school's key. Tools
//! call the services with tokens they obtain with a JWT signed by their own key.

pub mod claims;
pub mod deep_link;
pub mod grades;
pub mod hints;
pub mod keys;
pub mod links;
pub mod roster;
pub mod services;
pub mod tool_keys;
pub mod tools;

use crate::sealing::SealKey;

/// What the platform side holds on every instance: derived from the installation secret, so
/// every instance seals, signs and checks alike.
pub struct Platform {
    /// Seals the schools' private keys in the database.
    pub seal: SealKey,
    /// Signs launch hints and deep-linking `data`.
    pub hints: hints::HintKey,
    /// The tools' published keys, as last fetched.
    pub tool_keys: tool_keys::ToolKeys,
}

impl Platform {
    pub fn new(secret: &[u8], allow_private: bool) -> Self {
        Self {
            seal: SealKey::derive(secret, "lti platform keys"),
            hints: hints::HintKey::derive(secret),
            tool_keys: tool_keys::ToolKeys::new(allow_private),
        }
    }
}

/// A school's platform URLs, from its issuer (its base URL).
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub issuer: String,
}

impl Endpoints {
    pub fn new(origin: &str) -> Self {
        Self {
            issuer: origin.trim_end_matches('/').to_owned(),
        }
    }
    pub fn jwks(&self) -> String {
        format!("{}/lti/jwks", self.issuer)
    }
    pub fn authorize(&self) -> String {
        format!("{}/lti/authorize", self.issuer)
    }
    pub fn token(&self) -> String {
        format!("{}/lti/token", self.issuer)
    }
    pub fn deep_link_return(&self) -> String {
        format!("{}/lti/deep-links", self.issuer)
    }
    pub fn line_items(&self, course: uuid::Uuid) -> String {
        format!("{}/lti/courses/{course}/lineitems", self.issuer)
    }
    pub fn line_item(&self, course: uuid::Uuid, item: uuid::Uuid) -> String {
        format!("{}/{item}", self.line_items(course))
    }
    pub fn memberships(&self, course: uuid::Uuid) -> String {
        format!("{}/lti/courses/{course}/memberships", self.issuer)
    }
}
