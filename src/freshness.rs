//! Read-your-writes on every instance, in every region. After a request that may have written
//! (any state-changing method that succeeded) the answer carries a short-lived signed cookie with
//! the primary's WAL position and the school's catalog version at that moment. The next request
//! of that browser, wherever it lands:
//! - tells the school's actor of the catalog version, as if the change's NOTIFY had already
//!   arrived, so no page older than the writer's own change is served from memory;
//! - reads through a replica only once it has replayed that position (waiting briefly for it),
//!   otherwise through the primary.
//!
//! Everyone without the cookie keeps reading replicas. The cookie is bound to its school and
//! signed, so a forged position cannot push anyone's reads onto the primary.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::db::replicas::Lsn;
use crate::ids::TenantId;
use crate::tags::TagKey;

/// How long after a write its reads are guarded: far longer than a healthy replica's lag.
pub const LIFETIME: Duration = Duration::from_secs(60);

/// What a browser's last write reached, read back from its cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub lsn: Lsn,
    pub catalog: i64,
}

/// Signs and checks the cookie; every instance derives the same key from the shared secret.
pub struct SeenKey(TagKey);

impl SeenKey {
    pub fn derive(secret: &[u8]) -> Self {
        Self(TagKey::derive(secret, "eduflow read-your-writes cookie"))
    }

    pub fn seal(&self, tenant: TenantId, seen: Seen, expires: u64) -> String {
        let body = format!("{:x}.{}.{expires}", seen.lsn.0, seen.catalog);
        let tag = self.0.tag(tenant, &[body.as_bytes()]);
        format!("{body}.{tag}")
    }

    /// The cookie's content if it was sealed for `tenant` and has not expired at `now`.
    pub fn open(&self, tenant: TenantId, value: &str, now: u64) -> Option<Seen> {
        let (body, tag) = value.rsplit_once('.')?;
        if !self.0.verify(tenant, &[body.as_bytes()], tag) {
            return None;
        }
        let mut parts = body.split('.');
        let lsn = Lsn(u64::from_str_radix(parts.next()?, 16).ok()?);
        let catalog = parts.next()?.parse().ok()?;
        let expires: u64 = parts.next()?.parse().ok()?;
        (expires > now).then_some(Seen { lsn, catalog })
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_open_only_for_their_school_unexpired_and_untouched() {
        let key = SeenKey::derive(b"a secret of the fleet");
        let (a, b) = (TenantId::new(), TenantId::new());
        let seen = Seen {
            lsn: Lsn(0x16_B374_D848),
            catalog: 42,
        };
        let value = key.seal(a, seen, 1_000);
        assert_eq!(key.open(a, &value, 999), Some(seen));
        assert_eq!(key.open(a, &value, 1_000), None, "expired");
        assert_eq!(key.open(b, &value, 999), None, "another school");
        let forged = value.replacen("16b374d848", "26b374d848", 1);
        assert_ne!(forged, value);
        assert_eq!(key.open(a, &forged, 999), None, "tampered");
        assert_eq!(
            SeenKey::derive(b"another secret").open(a, &value, 999),
            None
        );
        assert_eq!(key.open(a, "garbage", 0), None);
    }
}
