//! A private PostgreSQL cluster run from the machine's own binaries: the embedded default of
//! `eduflow serve` and the test harness. It listens on a Unix socket only, in a directory that
//! only the cluster's OS user (and root) can enter, so `trust` authentication stays local.

use std::collections::HashSet;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::process::Command;

pub const SUPERUSER: &str = "postgres";
pub const PORT: u16 = 5432;
/// An idle database still archives its WAL this often.
pub const ARCHIVE_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct Cluster {
    bindir: PathBuf,
    datadir: PathBuf,
    sockdir: PathBuf,
    started_here: bool,
    /// Tools running against the cluster (a nightly backup, say): `stop` ends them first, so
    /// none outlives the server it works on and keeps writing its files.
    tools: Tools,
}

/// Runs PostgreSQL's and pgBackRest's tools as the server's OS user (they refuse root), each in
/// a process group of its own, listed while it runs so that they can all be ended.
#[derive(Debug, Clone)]
pub struct Tools {
    run_as: Option<(nix::unistd::Uid, nix::unistd::Gid)>,
    running: Arc<Mutex<HashSet<i32>>>,
}

/// Extra settings for a cluster; tests trade durability for speed.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub unsafe_fast: bool,
    pub replication: bool,
    /// Archive every WAL segment with this command (continuous archiving for point-in-time
    /// recovery); applied at each start.
    pub archive_command: Option<String>,
}

impl Cluster {
    /// A cluster whose data lives in `root/data` and whose socket in `root/run`, with both
    /// directories ready for the server's OS user.
    fn under(
        root: &Path,
        bindir: PathBuf,
        run_as: Option<(nix::unistd::Uid, nix::unistd::Gid)>,
    ) -> anyhow::Result<Self> {
        let sockdir = root.join("run");
        if sockdir.join(".s.PGSQL.5432").as_os_str().len() > 100 {
            bail!(
                "{} is too deep for a Unix socket path; choose a shorter EDUFLOW_DATA_DIR",
                root.display()
            );
        }
        let cluster = Self {
            bindir,
            datadir: root.join("data"),
            sockdir,
            started_here: false,
            tools: Tools {
                run_as,
                running: Arc::default(),
            },
        };
        cluster.prepare_dirs(root)?;
        Ok(cluster)
    }

