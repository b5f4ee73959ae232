//! Backups with pgBackRest. For the embedded database: continuous WAL archiving and full backups
//! into `<data dir>/backups`, a nightly full backup while `serve` runs. For any other cluster:
//! the repository its operator runs in its region, named by a configuration file and stanza
//! (`eduflow clusters add --backup-config`), so each cluster's backups stay beside it. Either
//! way, point-in-time restores go into a fresh directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};

use crate::db::clusters::BackupHome;
use crate::db::embedded::{ARCHIVE_TIMEOUT, Cluster, PORT, SUPERUSER, Tools};

pub const STANZA: &str = "eduflow";
/// Full backups kept; older ones (and the WAL only they need) are expired.
pub const RETENTION_FULL: u32 = 7;
const PGBACKREST: &str = "pgbackrest";

/// A pgBackRest repository, and how pgBackRest is told where it is.
#[derive(Debug, Clone)]
pub struct Repo {
    /// pgBackRest's configuration file; for the embedded database, in `<data dir>/backups`
    /// beside the repository, its locks and logs.
    conf: PathBuf,
    stanza: String,
}

impl Repo {
    /// The embedded database's, under `data_dir`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            conf: data_dir.join("backups").join("pgbackrest.conf"),
            stanza: STANZA.to_owned(),
        }
    }

    /// A repository run by the cluster's operator, reached through its configuration file.
    pub fn outside(home: &BackupHome) -> Self {
        Self {
            conf: home.config.clone(),
            stanza: home.stanza.clone(),
        }
    }

    pub fn available() -> bool {
        std::process::Command::new(PGBACKREST)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn root(&self) -> &Path {
        self.conf
            .parent()
            .expect("a configuration file is in a folder")
    }

    /// The cluster's `archive_command`.
    pub fn archive_command(&self) -> String {
        format!(
            "{PGBACKREST} --config={} --stanza={} archive-push %p",
            self.conf.display(),
            self.stanza
        )
    }

    /// Writes pgBackRest's configuration for the embedded cluster rooted at `cluster_root`
    /// (`<data dir>/pg`), in folders its OS user owns.
    pub fn configure(
        &self,
        cluster_root: &Path,
        owner: Option<(nix::unistd::Uid, nix::unistd::Gid)>,
    ) -> anyhow::Result<()> {
        for dir in ["", "repo", "lock", "log"] {
            let path = self.root().join(dir);
            std::fs::create_dir_all(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            if let Some((uid, gid)) = owner {
                std::os::unix::fs::chown(&path, Some(uid.as_raw()), Some(gid.as_raw()))?;
            }
        }
        let text = format!(
            "[global]\nrepo1-path={repo}\nrepo1-retention-full={RETENTION_FULL}\n\
             lock-path={lock}\nlog-path={log}\nlog-level-console=warn\nlog-level-file=info\n\
             start-fast=y\ncompress-type=lz4\n\n\
             [{stanza}]\npg1-path={data}\npg1-socket-path={sock}\npg1-port={PORT}\npg1-user={SUPERUSER}\n",
            stanza = self.stanza,
            repo = self.root().join("repo").display(),
            lock = self.root().join("lock").display(),
            log = self.root().join("log").display(),
            data = cluster_root.join("data").display(),
            sock = cluster_root.join("run").display(),
        );
        std::fs::write(&self.conf, text)?;
        Ok(())
    }

    async fn run(&self, tools: &Tools, args: &[&str]) -> anyhow::Result<String> {
        let conf = format!("--config={}", self.conf.display());
        let stanza = format!("--stanza={}", self.stanza);
        let mut all = vec![conf.as_str(), stanza.as_str()];
        all.extend_from_slice(args);
        // Another pgBackRest process (the nightly task, a concurrent command) holds the lock:
        // wait for it a little rather than fail.
        let mut tries = 0;
        loop {
            match tools.run(Path::new(PGBACKREST), &all).await {
                Err(e) if tries < 100 && e.to_string().contains("[050]") => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                other => return other,
            }
        }
    }

    /// Creates the stanza (idempotent) once the cluster archives.
    pub async fn ensure_stanza(&self, tools: &Tools) -> anyhow::Result<()> {
        self.run(tools, &["stanza-create"]).await.map(drop)
    }

    /// A full backup; returns its label.
    pub async fn backup_full(&self, tools: &Tools) -> anyhow::Result<String> {
        self.ensure_stanza(tools).await?;
        self.run(tools, &["--type=full", "backup"]).await?;
        self.list(tools)
            .await?
            .last()
            .map(|b| b.label.clone())
            .context("pgBackRest reported no backup after taking one")
    }

    pub async fn list(&self, tools: &Tools) -> anyhow::Result<Vec<BackupInfo>> {
        let out = self.run(tools, &["--output=json", "info"]).await?;
        parse_info(&out)
    }

    /// Forces a WAL switch and waits for it to be archived (`check`), then re-reads every backup
    /// and archived WAL file (`verify`). pgBackRest 2.45's `verify` exits 0 even when it finds
    /// errors, so its report is read: any error is an `Err` carrying it.
    pub async fn verify(&self, tools: &Tools) -> anyhow::Result<String> {
        self.run(tools, &["check"]).await?;
        let report = self
            .run(tools, &["--output=text", "--verbose", "verify"])
            .await?;
        let problems = verify_problems(&report);
        if !problems.is_empty() {
            bail!(
                "pgBackRest verify found problems ({}):\n{report}",
                problems.join("; ")
            );
        }
        Ok(report)
    }

    /// Restores the state of `to` into `into` (an empty or missing directory), ready to start:
    /// recovery replays archived WAL up to `to`, then promotes; archiving is off in the copy.
    pub async fn restore(
        &self,
        tools: &Tools,
        to: DateTime<Utc>,
        into: &Path,
    ) -> anyhow::Result<()> {
        if into.exists() && std::fs::read_dir(into)?.next().is_some() {
            bail!(
                "{} is not empty; restore into a new directory",
                into.display()
            );
        }
        std::fs::create_dir_all(into)?;
        if let Some((uid, gid)) = tools.run_as() {
            std::os::unix::fs::chown(into, Some(uid.as_raw()), Some(gid.as_raw()))?;
        }
        std::fs::set_permissions(into, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        // A moment of the last few minutes may still sit in the WAL segment being written, which
        // is archived only when full or after `archive_timeout`: recovery would end short of
        // it. `check` switches to a new segment and waits until the old one is archived.
        if Utc::now()
            .signed_duration_since(to)
            .to_std()
            .unwrap_or_default()
            <= ARCHIVE_TIMEOUT
        {
            self.run(tools, &["check"]).await?;
        }
        let target = format!("--target={}", to.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        let path = format!("--pg1-path={}", into.display());
        self.run(
            tools,
            &[
                &path,
                "--type=time",
                &target,
                "--target-action=promote",
                "--archive-mode=off",
                "restore",
            ],
        )
        .await?;
        Ok(())
    }

    /// Takes a full backup every night at `at` (UTC), and a first one soon after start when the
    /// repository has none. Failures are logged and retried the next night.
    pub async fn nightly(self, cluster: Cluster, at: chrono::NaiveTime) {
        let tools = cluster.tools();
        if let Err(e) = self.ensure_stanza(tools).await {
            tracing::error!(error = %e, "backups: creating the pgBackRest stanza failed");
        }
        let none_yet = self.list(tools).await.map_or(true, |l| l.is_empty());
        if none_yet {
            tokio::time::sleep(Duration::from_secs(60)).await;
            self.backup_logged(tools).await;
        }
        loop {
            let now = Utc::now();
            let next = next_run(now, at);
            tokio::time::sleep((next - now).to_std().unwrap_or_default()).await;
            self.backup_logged(tools).await;
        }
    }

    async fn backup_logged(&self, tools: &Tools) {
        let start = std::time::Instant::now();
        match self.backup_full(tools).await {
            Ok(label) => tracing::info!(
                label,
                seconds = start.elapsed().as_secs_f64(),
                "backups: full backup taken"
            ),
            Err(e) => tracing::error!(error = %e, "backups: full backup failed"),
        }
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stanza {} in {}", self.stanza, self.conf.display())
    }
}

/// The next moment at `at` (UTC) strictly after `now`: today's, or else tomorrow's.
fn next_run(now: DateTime<Utc>, at: chrono::NaiveTime) -> DateTime<Utc> {
    let today = now.date_naive().and_time(at).and_utc();
    if today > now {
        today
    } else {
        today + chrono::Duration::days(1)
    }
}

/// One backup in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub label: String,
    pub kind: String,
    pub started: DateTime<Utc>,
    pub stopped: DateTime<Utc>,
    /// Size in the repository (compressed).
    pub repo_bytes: u64,
    /// Size of the database it holds.
    pub database_bytes: u64,
}

/// What is wrong according to `verify --output=text --verbose`: a stanza status other than
/// `ok`, a backup status other than `valid`, a non-zero count of missing or invalid files, or
/// no report at all.
fn verify_problems(report: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut stanza_seen = false;
    for line in report.lines() {
        for pair in line.trim().split(", ") {
            let Some((key, value)) = pair.split_once(": ") else {
                continue;
            };
            let bad = match key {
                "stanza" => {
                    stanza_seen = true;
                    false
                }
                "status" => !matches!(value, "ok" | "valid"),
                "missing" | "checksum invalid" | "size invalid" | "other" => value != "0",
                _ => false,
            };
            if bad {
                problems.push(line.trim().to_owned());
                break;
            }
        }
    }
    if !stanza_seen {
        problems.push("no verify report".into());
    }
    problems
}

fn parse_info(json: &str) -> anyhow::Result<Vec<BackupInfo>> {
    let value: serde_json::Value = serde_json::from_str(json).context("reading pgBackRest info")?;
    let mut out = Vec::new();
    for stanza in value.as_array().into_iter().flatten() {
        for b in stanza["backup"].as_array().into_iter().flatten() {
            let at = |key: &str| {
                DateTime::from_timestamp(b["timestamp"][key].as_i64().unwrap_or_default(), 0)
                    .unwrap_or_default()
            };
            out.push(BackupInfo {
                label: b["label"].as_str().unwrap_or_default().to_owned(),
                kind: b["type"].as_str().unwrap_or_default().to_owned(),
                started: at("start"),
                stopped: at("stop"),
                repo_bytes: b["info"]["repository"]["delta"]
                    .as_u64()
                    .unwrap_or_default(),
                database_bytes: b["info"]["size"].as_u64().unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_verify_reports_which_exit_0_either_way() {
        let ok = "stanza: eduflow\nstatus: ok\n  archiveId: 15-1, total WAL checked: 3, total valid WAL: 3\n    missing: 0, checksum invalid: 0, size invalid: 0, other: 0\n  backup: 20261130-135750F, status: valid, total files checked: 1348, total valid files: 1348\n    missing: 0, checksum invalid: 0, size invalid: 0, other: 0\n";
        assert!(verify_problems(ok).is_empty());
        let broken = ok
            .replace("status: ok", "status: error")
            .replace("status: valid", "status: invalid")
            .replacen("checksum invalid: 0", "checksum invalid: 1", 2);
        assert_eq!(verify_problems(&broken).len(), 4, "{broken}");
        assert_eq!(verify_problems(""), ["no verify report"]);
    }

    #[test]
    fn the_nightly_backup_runs_at_the_next_given_time() {
        let at = chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            next_run(t("2026-11-30T01:59:59Z"), at),
            t("2026-11-30T02:00:00Z")
        );
        assert_eq!(
            next_run(t("2026-11-30T02:00:00Z"), at),
            t("2026-12-01T02:00:00Z")
        );
        assert_eq!(
            next_run(t("2026-12-31T23:30:00Z"), at),
            t("2027-01-01T02:00:00Z")
        );
    }

    #[test]
    fn reads_pgbackrest_info() {
        let json = r#"[{"name":"eduflow","backup":[{"label":"20261130-120000F","type":"full",
            "timestamp":{"start":1796040000,"stop":1796040005},
            "info":{"size":31457280,"repository":{"delta":4194304,"size":4194304}}}]}]"#;
        let list = parse_info(json).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].label, "20261130-120000F");
        assert_eq!(list[0].kind, "full");
        assert_eq!(list[0].database_bytes, 31_457_280);
        assert_eq!(list[0].repo_bytes, 4_194_304);
        assert_eq!((list[0].stopped - list[0].started).num_seconds(), 5);
    }
}
