//! Schools on several PostgreSQL clusters. The cluster `DATABASE_URL` names is the directory:
//! it holds its own schools (as the cluster `main`) and the `clusters` table, which lists every
//! other cluster. Each cluster keeps its schools' records and data in its own tables, so every
//! query of a school stays on one cluster.
//!
//! [`Clusters`] is this instance's view: the pools of each cluster (built without connecting; a
//! pool connects on its first checkout and lets idle connections go) and which cluster each
//! school is placed on. The door refuses a school's transaction on any other cluster's pool.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::door::global_tx;
pub use super::placement::{ClusterName, MAIN, Placement};
use super::pools::{PgPool, PoolSettings};
use super::replicas::Pools;
use super::schema::clusters;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::metrics::{Metrics, PoolReading};

/// How EduFlow reaches one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRecord {
    pub name: ClusterName,
    /// The runtime role's URL (what requests use).
    pub url: String,
    /// The owner role's URL (migrations and owner-side commands).
    pub admin_url: String,
    /// A direct URL for LISTEN when `url` goes through a transaction-mode pooler.
    pub listen_url: Option<String>,
    pub replica_urls: Vec<String>,
    /// Where its primary runs (Fly.io region); writes to its schools are replayed there.
    pub region: String,
    /// Its schools' media, when not in the instances' own store.
    pub media: Option<MediaHome>,
    /// Its pgBackRest repository, when EduFlow may restore from it.
    pub backups: Option<BackupHome>,
}

/// A bucket for one cluster's schools' media, in its region: on the instances' S3 service
/// unless `endpoint` names another; with a local store, a folder beside the store's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaHome {
    pub bucket: String,
    /// The bucket's region, when not the store's (`EDUFLOW_S3_REGION`).
    pub region: Option<String>,
    /// The S3 endpoint, when not the store's (`EDUFLOW_S3_ENDPOINT`).
    pub endpoint: Option<String>,
}

impl MediaHome {
    /// A bucket name as S3 allows it (3–63 lower-case letters, digits, dots and dashes), which
    /// is also safe as a folder name.
    pub fn parse_bucket(s: &str) -> Result<String, String> {
        let inner = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
        let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let shaped = (3..=63).contains(&s.len())
            && s.chars().all(inner)
            && s.starts_with(edge)
            && s.ends_with(edge)
            && !s.contains("..");
        if shaped {
            Ok(s.to_owned())
        } else {
            Err(format!(
                "`{s}` is not a bucket name: 3 to 63 lower-case letters, digits, dots and dashes"
            ))
        }
    }
}

/// A pgBackRest repository: the configuration file that reaches it (and the cluster's data
/// directory, for `check`), and the stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupHome {
    pub config: std::path::PathBuf,
    pub stanza: String,
}

impl ClusterRecord {
    pub fn listen_url(&self) -> &str {
        self.listen_url.as_deref().unwrap_or(&self.url)
    }
}

type Row = (
    (String, String, String, Option<String>, Vec<String>, String),
    (Option<String>, Option<String>, Option<String>),
    (Option<String>, Option<String>),
);

/// The clusters listed in the directory (not `main` itself), oldest first.
pub async fn listed(pool: &PgPool) -> Result<Vec<ClusterRecord>, AppError> {
    let rows: Vec<Row> = global_tx(pool, "clusters", |conn| {
        Box::pin(async move {
            Ok(clusters::table
                .order((clusters::added_at, clusters::name))
                .select((
                    (
                        clusters::name,
                        clusters::url,
                        clusters::admin_url,
                        clusters::listen_url,
                        clusters::replica_urls,
                        clusters::region,
                    ),
                    (
                        clusters::media_bucket,
                        clusters::media_region,
                        clusters::media_endpoint,
                    ),
                    (clusters::backup_config, clusters::backup_stanza),
                ))
                .load(conn)
                .await?)
        })
    })
    .await?;
    rows.into_iter()
        .map(|(reach, media, backups)| {
            let (name, url, admin_url, listen_url, replica_urls, region) = reach;
            let (bucket, media_region, endpoint) = media;
            let media = bucket.map(|bucket| MediaHome {
                bucket,
                region: media_region,
                endpoint,
            });
            let backups = match backups {
                (Some(config), Some(stanza)) => Some(BackupHome {
                    config: config.into(),
                    stanza,
                }),
                _ => None,
            };
            Ok(ClusterRecord {
                name: ClusterName::parse(&name)
                    .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?,
                url,
                admin_url,
                listen_url,
                replica_urls,
                region,
                media,
                backups,
            })
        })
        .collect()
}

