//! Keyset pagination and substring search for the admins' lists: a page starts after the last
//! row of the one before, so a list that grows while someone reads it neither repeats nor skips.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a page of a list starts: after this (instant, id), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub DateTime<Utc>, pub Uuid);

impl Cursor {
    pub fn parse(raw: &str) -> Option<Self> {
        let (micros, id) = raw.split_once('.')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        Some(Self(at, id.parse().ok()?))
    }

    pub fn encode(self) -> String {
        format!("{}.{}", self.0.timestamp_micros(), self.1)
    }
}

/// A position in a "changed since" feed: after this (instant, id, second id), oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark(pub DateTime<Utc>, pub Uuid, pub Uuid);

impl Mark {
    pub fn parse(raw: &str) -> Option<Self> {
        let (rest, second) = raw.rsplit_once('.')?;
        let Cursor(at, first) = Cursor::parse(rest)?;
        Some(Self(at, first, second.parse().ok()?))
    }

    pub fn encode(self) -> String {
        format!("{}.{}", Cursor(self.0, self.1).encode(), self.2)
    }
}

/// A `LIKE` pattern (escape `\`) matching text that contains `q` literally.
pub fn contains_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = Cursor(
            DateTime::from_timestamp_micros(1_764_500_000_123_456).unwrap(),
            Uuid::new_v4(),
        );
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        for bad in [
            "",
            "x",
            "1.",
            ".x",
            "99999999999999999999.00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
        let m = Mark(c.0, Uuid::new_v4(), Uuid::nil());
        assert_eq!(Mark::parse(&m.encode()), Some(m));
        assert_eq!(Mark::parse(&c.encode()), None);
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
