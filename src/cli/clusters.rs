//! `eduflow clusters …` and `eduflow migrate` over every cluster.

use anyhow::{Context, bail};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::database::Database;
use crate::config::{ClusterArgs, ClustersCommand};
use crate::db::clusters::{BackupHome, ClusterRecord, MediaHome};
use crate::db::schema::{clusters, tenants};
use crate::db::{ClusterName, global_tx, migrate};

/// A school as the owner side places it: its slug and custom domains.
type School = (String, Vec<String>);

/// A cluster's schools.
pub(super) type Placed = (ClusterName, Vec<School>);

pub(super) async fn clusters_cmd(db: &Database, command: &ClustersCommand) -> anyhow::Result<()> {
    match command {
        ClustersCommand::Add(args) => add(db, args).await,
        ClustersCommand::List => list(db).await,
        ClustersCommand::Remove { name } => remove(db, name).await,
    }
}

async fn add(db: &Database, args: &ClusterArgs) -> anyhow::Result<()> {
    if args.name.is_main() {
        bail!("`main` is the directory's own cluster (DATABASE_URL)");
    }
    let known = db.clusters().await?;
    if let Some(same) = known
        .iter()
        .find(|c| c.name == args.name || c.admin_url == args.admin_url)
    {
        bail!(
            "cluster {} is listed already with these URLs or this name",
            same.name
        );
    }
    let record = ClusterRecord {
        name: args.name.clone(),
        url: args.url.clone(),
        admin_url: args.admin_url.clone(),
        listen_url: args.listen_url.clone(),
        replica_urls: crate::regions::replica_urls(&args.replica_urls, None),
        region: args.region.clone(),
        media: args.media_bucket.clone().map(|bucket| MediaHome {
            bucket,
            region: args.media_region.clone(),
            endpoint: args.media_endpoint.clone(),
        }),
        backups: args.backup_config.clone().map(|config| BackupHome {
            config,
            stanza: args.backup_stanza.clone(),
        }),
    };
    if let Some(home) = &record.backups {
        if !home.config.is_file() {
            bail!(
                "--backup-config {}: no such file here (it is read where eduflow runs)",
                home.config.display()
            );
        }
    }
    // Its schema must be this build's, as every other cluster's is, before any school goes there.
    refuse_unknown_versions(std::slice::from_ref(&record)).await?;
    migrate::migrate(&record.admin_url, &record.url)
        .await
        .with_context(|| format!("migrating cluster {}", record.name))?;
    migrate::check_runtime_role(&record.url)
        .await
        .with_context(|| format!("cluster {}'s --url", record.name))?;
    // A school already there (a cluster reused) must not take another cluster's slug or domains.
    let placed = schools_by_cluster(&known).await?;
    for (slug, domains) in schools_on(&record).await? {
        if let Some(clash) = clash(&placed, &record.name, &slug, &domains) {
            bail!("school {slug} on cluster {}: {clash}", record.name);
        }
    }
    let pools = db.admin_pools()?;
    let row = record.clone();
    global_tx(pools.primary(), "clusters", move |conn| {
        Box::pin(async move {
            diesel::insert_into(clusters::table)
                .values((
                    clusters::name.eq(row.name.as_str()),
                    clusters::url.eq(&row.url),
                    clusters::admin_url.eq(&row.admin_url),
                    clusters::listen_url.eq(&row.listen_url),
                    clusters::replica_urls.eq(&row.replica_urls),
                    clusters::region.eq(&row.region),
                    clusters::media_bucket.eq(row.media.as_ref().map(|m| &m.bucket)),
                    clusters::media_region.eq(row.media.as_ref().and_then(|m| m.region.as_ref())),
                    clusters::media_endpoint
                        .eq(row.media.as_ref().and_then(|m| m.endpoint.as_ref())),
                    clusters::backup_config
                        .eq(row.backups.as_ref().map(|b| b.config.display().to_string())),
                    clusters::backup_stanza.eq(row.backups.as_ref().map(|b| &b.stanza)),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("listing cluster {}: {e:?}", record.name))?;
    println!("added cluster {}", record.name);
    Ok(())
}

async fn list(db: &Database) -> anyhow::Result<()> {
    let known = migrate::known_versions();
    for cluster in db.clusters().await? {
        let schools = schools_on(&cluster).await;
        let version = migrate::applied_versions(&cluster.admin_url).await;
        let state = match (&schools, &version) {
            (Ok(schools), Ok(applied)) => format!(
                "{} school(s)\tschema {}{}",
                schools.len(),
                applied.last().map_or("none", String::as_str),
                if applied.as_slice() == known.as_slice() {
                    ""
                } else {
                    " (not this build's: run eduflow migrate)"
                }
            ),
            (Err(e), _) | (_, Err(e)) => format!("unreachable: {e:#}"),
        };
        let region = if cluster.region.is_empty() {
            "-"
        } else {
            &cluster.region
        };
        let media = cluster.media.as_ref().map_or_else(
            || "media: the instances' store".to_owned(),
            |m| format!("media: bucket {}", m.bucket),
        );
        let backups = match db.backups_of(&cluster) {
            Ok((_, repo)) => format!("backups: {repo}"),
            Err(_) => "backups: -".to_owned(),
        };
        println!("{}\t{region}\t{state}\t{media}\t{backups}", cluster.name);
    }
    Ok(())
}

async fn remove(db: &Database, name: &ClusterName) -> anyhow::Result<()> {
    if name.is_main() {
        bail!("`main` is the directory's own cluster and cannot be removed");
    }
    let cluster = db.cluster(name).await?;
    let schools = schools_on(&cluster)
        .await
        .with_context(|| format!("counting cluster {name}'s schools"))?;
    if !schools.is_empty() {
        let slugs: Vec<&str> = schools.iter().map(|(s, _)| s.as_str()).collect();
        bail!(
            "cluster {name} still holds {} school(s) ({}): move or delete them first",
            schools.len(),
            slugs.join(", ")
        );
    }
    let pools = db.admin_pools()?;
    let gone = name.as_str().to_owned();
    global_tx(pools.primary(), "clusters", move |conn| {
        Box::pin(async move {
            diesel::delete(clusters::table.filter(clusters::name.eq(gone)))
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("removing cluster {name}: {e:?}"))?;
    println!("removed cluster {name}");
    Ok(())
}

/// Each school on `cluster`: its slug and custom domains (owner-side: the owner role sees the
/// directory table whole).
pub(super) async fn schools_on(cluster: &ClusterRecord) -> anyhow::Result<Vec<School>> {
    let pools = Database::admin_pools_on(cluster);
    global_tx(pools.primary(), "tenants", |conn| {
        Box::pin(async move {
            Ok(tenants::table
                .order(tenants::slug)
                .select((tenants::slug, tenants::domains))
                .load(conn)
                .await?)
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// Every cluster's schools, as [`schools_on`] lists them.
pub(super) async fn schools_by_cluster(clusters: &[ClusterRecord]) -> anyhow::Result<Vec<Placed>> {
    let mut all = Vec::with_capacity(clusters.len());
    for cluster in clusters {
        let schools = schools_on(cluster)
            .await
            .with_context(|| format!("reading cluster {}'s schools", cluster.name))?;
        all.push((cluster.name.clone(), schools));
    }
    Ok(all)
}

/// Why a school `slug` with `domains` cannot be on `cluster`: another cluster has a school of
/// that slug or one of those domains (host names must resolve to one school in the fleet).
pub(super) fn clash(
    placed: &[Placed],
    cluster: &ClusterName,
    slug: &str,
    domains: &[String],
) -> Option<String> {
    placed
        .iter()
        .filter(|(name, _)| name != cluster)
        .find_map(|(name, schools)| {
            schools.iter().find_map(|(other, theirs)| {
                if other == slug {
                    Some(format!("cluster {name} has a school {slug} already"))
                } else {
                    theirs.iter().find(|d| domains.contains(d)).map(|d| {
                        format!("the domain {d} belongs to school {other} on cluster {name}")
                    })
                }
            })
        })
}

/// The cluster of each school in `placed`, by slug.
pub(super) fn cluster_of<'a>(placed: &'a [Placed], slug: &str) -> Option<&'a ClusterName> {
    placed
        .iter()
        .find(|(_, schools)| schools.iter().any(|(s, _)| s == slug))
        .map(|(name, _)| name)
}

/// Refuses, before anything changes, clusters this build cannot migrate: unreachable, or
/// carrying migrations of a newer build.
async fn refuse_unknown_versions(clusters: &[ClusterRecord]) -> anyhow::Result<()> {
    let known = migrate::known_versions();
    for cluster in clusters {
        let applied = migrate::applied_versions(&cluster.admin_url)
            .await
            .with_context(|| {
                format!(
                    "cluster {} cannot be reached; no cluster was migrated",
                    cluster.name
                )
            })?;
        // Schema changes are not replicated: a move in flight would break on one.
        let mut conn = crate::db::connect::establish(&cluster.admin_url).await?;
        #[derive(diesel::QueryableByName)]
        struct Moving {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let moving: Moving = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_publication WHERE pubname LIKE 'eduflow\\_move\\_%'",
        )
        .get_result(&mut conn)
        .await?;
        if moving.n > 0 {
            bail!(
                "a school is being moved off cluster {} (`tenants move`): migrate once it is done; \
                 no cluster was migrated",
                cluster.name
            );
        }
        let unknown: Vec<&String> = applied.iter().filter(|v| !known.contains(v)).collect();
        if !unknown.is_empty() {
            bail!(
                "cluster {} has migrations this build does not know ({}): run a newer EduFlow; \
                 no cluster was migrated",
                cluster.name,
                unknown
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(())
}

/// `eduflow migrate`: every cluster to this build's schema, or none when one cannot be (checked
/// first: each reachable, none ahead of this build). Should one fail midway, the clusters left
/// behind are named, and running the command again finishes them.
pub(super) async fn migrate_all(
    db: &Database,
    main: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    // The directory's own schema first: the list of clusters lives in it.
    let main_only = vec![db.clusters_main()?];
    refuse_unknown_versions(&main_only).await?;
    let listed = if migrate::applied_versions(&main_only[0].admin_url)
        .await?
        .is_empty()
    {
        Vec::new()
    } else {
        db.clusters().await.unwrap_or(main_only.clone())
    };
    refuse_unknown_versions(&listed).await?;
    main.await.context("migrating cluster main")?;
    let others: Vec<ClusterRecord> = db.clusters().await?.into_iter().skip(1).collect();
    let mut failed = Vec::new();
    for cluster in &others {
        if let Err(e) = migrate::migrate(&cluster.admin_url, &cluster.url).await {
            failed.push(format!("{}: {e:#}", cluster.name));
        }
    }
    let known = migrate::known_versions();
    let mut behind = Vec::new();
    for cluster in std::iter::once(&main_only[0]).chain(&others) {
        let applied = migrate::applied_versions(&cluster.admin_url)
            .await
            .unwrap_or_default();
        if applied != known {
            behind.push(cluster.name.to_string());
        }
    }
    if !failed.is_empty() || !behind.is_empty() {
        bail!(
            "clusters are at different schema versions now ({} behind this build): {}; \
             run `eduflow migrate` again once they can be reached",
            behind.join(", "),
            failed.join("; ")
        );
    }
    println!(
        "every cluster ({}) is at schema {}",
        1 + others.len(),
        known.last().map_or("none", String::as_str)
    );
    Ok(())
}