    /// Starts the cluster under `root` (creating it on first use), or reuses one already running.
    pub async fn start(root: &Path, options: ClusterOptions) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let root = root.canonicalize()?;
        let cluster = Self::under(&root, find_bindir()?, unprivileged_user()?)?;
        if !cluster.datadir.join("PG_VERSION").exists() {
            cluster.initdb(&options).await?;
        }
        cluster.write_archive_settings(options.archive_command.as_deref())?;
        cluster.start_server().await
    }

    /// Starts a data directory restored under `root/data` (a point-in-time copy of a cluster:
    /// this installation's, or another one's from its own repository) beside the live one: on
    /// its own socket under `root/run`, archiving off. Returns once recovery has reached its
    /// target and the copy was promoted.
    pub async fn start_restored(root: &Path) -> anyhow::Result<Self> {
        let root = root.canonicalize()?;
        let cluster = Self::under(&root, find_bindir()?, unprivileged_user()?)?;
        // The copy's configuration names the original's socket, port and addresses, and its
        // authentication may need passwords or hosts; a Debian-style server keeps both in
        // /etc, out of the backup. The copy answers on its own socket only (a folder only the
        // server's user reaches), to local connections; the last setting wins.
        let hba = root.join("hba.conf");
        std::fs::write(&hba, "local all all trust\n")?;
        if let Some((uid, gid)) = cluster.run_as() {
            chown(&hba, Some(uid.as_raw()), Some(gid.as_raw()))?;
        }
        cluster.append_conf(&format!(
            "listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{}'\nhba_file = '{}'\n",
            cluster.sockdir.display(),
            hba.display()
        ))?;
        cluster.write_archive_settings(None)?;
        let log = cluster.datadir.join("server.log");
        // The copy is removed after a failure: its log goes with the error.
        let cluster = cluster.start_server().await.map_err(|e| {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            e.context(tail.into_iter().rev().collect::<Vec<_>>().join("\n"))
        })?;
        let mut conn = super::connect::establish(&cluster.url(SUPERUSER, "postgres")).await?;
        for _ in 0..600 {
            let recovering: Recovering = diesel_async::RunQueryDsl::get_result(
                diesel::sql_query("SELECT pg_is_in_recovery() AS r"),
                &mut conn,
            )
            .await?;
            if !recovering.r {
                return Ok(cluster);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        cluster.stop().await?;
        bail!("the restored copy did not finish recovery within a minute")
    }

    /// `eduflow-archive.conf`, included by `postgresql.conf`: archiving on with `command`, or off.
    /// Rewritten at every start, so the setting follows the configuration.
    fn write_archive_settings(&self, command: Option<&str>) -> anyhow::Result<()> {
        const FILE: &str = "eduflow-archive.conf";
        let text = match command {
            Some(command) => format!(
                "wal_level = logical\narchive_mode = on\narchive_command = '{}'\narchive_timeout = {}\n",
                command.replace('\'', "''"),
                ARCHIVE_TIMEOUT.as_secs()
            ),
            None => "archive_mode = off\n".to_owned(),
        };
        std::fs::write(self.datadir.join(FILE), text)?;
        let conf = std::fs::read_to_string(self.datadir.join("postgresql.conf"))?;
        if !conf.contains(FILE) {
            self.append_conf(&format!("include_if_exists = '{FILE}'\n"))?;
        }
        Ok(())
    }

    /// A data directory made from a base backup of `primary`, started as a streaming hot standby.
    pub async fn start_replica(primary: &Cluster, root: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root)?;
        let root = root.canonicalize()?;
        let cluster = Self::under(&root, primary.bindir.clone(), primary.run_as())?;
        if !cluster.datadir.join("PG_VERSION").exists() {
            let sock = primary.sockdir.to_string_lossy().into_owned();
            let data = cluster.datadir.to_string_lossy().into_owned();
            cluster
                .run(
                    "pg_basebackup",
                    &[
                        "-h", &sock, "-p", "5432", "-U", SUPERUSER, "-D", &data, "-R", "-X",
                        "stream", "-c", "fast",
                    ],
                )
                .await?;
            cluster.append_conf(&format!(
                "unix_socket_directories = '{}'\n",
                cluster.sockdir.display()
            ))?;
        }
        cluster.start_server().await
    }

    fn prepare_dirs(&self, root: &Path) -> anyhow::Result<()> {
        for dir in [root, self.sockdir.as_path()] {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::set_permissions(&self.sockdir, std::fs::Permissions::from_mode(0o700))?;
        if let Some((uid, gid)) = self.run_as() {
            check_reachable(root, uid)?;
            for dir in [root, self.sockdir.as_path()] {
                chown(dir, Some(uid.as_raw()), Some(gid.as_raw()))?;
            }
        }
        Ok(())
    }

    async fn initdb(&self, options: &ClusterOptions) -> anyhow::Result<()> {
        let data = self.datadir.to_string_lossy().into_owned();
        self.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )
        .await?;
        let mut conf = format!(
            "listen_addresses = ''\nunix_socket_directories = '{}'\nport = {PORT}\nmax_connections = 200\n",
            self.sockdir.display()
        );
        if options.unsafe_fast {
            // Commits stay synchronous: with fsync off they cost nothing, and a replica gets
            // each commit at once instead of at the WAL writer's next round.
            conf.push_str("fsync = off\nfull_page_writes = off\n");
        }
        if options.replication {
            // Logical too: moving a school to another cluster publishes its rows.
            conf.push_str("wal_level = logical\nmax_wal_senders = 10\nhot_standby = on\n");
            std::fs::write(
                self.datadir.join("pg_hba.conf"),
                "local all all trust\nlocal replication all trust\n",
            )?;
        }
        self.append_conf(&conf)
    }

    fn append_conf(&self, text: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.datadir.join("postgresql.conf"))?;
        f.write_all(text.as_bytes())?;
        Ok(())
    }

    async fn start_server(mut self) -> anyhow::Result<Self> {
        // A server that was just killed (with EduFlow, by `kill -9` or a crash) can look alive
        // for a moment while its processes exit: reuse it only once it answers.
        for _ in 0..100 {
            if !self.is_running().await {
                break;
            }
            if self.accepts_connections().await {
                return Ok(self);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let data = self.datadir.to_string_lossy().into_owned();
        let log = self
            .datadir
            .join("server.log")
            .to_string_lossy()
            .into_owned();
        self.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-w", "-t", "60", "start"],
        )
        .await
        .with_context(|| format!("PostgreSQL did not start; see {log}"))?;
        self.started_here = true;
        Ok(self)
    }

    async fn accepts_connections(&self) -> bool {
        let sock = self.sockdir.to_string_lossy().into_owned();
        self.run("pg_isready", &["-q", "-h", &sock, "-p", &PORT.to_string()])
            .await
            .is_ok()
    }

    async fn is_running(&self) -> bool {
        let data = self.datadir.to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "status"]).await.is_ok()
    }

    /// Stops the cluster if this process started it; a cluster it merely reused keeps running.
    pub async fn stop(&self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        self.tools.end().await;
        let data = self.datadir.to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
            .await
    }

    /// A connection URL over the cluster's socket.
    pub fn url(&self, user: &str, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port={PORT}&user={user}",
            self.sockdir.display()
        )
    }

    pub fn datadir(&self) -> &Path {
        &self.datadir
    }

    /// The directory of the cluster's Unix socket.
    pub fn sockdir(&self) -> &Path {
        &self.sockdir
    }

    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    pub fn run_as(&self) -> Option<(nix::unistd::Uid, nix::unistd::Gid)> {
        self.tools.run_as
    }

    async fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        self.run_tool(&self.bindir.join(program), args)
            .await
            .map(drop)
    }

    /// Runs `program` as the cluster's OS user (PostgreSQL's tools refuse root); its stdout.
    pub async fn run_tool(&self, program: &Path, args: &[&str]) -> anyhow::Result<String> {
        self.tools.run(program, args).await
    }

    pub fn tools(&self) -> &Tools {
        &self.tools
    }
}

