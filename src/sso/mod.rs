//! Single sign-on per school with OpenID Connect (the authorization code flow with PKCE, `state`
//! and `nonce`, the id_token checked against the provider's published keys) and SAML 2.0 (see
//! `saml`). A school has zero or more providers, set by its admins (`/admin/sso`) or by the
//! operator's school file (`[[sso]]`).
//!
//! Every refusal of an answer from a provider is a [`Refusal`]: a 4xx for the person, a warning
//! in the log with the reason, never a 500.

pub mod directory;
pub mod id_token;
pub mod logins;
pub mod providers;
mod refusal;
pub mod saml;

pub use refusal::Refusal;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::role::Role;

/// A provider's name in its school: its paths (`/sso/{name}/…`) and its accounts' links.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ProviderName(String);

impl ProviderName {
    /// 1-40 lowercase letters, digits or inner '-'.
    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let ok = (1..=40).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Msg::new("sso-provider-name-invalid").text("name", raw))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client secret: kept out of `Debug` output and so out of every log line.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// One line of a role map: a claim value and the role it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRule {
    pub value: String,
    pub role: Role,
}

/// An OpenID provider as its school configured it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: ProviderName,
    pub label: String,
    /// The issuer identifier; discovery is at `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
    /// The claim roles are read from (a string or an array of strings), if any.
    pub role_claim: Option<String>,
    pub role_map: Vec<RoleRule>,
    pub default_role: Role,
    /// Email domains whose people may sign in; empty allows every domain.
    pub allowed_domains: Vec<String>,
    pub from_file: bool,
    /// A SAML 2.0 IdP (its `issuer` is the IdP's entity id); `None` for OpenID Connect.
    pub saml: Option<Saml>,
}

/// What a SAML provider adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saml {
    pub idp_metadata: String,
    /// The IdP's email addresses count as verified (linking to existing accounts).
    pub email_trusted: bool,
}

impl Provider {
    /// The role a new account gets from the provider's claims: the highest role among the rules
    /// whose value the role claim holds, or the default role when none does.
    pub fn role_for(&self, claims: &serde_json::Map<String, serde_json::Value>) -> Role {
        let Some(claim) = self.role_claim.as_deref().and_then(|c| claims.get(c)) else {
            return self.default_role;
        };
        let values: Vec<&str> = match claim {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
            _ => vec![],
        };
        self.role_map
            .iter()
            .filter(|rule| values.contains(&rule.value.as_str()))
            .map(|rule| rule.role)
            .max()
            .unwrap_or(self.default_role)
    }

    /// Whether `email` (lowercase) is in one of the allowed domains (any, when none is listed).
    pub fn allows(&self, email: &str) -> bool {
        let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
        self.allowed_domains.is_empty() || self.allowed_domains.iter().any(|d| d == domain)
    }
}

/// What a provider's settings must be, checked once for every writer (admin page, school file).
pub fn check_settings(p: &Provider) -> Result<(), Msg> {
    if let Some(s) = &p.saml {
        let entity = saml::check_idp_metadata(&s.idp_metadata)?;
        if entity != p.issuer {
            return Err(Msg::new("sso-issuer-entity-id"));
        }
        if p.label.trim().is_empty() || p.label.chars().count() > 80 {
            return Err(Msg::new("sso-label-length"));
        }
        return Ok(());
    }
    let issuer = url::Url::parse(&p.issuer)
        .map_err(|e| Msg::new("sso-issuer-not-url").text("reason", e.to_string()))?;
    if !matches!(issuer.scheme(), "https" | "http") || issuer.host_str().is_none() {
        return Err(Msg::new("sso-issuer-https"));
    }
    if issuer.query().is_some() || issuer.fragment().is_some() {
        return Err(Msg::new("sso-issuer-no-query"));
    }
    if p.label.trim().is_empty() || p.label.chars().count() > 80 {
        return Err(Msg::new("sso-label-length"));
    }
    if p.client_id.trim().is_empty() || p.client_id.len() > 500 {
        return Err(Msg::new("sso-client-id-length"));
    }
    if p.client_secret.0.len() > 500 {
        return Err(Msg::new("sso-client-secret-length"));
    }
    if !p.scopes.iter().any(|s| s == "openid") {
        return Err(Msg::new("sso-scopes-openid"));
    }
    if p.scopes
        .iter()
        .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(Msg::new("sso-scopes-words"));
    }
    for d in &p.allowed_domains {
        if !d.contains('.') || d.contains('@') || d.contains(char::is_whitespace) {
            return Err(Msg::new("sso-not-a-domain").text("domain", d.as_str()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Provider {
        Provider {
            name: ProviderName::parse("main").unwrap(),
            label: "Main".into(),
            issuer: "https://id.example.org".into(),
            client_id: "c".into(),
            client_secret: Secret("s".into()),
            scopes: vec!["openid".into()],
            role_claim: Some("groups".into()),
            role_map: vec![
                RoleRule {
                    value: "staff".into(),
                    role: Role::Instructor,
                },
                RoleRule {
                    value: "it".into(),
                    role: Role::Admin,
                },
            ],
            default_role: Role::Learner,
            allowed_domains: vec!["northwind.test".into()],
            from_file: false,
            saml: None,
        }
    }

    #[test]
    fn roles_come_from_the_highest_matching_rule_or_the_default() {
        let p = provider();
        let claims = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert_eq!(
            p.role_for(&claims(serde_json::json!({"groups": ["x", "staff", "it"]}))),
            Role::Admin
        );
        assert_eq!(
            p.role_for(&claims(serde_json::json!({"groups": ["staff"]}))),
            Role::Instructor
        );
        assert_eq!(
            p.role_for(&claims(serde_json::json!({"groups": "it"}))),
            Role::Admin
        );
        assert_eq!(
            p.role_for(&claims(serde_json::json!({"groups": ["x"]}))),
            Role::Learner
        );
        assert_eq!(p.role_for(&claims(serde_json::json!({}))), Role::Learner);
    }

    #[test]
    fn domains_and_names_are_checked() {
        let p = provider();
        assert!(p.allows("ada@northwind.test"));
        assert!(!p.allows("ada@northwind.test.evil.org"));
        assert!(!p.allows("ada@riverside.test"));
        assert!(ProviderName::parse("north-wind2").is_ok());
        for bad in ["", "-a", "a-", "A", "a b", "a/b", &"a".repeat(41)] {
            assert!(ProviderName::parse(bad).is_err(), "{bad}");
        }
        assert!(format!("{:?}", p.client_secret).contains('…'));
        assert!(!format!("{p:?}").contains("\"s\""));
    }
}