/// One instance's clusters: their pools and where each school is.
pub struct Clusters {
    settings: PoolSettings,
    metrics: Option<Arc<Metrics>>,
    replica_wait: Duration,
    /// Limits the transactions running at once across every cluster's pools.
    total: Arc<tokio::sync::Semaphore>,
    placement: Arc<Placement>,
    fleet: RwLock<Arc<Fleet>>,
}

struct Fleet {
    /// `main` first, then as listed.
    records: Vec<ClusterRecord>,
    pools: HashMap<ClusterName, Arc<Pools>>,
}

/// An idle connection to a cluster is closed after this long: an instance holds connections
/// only to the clusters whose schools it is serving.
const IDLE: Duration = Duration::from_secs(60);

impl Clusters {
    /// `main` from the settings' URLs; the others are added by [`Clusters::set`]. `total` bounds
    /// the transactions running at once on all of them together.
    pub fn new(
        settings: PoolSettings,
        main: ClusterRecord,
        total: usize,
        metrics: Option<Arc<Metrics>>,
        replica_wait: Duration,
    ) -> Self {
        let clusters = Self {
            settings,
            metrics,
            replica_wait,
            total: Arc::new(tokio::sync::Semaphore::new(total.max(1))),
            placement: Arc::default(),
            fleet: RwLock::new(Arc::new(Fleet {
                records: Vec::new(),
                pools: HashMap::new(),
            })),
        };
        clusters.set(vec![main]);
        clusters
    }

    /// Takes the directory's list (`main` first). Pools of clusters still listed with the same
    /// URLs are kept; new ones are built (without connecting); removed ones are dropped.
    pub fn set(&self, records: Vec<ClusterRecord>) {
        let old = self.fleet();
        let pools = records
            .iter()
            .map(|record| {
                let kept = old
                    .records
                    .iter()
                    .find(|r| *r == record)
                    .and_then(|r| old.pools.get(&r.name).cloned());
                let pools = kept.unwrap_or_else(|| Arc::new(self.build(record)));
                (record.name.clone(), pools)
            })
            .collect();
        *self.fleet.write().expect("clusters lock") = Arc::new(Fleet { records, pools });
    }

    fn build(&self, record: &ClusterRecord) -> Pools {
        let prefix = if record.name.is_main() {
            String::new()
        } else {
            format!("{}/", record.name)
        };
        Pools::labelled(
            self.settings,
            &prefix,
            &record.url,
            &record.replica_urls,
            self.metrics.clone(),
            Some((
                record.name.clone(),
                self.placement.clone(),
                self.total.clone(),
            )),
            (!record.name.is_main()).then_some(IDLE),
        )
        .with_replica_wait(self.replica_wait)
    }

    fn fleet(&self) -> Arc<Fleet> {
        self.fleet.read().expect("clusters lock").clone()
    }

    /// Every cluster, `main` first.
    pub fn records(&self) -> Vec<ClusterRecord> {
        self.fleet().records.clone()
    }

    pub fn record(&self, name: &ClusterName) -> Option<ClusterRecord> {
        self.fleet()
            .records
            .iter()
            .find(|r| &r.name == name)
            .cloned()
    }

    pub fn main(&self) -> Arc<Pools> {
        self.named(&ClusterName::main())
            .expect("the main cluster is always there")
    }

    pub fn named(&self, name: &ClusterName) -> Option<Arc<Pools>> {
        self.fleet().pools.get(name).cloned()
    }

    /// The pools of the cluster `tenant` is on. A school this instance has not placed is not
    /// served: its host did not resolve here either.
    pub fn of(&self, tenant: TenantId) -> Result<Arc<Pools>, AppError> {
        self.placement
            .of(tenant)
            .and_then(|name| self.named(&name))
            .ok_or(AppError::NotFound)
    }

    /// Where every school is now, all at once (a school absent is served nowhere).
    pub fn place(&self, schools: Vec<(TenantId, ClusterName)>) {
        *self.placement.map.write().expect("placement lock") = schools.into_iter().collect();
    }

    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// Every cluster's pools, `main` first.
    pub fn all(&self) -> Vec<(ClusterName, Arc<Pools>)> {
        let fleet = self.fleet();
        fleet
            .records
            .iter()
            .filter_map(|r| Some((r.name.clone(), fleet.pools.get(&r.name)?.clone())))
            .collect()
    }

    pub fn readings(&self) -> Vec<PoolReading> {
        self.all()
            .into_iter()
            .flat_map(|(_, pools)| pools.readings())
            .collect()
    }
}