impl Tools {
    /// Tools run as the OS user PostgreSQL runs as on this machine (see [`unprivileged_user`]).
    pub fn for_server_user() -> anyhow::Result<Self> {
        Ok(Self {
            run_as: unprivileged_user()?,
            running: Arc::default(),
        })
    }

    pub fn run_as(&self) -> Option<(nix::unistd::Uid, nix::unistd::Gid)> {
        self.run_as
    }

    /// Runs `program` as the server's OS user; its stdout.
    pub async fn run(&self, program: &Path, args: &[&str]) -> anyhow::Result<String> {
        let name = program.display().to_string();
        let program = name.as_str();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so a Ctrl-C meant for eduflow does not stop the database
        // under requests that are still draining.
        cmd.process_group(0);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid.as_raw()).gid(gid.as_raw());
        }
        let child = cmd.spawn().with_context(|| format!("running {program}"))?;
        let _running = child
            .id()
            .map(|pid| Running::new(&self.running, pid as i32));
        let out = child
            .wait_with_output()
            .await
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim(),
                String::from_utf8_lossy(&out.stdout).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Asks every running tool's process group to end (SIGTERM: pgBackRest then releases its
    /// lock and leaves a partial backup that its next run cleans up) and waits for each group
    /// to be gone, up to a minute.
    async fn end(&self) {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        let groups: Vec<i32> = self
            .running
            .lock()
            .expect("tools lock")
            .iter()
            .copied()
            .collect();
        for &group in &groups {
            let _ = killpg(Pid::from_raw(group), Signal::SIGTERM);
        }
        for _ in 0..600 {
            let running = self.running.lock().expect("tools lock").len();
            let alive = groups
                .iter()
                .any(|&g| killpg(Pid::from_raw(g), None::<Signal>).is_ok());
            if running == 0 && !alive {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tracing::warn!(
            ?groups,
            "tools running against PostgreSQL did not end within a minute"
        );
    }
}

/// A tool's process group, listed in `Tools::running` while it runs.
struct Running {
    tools: Arc<Mutex<HashSet<i32>>>,
    group: i32,
}

impl Running {
    fn new(tools: &Arc<Mutex<HashSet<i32>>>, group: i32) -> Self {
        tools.lock().expect("tools lock").insert(group);
        Self {
            tools: tools.clone(),
            group,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.tools.lock().expect("tools lock").remove(&self.group);
    }
}

/// PostgreSQL's server binaries: on PATH, from `pg_config --bindir`, or the newest
/// `/usr/lib/postgresql/*/bin`.
pub fn find_bindir() -> anyhow::Result<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_server(d)) {
            // PATH may hold symlinks to a few of the binaries; the real folder has them all.
            let real = std::fs::canonicalize(dir.join("initdb")).ok();
            return Ok(real
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or(dir));
        }
    }
    if let Ok(out) = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| has_server(dir))
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, dir)| dir).ok_or_else(|| {
        anyhow::anyhow!(
            "no PostgreSQL server binaries found (looked on PATH, `pg_config --bindir` and \
             /usr/lib/postgresql/*/bin). Install them, e.g. `apt-get install postgresql` on \
             Debian/Ubuntu, or set DATABASE_URL to an existing database"
        )
    })
}

