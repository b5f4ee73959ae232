//! The database a command works on: the one named by `DATABASE_URL`, or the embedded cluster.

use anyhow::Context;

use crate::backup;
use crate::config::Cli;
use crate::db::clusters::{self, BackupHome, ClusterRecord};
use crate::db::embedded::{Cluster, ClusterOptions, Tools};
use crate::db::{ClusterName, PoolSettings, Pools, migrate};

/// The database a command works on: the one named by DATABASE_URL, or the embedded cluster.
pub(super) struct Database {
    pub(super) runtime_url: String,
    pub(super) admin_url: Option<String>,
    pub(super) replica_urls: Vec<String>,
    pub(super) listen_url: Option<String>,
    pub(super) cluster: Option<Cluster>,
    /// The `main` cluster's pgBackRest repository: the embedded cluster's when pgBackRest is
    /// installed (its WAL is archived there), or the one `DATABASE_BACKUP_CONFIG` names.
    pub(super) backups: Option<backup::Repo>,
    backup_home: Option<BackupHome>,
}

impl Database {
    pub(super) async fn open(cli: &Cli) -> anyhow::Result<Self> {
        if let Some(url) = &cli.db.database_url {
            let backup_home = cli
                .db
                .database_backup_config
                .clone()
                .map(|config| BackupHome {
                    config,
                    stanza: cli.db.database_backup_stanza.clone(),
                });
            return Ok(Self {
                runtime_url: url.clone(),
                admin_url: cli.db.database_admin_url.clone(),
                replica_urls: cli.db.database_replica_urls.clone(),
                listen_url: cli.db.database_listen_url.clone(),
                cluster: None,
                backups: backup_home.as_ref().map(backup::Repo::outside),
                backup_home,
            });
        }
        let root = cli.data_dir.join("pg");
        let repo = backup::Repo::new(&cli.data_dir);
        let archive_command = if backup::Repo::available() {
            std::fs::create_dir_all(&cli.data_dir)?;
            let owner = crate::db::embedded::unprivileged_user()?;
            repo.configure(&std::path::absolute(&root)?, owner)?;
            Some(repo.archive_command())
        } else {
            tracing::warn!("pgbackrest is not installed: the embedded database is not backed up");
            None
        };
        let options = ClusterOptions {
            archive_command,
            ..ClusterOptions::default()
        };
        let archiving = options.archive_command.is_some();
        let cluster = Cluster::start(&root, options).await?;
        // Archiving fails (and WAL piles up in pg_wal) until the stanza exists: create it now,
        // not at the first backup.
        if archiving {
            if let Err(e) = repo.ensure_stanza(cluster.tools()).await {
                tracing::error!(error = %e, "backups: creating the pgBackRest stanza failed");
            }
        }
        let urls = cluster.provision("eduflow").await?;
        migrate::migrate(&urls.admin, &urls.runtime).await?;
        Ok(Self {
            runtime_url: urls.runtime,
            admin_url: Some(urls.admin),
            replica_urls: Vec::new(),
            listen_url: None,
            cluster: Some(cluster),
            backups: archiving.then_some(repo),
            backup_home: None,
        })
    }

    /// `cluster`'s pgBackRest repository, and who runs pgBackRest against it: the embedded
    /// database's own, or the repository its operator keeps in its region.
    pub(super) fn backups_of(
        &self,
        cluster: &ClusterRecord,
    ) -> anyhow::Result<(Tools, backup::Repo)> {
        let repo = match (&self.backups, cluster.name.is_main()) {
            (Some(repo), true) => repo.clone(),
            (None, true) if self.cluster.is_some() => {
                anyhow::bail!("pgbackrest is not installed (Debian: apt-get install pgbackrest)")
            }
            _ => match &cluster.backups {
                Some(home) => backup::Repo::outside(home),
                None => anyhow::bail!(
                    "cluster {} names no pgBackRest repository: give it one with {} \
                     (docs/operations.md: Backups)",
                    cluster.name,
                    if cluster.name.is_main() {
                        "DATABASE_BACKUP_CONFIG"
                    } else {
                        "`eduflow clusters add … --backup-config`"
                    }
                ),
            },
        };
        let tools = match &self.cluster {
            Some(embedded) if cluster.name.is_main() => embedded.tools().clone(),
            _ => Tools::for_server_user()?,
        };
        Ok((tools, repo))
    }

    pub(super) fn admin_url(&self) -> anyhow::Result<&str> {
        self.admin_url
            .as_deref()
            .context("this command needs DATABASE_ADMIN_URL (the owner role)")
    }

    pub(super) fn admin_pools(&self) -> anyhow::Result<Pools> {
        Ok(Pools::new(
            PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
            self.admin_url()?,
            &[],
            None,
        ))
    }

    /// Every cluster, the directory (`main`) first; owner-side URLs included.
    pub(super) async fn clusters(&self) -> anyhow::Result<Vec<ClusterRecord>> {
        let mut all = vec![self.clusters_main()?];
        let listed = clusters::listed(self.admin_pools()?.primary())
            .await
            .map_err(|e| anyhow::anyhow!("reading the directory of clusters: {e:?}"))?;
        all.extend(listed);
        Ok(all)
    }

    /// The cluster called `name`.
    pub(super) async fn cluster(&self, name: &ClusterName) -> anyhow::Result<ClusterRecord> {
        named(self.clusters().await?, name)
    }

    /// The directory's own cluster, `main`.
    pub(super) fn clusters_main(&self) -> anyhow::Result<ClusterRecord> {
        Ok(ClusterRecord {
            name: ClusterName::main(),
            url: self.runtime_url.clone(),
            admin_url: self.admin_url()?.to_owned(),
            listen_url: self.listen_url.clone(),
            replica_urls: self.replica_urls.clone(),
            region: String::new(),
            media: None,
            backups: self.backup_home.clone(),
        })
    }

    /// The owner role's pools on `cluster`.
    pub(super) fn admin_pools_on(cluster: &ClusterRecord) -> Pools {
        Pools::new(
            PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
            &cluster.admin_url,
            &[],
            None,
        )
    }

    /// The owner role's pools on the cluster `slug` is on (a school on none: the directory's
    /// own, where the command then reports it missing).
    pub(super) async fn school_pools(&self, slug: &str) -> anyhow::Result<Pools> {
        match self.locate(slug).await {
            Ok((_, pools)) => Ok(pools),
            Err(_) => self.admin_pools(),
        }
    }

    /// The cluster `slug` is on, and the owner role's pools there.
    pub(super) async fn locate(&self, slug: &str) -> anyhow::Result<(ClusterRecord, Pools)> {
        for cluster in self.clusters().await? {
            let pools = Self::admin_pools_on(&cluster);
            let found = crate::tenancy::lifecycle::find(pools.primary(), slug)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("looking for {slug} on cluster {}: {e:?}", cluster.name)
                })?;
            if found.is_some() {
                return Ok((cluster, pools));
            }
        }
        anyhow::bail!("no school {slug} on any cluster")
    }

    pub(super) async fn close(self) {
        if let Some(cluster) = self.cluster {
            if let Err(e) = cluster.stop().await {
                tracing::warn!(error = %e, "stopping the embedded PostgreSQL failed");
            }
        }
    }
}

/// The cluster called `name` among `clusters`.
pub(super) fn named(
    clusters: Vec<ClusterRecord>,
    name: &ClusterName,
) -> anyhow::Result<ClusterRecord> {
    clusters
        .into_iter()
        .find(|c| &c.name == name)
        .with_context(|| format!("no cluster {name} (see `eduflow clusters list`)"))
}
