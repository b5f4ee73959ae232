//! Which cluster each school is on: the names of clusters and this instance's map of schools to
//! them, which the pools' door checks (see `db::clusters` for the clusters themselves).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::ids::TenantId;

/// The cluster `DATABASE_URL` names: the directory, and where schools go unless told otherwise.
pub const MAIN: &str = "main";

/// A cluster's name: lower-case letters, digits and dashes, starting with a letter (it labels
/// metrics and pools).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterName(Arc<str>);

impl ClusterName {
    pub fn main() -> Self {
        Self(MAIN.into())
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let mut chars = s.chars();
        let shaped = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && s.len() <= 31;
        if shaped {
            Ok(Self(s.into()))
        } else {
            Err(format!(
                "`{s}` is not a cluster name: up to 31 lower-case letters, digits and dashes, \
                 starting with a letter"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_main(&self) -> bool {
        &*self.0 == MAIN
    }
}

impl std::fmt::Display for ClusterName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ClusterName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// Which cluster each school is on, as this instance last loaded it. Shared by the pools, whose
/// door checks it before every school's transaction.
#[derive(Debug, Default)]
pub struct Placement {
    pub(super) map: RwLock<HashMap<TenantId, ClusterName>>,
}

impl Placement {
    pub fn of(&self, tenant: TenantId) -> Option<ClusterName> {
        self.map
            .read()
            .expect("placement lock")
            .get(&tenant)
            .cloned()
    }

    /// Whether `tenant` is placed on `cluster`.
    pub(super) fn admits(&self, cluster: &ClusterName, tenant: TenantId) -> bool {
        self.map.read().expect("placement lock").get(&tenant) == Some(cluster)
    }
}
