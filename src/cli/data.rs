//! `backup …` and `seed …`: the owner side's data commands.

use super::database::Database;
use super::store::store_config;
use crate::config::{BackupCommand, Cli, SeedArgs};
use crate::db::ClusterName;
use crate::seed;
use crate::tenancy::{files, sync};

pub(super) async fn backup_cmd(
    cli: &Cli,
    db: &Database,
    cluster: &ClusterName,
    command: &BackupCommand,
) -> anyhow::Result<()> {
    let (tools, repo) = db.backups_of(&db.cluster(cluster).await?)?;
    let tools = &tools;
    match command {
        BackupCommand::Now => {
            let start = std::time::Instant::now();
            let label = repo.backup_full(tools).await?;
            println!(
                "full backup {label} taken in {:.1} s",
                start.elapsed().as_secs_f64()
            );
        }
        BackupCommand::List => {
            for b in repo.list(tools).await? {
                println!(
                    "{}\t{}\t{} → {}\tdatabase {} MiB\trepository {} MiB",
                    b.label,
                    b.kind,
                    b.started.format("%Y-%m-%dT%H:%M:%SZ"),
                    b.stopped.format("%Y-%m-%dT%H:%M:%SZ"),
                    b.database_bytes >> 20,
                    b.repo_bytes >> 20
                );
            }
        }
        BackupCommand::Verify => {
            print!("{}", repo.verify(tools).await?);
            println!("backups and archived WAL verified: no error");
        }
        BackupCommand::Restore { to, into } => {
            let into = into.clone().unwrap_or_else(|| {
                cli.data_dir
                    .join(format!("restored-{}", to.format("%Y%m%dT%H%M%SZ")))
            });
            let start = std::time::Instant::now();
            repo.restore(tools, *to, &into).await?;
            let live = match &db.cluster {
                Some(_) if cluster.is_main() => cli.data_dir.join("pg/data").display().to_string(),
                _ => format!("cluster {cluster}'s data directory"),
            };
            println!(
                "restored to {} into {} in {:.1} s; start it with: pg_ctl -D {} start \
                 (or stop EduFlow and put it in place of {live})",
                to.to_rfc3339(),
                into.display(),
                start.elapsed().as_secs_f64(),
                into.display(),
            );
        }
    }
    Ok(())
}

pub(super) async fn seed_cmd(cli: &Cli, db: &Database, args: &SeedArgs) -> anyhow::Result<()> {
    let pools = db.admin_pools()?;
    match (args.tenants, args.courses_per_tenant) {
        (Some(n), Some(m)) => {
            seed::bench::generate(pools.primary(), n, m, args.seed, 4).await?;
            if args.learners_per_tenant > 0 {
                seed::bench::generate_learners(
                    pools.primary(),
                    n,
                    args.learners_per_tenant,
                    args.enrollments_per_learner,
                    args.seed,
                )
                .await?;
            }
            println!("{n} benchmark school(s) with {m} course(s) each");
        }
        _ => {
            let specs = files::load_dir(&cli.tenants_dir, &cli.base_domain)?;
            let schools = sync::apply(pools.primary(), specs, sync::Mode::Upsert).await?;
            let store = store_config(cli)?.open()?;
            let seeded = seed::demo::demo(pools.primary(), &schools, args.seed, &store).await?;
            println!("demo content added to {seeded} school(s)");
        }
    }
    Ok(())
}
