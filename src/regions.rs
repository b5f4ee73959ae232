//! Many regions, one primary (Fly.io's model). An instance reads from its own region's replicas;
//! in a region other than the primary's, a request that would write is not run at all: it is
//! answered with `fly-replay: region=<primary>`, and Fly's proxy sends the same request to an
//! instance of the primary region.

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WriteMode {
    /// Writes are replayed to the primary region.
    Replay,
    /// Writes run here, whatever the region.
    Direct,
}

/// The region writes are replayed to, or `None` when this instance runs them itself. An explicit
/// `replay` needs the primary region; the default replays only when this instance is known to sit
/// outside it.
pub fn replay_target(
    mode: Option<WriteMode>,
    region: Option<&str>,
    primary: Option<&str>,
) -> Result<Option<String>, String> {
    match (mode, region, primary) {
        (Some(WriteMode::Direct), _, _) => Ok(None),
        (Some(WriteMode::Replay), _, None) => {
            Err("--write-mode replay needs the primary region (PRIMARY_REGION)".into())
        }
        (Some(WriteMode::Replay), here, Some(primary)) => {
            Ok((here != Some(primary)).then(|| primary.to_owned()))
        }
        (None, Some(here), Some(primary)) if here != primary => Ok(Some(primary.to_owned())),
        (None, _, _) => Ok(None),
    }
}

/// Where this instance is and how it treats writes; each school's writes go to its cluster's
/// primary region.
#[derive(Debug, Clone, Default)]
pub struct Writes {
    pub mode: Option<WriteMode>,
    /// This instance's region.
    pub here: Option<String>,
}

impl Writes {
    /// The region a write to a cluster whose primary is in `primary` is replayed to, if not here.
    /// A cluster whose region is not known takes its writes wherever they arrive.
    pub fn replay_to(&self, primary: &str) -> Option<String> {
        let primary = (!primary.is_empty()).then_some(primary);
        replay_target(self.mode, self.here.as_deref(), primary)
            .ok()
            .flatten()
    }
}

/// The replica URLs this region reads from: entries tagged with it (`syd=postgres://…`) and
/// untagged ones. A tag is a region code in front of a `postgres://` or `postgresql://` URL, so a
/// `key=value` connection string is never mistaken for one.
pub fn replica_urls(entries: &[String], region: Option<&str>) -> Vec<String> {
    multi_host_rejoined(entries)
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .filter_map(|entry| match entry.split_once('=') {
            Some((tag, url))
                if is_region_code(tag)
                    && (url.starts_with("postgres://") || url.starts_with("postgresql://")) =>
            {
                (Some(tag) == region).then(|| url.to_owned())
            }
            _ => Some(entry.to_owned()),
        })
        .collect()
}

/// The list is split at commas, and so is a multi-host URL
/// (`postgresql://u@h1:5432,h2:5432/db?target_session_attrs=read-only`): a piece that follows a URL
/// whose host list has not ended yet (no `/` after `://`) is its next host.
fn multi_host_rejoined(pieces: &[String]) -> Vec<String> {
    let unfinished = |url: &str| match url.split_once("://") {
        Some((scheme, rest)) => {
            (scheme.ends_with("postgres") || scheme.ends_with("postgresql")) && !rest.contains('/')
        }
        None => false,
    };
    let mut entries: Vec<String> = Vec::new();
    for piece in pieces {
        match entries.last_mut() {
            Some(last) if unfinished(last) => {
                last.push(',');
                last.push_str(piece.trim());
            }
            _ => entries.push(piece.clone()),
        }
    }
    entries
}

fn is_region_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 16
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_only_outside_the_primary_region() {
        use WriteMode::*;
        assert_eq!(
            replay_target(None, Some("syd"), Some("ams")),
            Ok(Some("ams".into()))
        );
        assert_eq!(replay_target(None, Some("ams"), Some("ams")), Ok(None));
        assert_eq!(replay_target(None, None, Some("ams")), Ok(None));
        assert_eq!(replay_target(None, Some("syd"), None), Ok(None));
        assert_eq!(
            replay_target(Some(Direct), Some("syd"), Some("ams")),
            Ok(None)
        );
        assert_eq!(
            replay_target(Some(Replay), None, Some("ams")),
            Ok(Some("ams".into()))
        );
        assert_eq!(
            replay_target(Some(Replay), Some("ams"), Some("ams")),
            Ok(None)
        );
        assert!(replay_target(Some(Replay), Some("syd"), None).is_err());
    }

    #[test]
    fn replica_urls_follow_the_region() {
        let entries: Vec<String> = [
            "syd=postgres://r1/db",
            "ams=postgresql://r2/db",
            "postgres://anywhere/db",
            "host=/tmp user=eduflow",
            " ",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            replica_urls(&entries, Some("syd")),
            [
                "postgres://r1/db",
                "postgres://anywhere/db",
                "host=/tmp user=eduflow"
            ]
        );
        assert_eq!(
            replica_urls(&entries, Some("ams")),
            [
                "postgresql://r2/db",
                "postgres://anywhere/db",
                "host=/tmp user=eduflow"
            ]
        );
        assert_eq!(
            replica_urls(&entries, None),
            ["postgres://anywhere/db", "host=/tmp user=eduflow"]
        );
    }

    #[test]
    fn a_multi_host_replica_url_stays_whole() {
        // As clap hands them over: split at every comma.
        let entries: Vec<String> = [
            "syd=postgresql://app@r1:5432",
            "r2:5433/db?target_session_attrs=read-only",
            "postgres://a:1",
            "b:2",
            "c:3/db",
            "postgres://single/db",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            replica_urls(&entries, Some("syd")),
            [
                "postgresql://app@r1:5432,r2:5433/db?target_session_attrs=read-only",
                "postgres://a:1,b:2,c:3/db",
                "postgres://single/db"
            ]
        );
    }
}
