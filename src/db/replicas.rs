//! Routing between the primary and this region's replicas: a read that may lag goes to a healthy
//! replica, a recent writer's read waits for a replica that has replayed their write (or goes to
//! the primary).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::door::global_tx;
use super::pools::{PgPool, PoolSettings};
use crate::error::AppError;
use crate::metrics::{Metrics, PoolReading};

/// A replica and what this instance last learned of it.
pub struct Replica {
    pub pool: PgPool,
    /// The newest WAL position it is known to have replayed.
    replayed: AtomicU64,
    /// Its replay is further behind than allowed: nobody reads from it until it catches up.
    lagging: AtomicBool,
}

impl Replica {
    pub fn note_replayed(&self, lsn: Lsn) {
        self.replayed.fetch_max(lsn.0, Ordering::Relaxed);
    }

    /// The position the lag watcher measured. Stored as it is, even when lower than known: after
    /// a failover a replica is rewound to follow the new primary, and a position it reached on
    /// the old timeline no longer says what it holds. A too-low figure costs a wait, never a
    /// stale read.
    pub fn measured_replayed(&self, lsn: Lsn) {
        self.replayed.store(lsn.0, Ordering::Relaxed);
    }

    pub fn set_lagging(&self, lagging: bool) {
        if self.lagging.swap(lagging, Ordering::Relaxed) != lagging {
            tracing::warn!(
                replica = self.pool.label(),
                lagging,
                "replica lag changed state"
            );
        }
    }

    fn usable(&self) -> bool {
        !self.lagging.load(Ordering::Relaxed) && !self.pool.is_down()
    }
}

/// A position in PostgreSQL's write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lsn(pub u64);

impl std::str::FromStr for Lsn {
    type Err = ();

    /// PostgreSQL's text form, `16/B374D848`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let (hi, lo) = s.split_once('/').ok_or(())?;
        let hi = u32::from_str_radix(hi, 16).map_err(|_| ())?;
        let lo = u32::from_str_radix(lo, 16).map_err(|_| ())?;
        Ok(Self((u64::from(hi) << 32) | u64::from(lo)))
    }
}

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

#[derive(Clone)]
pub struct Pools {
    primary: PgPool,
    replicas: Arc<[Replica]>,
    next_replica: Arc<AtomicUsize>,
    /// How long a read for a recent writer waits for a replica to replay their write.
    replica_wait: Duration,
}

impl Pools {
    /// Builds the pools without connecting: a database that is down shows as 503s and a failing
    /// `/readyz`, not as a process that will not start.
    pub fn new(
        settings: PoolSettings,
        primary_url: &str,
        replica_urls: &[String],
        metrics: Option<Arc<Metrics>>,
    ) -> Self {
        Self::labelled(settings, "", primary_url, replica_urls, metrics, None, None)
    }

    /// Pools whose labels start with `prefix` (a cluster's name); with `cluster`, the door checks
    /// each school's placement (see `db::clusters`); `idle` closes unused connections.
    pub(super) fn labelled(
        settings: PoolSettings,
        prefix: &str,
        primary_url: &str,
        replica_urls: &[String],
        metrics: Option<Arc<Metrics>>,
        cluster: Option<(
            super::placement::ClusterName,
            Arc<super::placement::Placement>,
            Arc<tokio::sync::Semaphore>,
        )>,
        idle: Option<Duration>,
    ) -> Self {
        let home = cluster.map(|(name, placement, total)| {
            Arc::new(super::pools::Home {
                name,
                placement,
                total,
            })
        });
        let pool = |url: &str, label: String| {
            PgPool::new(
                settings,
                url,
                format!("{prefix}{label}"),
                metrics.clone(),
                home.clone(),
                idle,
            )
        };
        Self {
            primary: pool(primary_url, "primary".into()),
            replicas: replica_urls
                .iter()
                .enumerate()
                .map(|(i, url)| Replica {
                    pool: pool(url, format!("replica-{i}")),
                    replayed: AtomicU64::new(0),
                    lagging: AtomicBool::new(false),
                })
                .collect(),
            next_replica: Arc::new(AtomicUsize::new(0)),
            replica_wait: Duration::from_millis(100),
        }
    }

    pub fn with_replica_wait(mut self, wait: Duration) -> Self {
        self.replica_wait = wait;
        self
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// The pool for reads that may lag the primary slightly: the next healthy replica
    /// (round-robin), or the primary when none is.
    pub fn read(&self) -> &PgPool {
        self.replica().map_or(&self.primary, |r| &r.pool)
    }

    fn replica(&self) -> Option<&Replica> {
        let n = self.replicas.len();
        let start = self.next_replica.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.replicas[(start + i) % n])
            .find(|r| r.usable())
    }

    /// The pool to read from for someone whose last write committed at `seen` (read-your-writes):
    /// a healthy replica that has replayed it, waiting up to the replica wait for one to get
    /// there; otherwise the primary. Without `seen`, any healthy replica.
    pub async fn read_at(&self, seen: Option<Lsn>) -> &PgPool {
        let Some(replica) = self.replica() else {
            return &self.primary;
        };
        let Some(seen) = seen else {
            return &replica.pool;
        };
        let deadline = Instant::now() + self.replica_wait;
        loop {
            if replica.replayed.load(Ordering::Relaxed) >= seen.0 {
                return &replica.pool;
            }
            match replayed(&replica.pool).await {
                Ok(lsn) => replica.note_replayed(lsn),
                Err(_) => return &self.primary,
            }
            if replica.replayed.load(Ordering::Relaxed) >= seen.0 {
                return &replica.pool;
            }
            if Instant::now() >= deadline {
                return &self.primary;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Runs `read` on `pool`; when that is a replica and finds nothing, the primary decides: the
    /// row may be newer than the replica (a session or lesson created a moment ago).
    pub async fn found_or_primary<T, F, Fut>(
        &self,
        pool: &PgPool,
        read: F,
    ) -> Result<Option<T>, AppError>
    where
        F: Fn(PgPool) -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, AppError>>,
    {
        match read(pool.clone()).await? {
            None if !std::ptr::eq(pool, &self.primary) => read(self.primary.clone()).await,
            found => Ok(found),
        }
    }

    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    pub fn readings(&self) -> Vec<PoolReading> {
        std::iter::once(&self.primary)
            .chain(self.replicas.iter().map(|r| &r.pool))
            .map(PgPool::reading)
            .collect()
    }
}

#[derive(diesel::QueryableByName)]
struct LsnRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    lsn: Option<String>,
}

/// How far a replica has replayed the primary's log.
pub async fn replayed(pool: &PgPool) -> Result<Lsn, AppError> {
    global_tx(pool, "replica_lsn", move |conn| {
        Box::pin(async move {
            let row: LsnRow = diesel_async::RunQueryDsl::get_result(
                diesel::sql_query("SELECT pg_last_wal_replay_lsn()::text AS lsn"),
                conn,
            )
            .await?;
            row.lsn
                .as_deref()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("not a replica")))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::Lsn;

    #[test]
    fn lsns_parse_and_order_like_postgres() {
        let a: Lsn = "16/B374D848".parse().unwrap();
        assert_eq!(a.0, 0x16_B374_D848);
        assert_eq!(a.to_string(), "16/B374D848");
        assert!("0/FFFFFFFF".parse::<Lsn>().unwrap() < "1/0".parse().unwrap());
        assert!("x/1".parse::<Lsn>().is_err());
        assert!("1".parse::<Lsn>().is_err());
    }
}