/// PostgreSQL refuses to run as root: when we are root, its binaries run as `postgres`
/// (or `nobody` where no such user exists).
/// The OS user PostgreSQL runs as when EduFlow runs as root (PostgreSQL refuses root).
pub fn unprivileged_user() -> anyhow::Result<Option<(nix::unistd::Uid, nix::unistd::Gid)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Some(user) = nix::unistd::User::from_name(name)? {
            return Ok(Some((user.uid, user.gid)));
        }
    }
    bail!("running as root, but there is no `postgres` or `nobody` user to run PostgreSQL as")
}

fn check_reachable(dir: &Path, uid: nix::unistd::Uid) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    for ancestor in dir.ancestors().skip(1) {
        let meta = std::fs::metadata(ancestor)?;
        let mode = meta.mode();
        if meta.uid() != uid.as_raw() && mode & 0o001 == 0 {
            bail!(
                "PostgreSQL runs as an unprivileged user (uid {uid}) that cannot enter {}; choose a \
                 data directory it can reach, e.g. EDUFLOW_DATA_DIR=/var/tmp/eduflow",
                ancestor.display()
            );
        }
    }
    Ok(())
}

/// Connection URLs for the two roles of one database.
#[derive(Debug, Clone)]
pub struct DbUrls {
    pub admin: String,
    pub runtime: String,
}

pub const OWNER_ROLE: &str = "eduflow_owner";
pub const RUNTIME_ROLE: &str = "eduflow_app";

impl Cluster {
    /// Creates the owner role and `database` (owned by it) when missing. The runtime role is
    /// created by `migrate`, as it would be against an external server.
    pub async fn provision(&self, database: &str) -> anyhow::Result<DbUrls> {
        use diesel::QueryableByName;
        use diesel::sql_types::BigInt;
        use diesel_async::{
            AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
        };

        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut su = AsyncPgConnection::establish(&self.url(SUPERUSER, "postgres")).await?;
        su.batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                 CREATE ROLE {OWNER_ROLE} LOGIN CREATEROLE;
               END IF;
             END $$;"
        ))
        .await?;
        let exists: Count =
            diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
                .bind::<diesel::sql_types::Text, _>(database)
                .get_result(&mut su)
                .await?;
        if exists.n == 0 {
            su.batch_execute(&format!(
                "CREATE DATABASE {} OWNER {OWNER_ROLE}",
                super::migrate::quote_ident(database)
            ))
            .await?;
        }
        Ok(DbUrls {
            admin: self.url(OWNER_ROLE, database),
            runtime: self.url(RUNTIME_ROLE, database),
        })
    }
}

#[derive(diesel::QueryableByName)]
struct Recovering {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    r: bool,
}
