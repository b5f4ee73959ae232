//! A PostgreSQL cluster under a real failover manager on loopback: Patroni (Debian 3.0) with a
//! one-member etcd (Debian 3.4), two nodes in synchronous mode — the shape of a managed
//! PostgreSQL with automatic failover. Nodes can be killed (`kill -9` of Patroni and every
//! PostgreSQL process at once), frozen (SIGSTOP, a paused machine) and brought back.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use eduflow::db::embedded::{OWNER_ROLE, RUNTIME_ROLE};
use nix::sys::signal::Signal;

use crate::harness::{TestDb, free_port, shared, tempdir, wait_for_port};

struct Node {
    name: &'static str,
    pg: u16,
    rest: u16,
    patroni: Option<Child>,
}

pub struct Patroni {
    dir: PathBuf,
    etcd: Child,
    nodes: Vec<Node>,
}

impl Patroni {
    /// etcd and two nodes; returns once the first leads and the second is its synchronous
    /// standby.
    pub async fn start() -> Self {
        let dir = tempdir("patroni");
        let run_as = shared().cluster.run_as();
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&dir, Some(uid.as_raw()), Some(gid.as_raw())).unwrap();
        }
        let (client, peer) = (free_port(), free_port());
        let etcd = spawn(
            Command::new("etcd").args([
                "--name",
                "e1",
                "--data-dir",
                &dir.join("etcd").display().to_string(),
                "--listen-client-urls",
                &format!("http://127.0.0.1:{client}"),
                "--advertise-client-urls",
                &format!("http://127.0.0.1:{client}"),
                "--listen-peer-urls",
                &format!("http://127.0.0.1:{peer}"),
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{peer}"),
                "--initial-cluster",
                &format!("e1=http://127.0.0.1:{peer}"),
                "--log-level",
                "warn",
                // Patroni's etcd v3 client keeps a watched cache of the cluster that can fall
                // behind on a busy machine: a leader then loops on "Synchronous replication key
                // updated by someone else" and never names its standby. The v2 client reads the
                // cluster on every loop.
                "--enable-v2=true",
            ]),
            &dir.join("etcd.log"),
        );
        wait_for_port(client, "etcd (Debian's etcd-server; .ci/run installs it)");
        let nodes = ["a", "b"]
            .into_iter()
            .map(|name| Node {
                name,
                pg: free_port(),
                rest: free_port(),
                patroni: None,
            })
            .collect();
        let mut cluster = Self { dir, etcd, nodes };
        for node in &cluster.nodes {
            std::fs::write(cluster.config(node.name), cluster.yaml(node, client)).unwrap();
        }
        cluster.watchdog();
        cluster.start_node("a");
        cluster
            .wait(Duration::from_secs(60), "a to lead", |m| {
                with_role(m, "leader").as_deref() == Some("a")
            })
            .await;
        cluster.start_node("b");
        cluster.wait_standby("b").await;
        cluster
    }

    fn config(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.yml"))
    }

    fn yaml(&self, node: &Node, etcd: u16) -> String {
        let dir = self.dir.display();
        // A short TTL so the test fails over in seconds (Patroni's default is 30 s), but not so
        // short that a busy machine (the whole suite runs at once) makes a healthy leader miss
        // its renewal; `fsync` off only risks data on an operating-system crash, which no test
        // causes.
        format!(
            "scope: eduflow-failover
name: {name}
restapi:
  listen: 127.0.0.1:{rest}
  connect_address: 127.0.0.1:{rest}
etcd:
  host: 127.0.0.1:{etcd}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_log_hints: 'on'
        fsync: 'off'
  initdb:
  - encoding: UTF8
  - auth: trust
  pg_hba:
  - local all all trust
  - host all all 127.0.0.1/32 trust
  - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:{pg}
  connect_address: 127.0.0.1:{pg}
  data_dir: {dir}/{name}
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: {dir}/pgpass-{name}
  authentication:
    superuser: {{username: postgres}}
    replication: {{username: postgres}}
    rewind: {{username: postgres}}
  parameters:
    unix_socket_directories: {dir}
",
            name = node.name,
            rest = node.rest,
            pg = node.pg,
        )
    }

    /// Kills what is left of the cluster once this test process is gone, however it ends.
    fn watchdog(&self) {
        let script = format!(
            "(while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; pkill -9 -f {dir}; \
             for f in {dir}/*/postmaster.pid; do [ -f \"$f\" ] && kill -9 $(head -1 \"$f\"); done) \
             >/dev/null 2>&1 &",
            pid = std::process::id(),
            dir = self.dir.display(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
    }

    fn node(&self, name: &str) -> &Node {
        self.nodes.iter().find(|n| n.name == name).unwrap()
    }

    /// Starts (or restarts) a node's Patroni, which starts its PostgreSQL.
    pub fn start_node(&mut self, name: &str) {
        let config = self.config(name).display().to_string();
        let log = self.dir.join(format!("{name}.log"));
        let child = spawn(Command::new("patroni").arg(&config), &log);
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap()
            .patroni = Some(child);
    }

    /// Patroni and every PostgreSQL process of a node.
    fn processes(&self, name: &str) -> Vec<nix::unistd::Pid> {
        let node = self.node(name);
        let mut pids: Vec<i32> = node.patroni.iter().map(|c| c.id() as i32).collect();
        let pidfile = self.dir.join(name).join("postmaster.pid");
        let datadir = self.dir.join(name).display().to_string();
        // A stale file (a killed node) may name a pid reused since: only a postmaster of this
        // node's data directory counts.
        if let Some(postmaster) = std::fs::read_to_string(pidfile)
            .ok()
            .and_then(|s| s.lines().next()?.trim().parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&datadir))
            })
        {
            pids.push(postmaster);
            pids.extend(children(postmaster));
        }
        pids.into_iter().map(nix::unistd::Pid::from_raw).collect()
    }

    /// Sends `signal` to Patroni and all of a node's PostgreSQL processes in one go; returns
    /// the processes, to be sent another signal later (a frozen node's set does not change).
    pub fn signal(&self, name: &str, signal: Signal) -> Vec<nix::unistd::Pid> {
        let pids = self.processes(name);
        assert!(pids.len() > 2, "node {name} is not running: {pids:?}");
        for pid in &pids {
            let _ = nix::sys::signal::kill(*pid, signal);
        }
        pids
    }

    /// `kill -9` of the whole node; its Patroni is reaped.
    pub fn kill(&mut self, name: &str) {
        self.signal(name, Signal::SIGKILL);
        let node = self.nodes.iter_mut().find(|n| n.name == name).unwrap();
        if let Some(mut child) = node.patroni.take() {
            let _ = child.wait();
        }
    }

    /// The cluster as Patroni's REST API describes it, from the first node that answers.
    async fn members(&self) -> Vec<serde_json::Value> {
        for node in &self.nodes {
            // A node that is down refuses; a frozen one does not answer.
            let asked = tokio::time::timeout(Duration::from_millis(500), rest(node.rest));
            if let Ok(Some(res)) = asked.await {
                if let Some(members) = res.json()["members"].as_array() {
                    return members.clone();
                }
            }
        }
        Vec::new()
    }

    /// Waits until `done` holds for the members Patroni describes; returns them.
    pub async fn wait(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let members = self.members().await;
            if done(&members) {
                return members;
            }
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {what}: {members:?}\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for `name` to be the leader's synchronous standby, streaming.
    pub async fn wait_standby(&self, name: &str) {
        self.wait(Duration::from_secs(60), &format!("{name} to follow"), |m| {
            with_role(m, "sync_standby").as_deref() == Some(name)
        })
        .await;
    }

    /// The running leader now, if there is one.
    pub async fn leader(&self) -> Option<String> {
        with_role(&self.members().await, "leader")
    }

    /// A multi-host URL over every node, as EduFlow is given one: `attrs` is `read-write` for
    /// the primary, `read-only` for replicas. Each host gets a second to answer.
    pub fn url(&self, user: &str, database: &str, attrs: &str) -> String {
        // Hosts in the authority: in the query, tokio-postgres reads `host=a,b` as one host.
        let hosts = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.pg))
            .collect::<Vec<_>>()
            .join(",");
        format!(
            "postgresql://{user}@{hosts}/{database}?target_session_attrs={attrs}&connect_timeout=1"
        )
    }

    /// EduFlow's database on the cluster, migrated, as a test database.
    pub async fn database(&self) -> TestDb {
        let url = |user: &str, db: &str| self.url(user, db, "read-write");
        let mut su = eduflow::db::connect::establish(&url("postgres", "postgres"))
            .await
            .unwrap();
        su.batch_execute(&format!("CREATE ROLE {OWNER_ROLE} LOGIN CREATEROLE"))
            .await
            .unwrap();
        su.batch_execute(&format!("CREATE DATABASE eduflow OWNER {OWNER_ROLE}"))
            .await
            .unwrap();
        let db = TestDb {
            name: "eduflow".into(),
            admin_url: url(OWNER_ROLE, "eduflow"),
            runtime_url: url(RUNTIME_ROLE, "eduflow"),
            superuser_url: url("postgres", "eduflow"),
            eu: Default::default(),
        };
        eduflow::db::migrate::migrate(&db.admin_url, &db.runtime_url)
            .await
            .unwrap();
        db
    }

    /// The end of each node's log, for a failure's message.
    pub fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|n| {
                let log = std::fs::read_to_string(self.dir.join(format!("{}.log", n.name)))
                    .unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                format!(
                    "--- {}\n{}",
                    n.name,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Patroni {
    fn drop(&mut self) {
        for name in ["a", "b"] {
            // A frozen node would not die of SIGKILL before it is continued.
            for pid in self.processes(name) {
                let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
                let _ = nix::sys::signal::kill(pid, Signal::SIGCONT);
            }
        }
        for child in self.nodes.iter_mut().filter_map(|n| n.patroni.as_mut()) {
            let _ = child.wait();
        }
        let _ = self.etcd.kill();
        let _ = self.etcd.wait();
    }
}

/// The running member with `role` (`leader`, `sync_standby`, `replica`).
pub fn with_role(members: &[serde_json::Value], role: &str) -> Option<String> {
    members
        .iter()
        .find(|m| m["role"] == role && m["state"] == "running")
        .and_then(|m| m["name"].as_str())
        .map(str::to_owned)
}

/// `GET /cluster` from a node's REST API, if it answers 200.
async fn rest(port: u16) -> Option<crate::harness::Response> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    stream
        .write_all(b"GET /cluster HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .ok()?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.ok()?;
    let res = crate::harness::parse_response(&buf);
    (res.status == 200).then_some(res)
}

/// Starts `cmd` in a process group of its own, as the cluster's OS user, logging to `log`.
fn spawn(cmd: &mut Command, log: &std::path::Path) -> Child {
    let out = std::fs::File::create(log).unwrap();
    if let Some((uid, gid)) = shared().cluster.run_as() {
        cmd.uid(uid.as_raw()).gid(gid.as_raw());
    }
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {cmd:?} (Debian's patroni and etcd-server): {e}"))
}

/// The processes whose parent is `pid`.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let child: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
            // The command name may hold spaces and parentheses: fields follow its last ')'.
            let ppid: i32 = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (ppid == pid).then_some(child)
        })
        .collect()
}
