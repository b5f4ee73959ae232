//! API tokens: how a school's own systems (HR, CRM, student information system) call `/api/v1`.
//! A token belongs to one school, carries scopes, may expire, can be revoked, and is shown once:
//! the database keeps its SHA-256 only. Checked tokens are held in memory ([`live`]) so that a
//! token request costs what a session request does.

pub mod live;
pub mod store;

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ids::TenantId;

/// Every token starts with this, so secret scanners and people can tell what it is.
pub const PREFIX: &str = "eft_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    CatalogRead,
    EnrollmentsRead,
    EnrollmentsWrite,
    ProgressRead,
    UsersRead,
    UsersWrite,
    CertificatesRead,
    GradesRead,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Self::CatalogRead,
        Self::EnrollmentsRead,
        Self::EnrollmentsWrite,
        Self::ProgressRead,
        Self::UsersRead,
        Self::UsersWrite,
        Self::CertificatesRead,
        Self::GradesRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CatalogRead => "catalog:read",
            Self::EnrollmentsRead => "enrollments:read",
            Self::EnrollmentsWrite => "enrollments:write",
            Self::ProgressRead => "progress:read",
            Self::UsersRead => "users:read",
            Self::UsersWrite => "users:write",
            Self::CertificatesRead => "certificates:read",
            Self::GradesRead => "grades:read",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a valid token lets its caller do, at which school, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub token: Uuid,
    pub tenant: TenantId,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Grant {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_as_they_print_and_nothing_else() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        for junk in [
            "",
            "catalog",
            "catalog:write",
            "CATALOG:READ",
            "users:read ",
        ] {
            assert_eq!(Scope::parse(junk), None, "{junk:?}");
        }
    }
}
