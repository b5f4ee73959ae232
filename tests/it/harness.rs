//! The test harness: one PostgreSQL cluster per test run (started from the machine's binaries,
//! stopped by a watchdog when the test process exits), a template database migrated once, a fresh
//! database per test, and the real application on port 0.

use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use eduflow::db::embedded::{Cluster, ClusterOptions, OWNER_ROLE, RUNTIME_ROLE, SUPERUSER};
use eduflow::db::{PoolSettings, Pools, migrate};
use eduflow::ids::TenantId;
use eduflow::mail::sender::Pace;
use eduflow::mail::transport::Transport;
use eduflow::startup::{Application, MailSettings, Settings};
use eduflow::state::AppState;
use eduflow::tenancy::{files, sync};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TEMPLATE: &str = "eduflow_template";

pub struct Shared {
    pub cluster: Cluster,
    pub root: PathBuf,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

/// Runs `work` to completion on a runtime of its own thread: tests run on many short-lived
/// runtimes, and shared servers must outlive each of them.
fn on_own_runtime<T: Send + 'static, F: Future<Output = T> + 'static>(
    work: impl FnOnce() -> F + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work())
    })
    .join()
    .expect("setup thread")
}

/// The cluster, started on first use by whichever test gets there first.
pub fn shared() -> &'static Shared {
    SHARED.get_or_init(|| {
        // Server logs only when asked for (`RUST_LOG=eduflow=debug cargo test`).
        if std::env::var_os("RUST_LOG").is_some() {
            eduflow::telemetry::init(eduflow::config::LogFormat::Pretty);
        }
        on_own_runtime(|| async {
            let root = std::env::temp_dir().join(format!("eduflow-test-{}", std::process::id()));
            let cluster = Cluster::start(
                &root,
                ClusterOptions {
                    unsafe_fast: true,
                    replication: true,
                    ..ClusterOptions::default()
                },
            )
            .await
            .expect("starting the test cluster");
            spawn_watchdog(&cluster, &root);
            let urls = cluster
                .provision(TEMPLATE)
                .await
                .expect("provisioning the template");
            migrate::migrate(&urls.admin, &urls.runtime)
                .await
                .expect("migrating the template");
            Shared { cluster, root }
        })
    })
}

/// Stops the cluster and removes its files once this test process is gone, however it ends.
fn spawn_watchdog(cluster: &Cluster, root: &std::path::Path) {
    use std::os::unix::process::CommandExt;
    let pg_ctl = cluster.bindir().join("pg_ctl");
    let stop = format!(
        "{} -D {} -m immediate stop",
        pg_ctl.display(),
        cluster.datadir().display()
    );
    let stop = if cluster.run_as().is_some() {
        format!("runuser -u postgres -- {stop}")
    } else {
        stop
    };
    // The shell backgrounds the loop and returns at once: the loop outlives this process. It
    // stops every cluster under the root (the shared one, replicas, private ones) and PgBouncer.
    let script = format!(
        "(while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; \
         for d in {root}/*/data; do [ -f \"$d/PG_VERSION\" ] && {stop_other} >/dev/null 2>&1; done; \
         [ -f {root}/pgbouncer/pgbouncer.pid ] && kill $(cat {root}/pgbouncer/pgbouncer.pid); rm -rf {root}) >/dev/null 2>&1 &",
        pid = std::process::id(),
        root = root.display(),
        stop_other = stop.replace(&cluster.datadir().display().to_string(), "$d"),
    );
    std::process::Command::new("sh")
        .args(["-c", &script])
        .process_group(0)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("starting the watchdog");
}

/// A real S3 server (s3s-fs, which checks SigV4 signatures) on loopback, started on first use
/// and stopped when this test process is gone.
pub struct S3Server {
    pub endpoint: String,
    /// The instances' own bucket.
    pub bucket: String,
    /// A second cluster's bucket (see `clusters add --media-bucket`).
    pub eu_bucket: String,
}

pub const S3_KEYS: (&str, &str) = ("eduflow-test-access", "eduflow-test-secret-key-0123456789");

static S3: OnceLock<S3Server> = OnceLock::new();

pub fn s3() -> &'static S3Server {
    S3.get_or_init(|| {
        let root = shared().root.join("s3");
        std::fs::create_dir_all(&root).unwrap();
        let port = free_port();
        let bin = which_s3s_fs();
        let script = format!(
            "{bin} --host 127.0.0.1 --port {port} --access-key {ak} --secret-key {sk} {root} >/dev/null 2>&1 & \
             server=$!; (while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; kill $server) >/dev/null 2>&1 &",
            bin = bin.display(),
            ak = S3_KEYS.0,
            sk = S3_KEYS.1,
            root = root.display(),
            pid = std::process::id(),
        );
        std::process::Command::new("sh")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .status()
            .expect("starting s3s-fs");
        let endpoint = format!("http://127.0.0.1:{port}");
        wait_for_port(port, "s3s-fs");
        let (bucket, eu_bucket) = ("eduflow-test".to_owned(), "eduflow-test-eu".to_owned());
        for name in [&bucket, &eu_bucket] {
            let config = s3_config(&endpoint, name);
            on_own_runtime(move || async move {
                let region = s3::Region::Custom {
                    region: config.region.clone(),
                    endpoint: config.endpoint.clone().unwrap(),
                };
                let credentials = s3::creds::Credentials::new(
                    Some(S3_KEYS.0),
                    Some(S3_KEYS.1),
                    None,
                    None,
                    None,
                )
                .unwrap();
                s3::Bucket::create_with_path_style(
                    &config.bucket,
                    region,
                    credentials,
                    s3::BucketConfiguration::default(),
                )
                .await
                .expect("creating a test bucket");
            });
        }
        S3Server {
            endpoint,
            bucket,
            eu_bucket,
        }
    })
}

fn which_s3s_fs() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([home.join(".cargo/bin")])
        .map(|d| d.join("s3s-fs"))
        .find(|p| p.exists())
        .expect(
            "s3s-fs is installed (`cargo install s3s-fs@0.14.1 --features binary`; .ci/run does)",
        )
}

pub fn s3_config(endpoint: &str, bucket: &str) -> eduflow::media::store::S3Config {
    eduflow::media::store::S3Config {
        bucket: bucket.to_owned(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.to_owned()),
        path_style: true,
        keys: Some((S3_KEYS.0.into(), S3_KEYS.1.into())),
    }
}

static REPLICA: OnceLock<Cluster> = OnceLock::new();

/// A streaming hot standby of the test cluster, started on first use.
pub fn replica() -> &'static Cluster {
    let shared = shared();
    REPLICA.get_or_init(|| {
        on_own_runtime(|| async {
            Cluster::start_replica(&shared.cluster, &shared.root.join("replica-1"))
                .await
                .expect("starting the replica")
        })
    })
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// A fresh database, copied from the migrated template.
pub struct TestDb {
    pub name: String,
    pub admin_url: String,
    pub runtime_url: String,
    pub superuser_url: String,
    /// With `EDUFLOW_TEST_CLUSTERS=2`, the second cluster `two_schools` puts `beta` on.
    pub eu: OnceLock<Box<TestDb>>,
}

/// The suite's isolation cases run again with `alpha` and `beta` on two clusters
/// (`EDUFLOW_TEST_CLUSTERS=2`, as `.ci/run` does): `beta` lives in a database of its own, listed
/// in the directory as the cluster `eu`.
pub fn two_clusters() -> bool {
    std::env::var("EDUFLOW_TEST_CLUSTERS").is_ok_and(|n| n == "2")
}

/// A test's database goes when the test does (whatever still holds a connection to it is cut
/// off), so the run's disk use stays that of the tests running at once, not of all of them.
impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // The cluster's maintenance database, on whichever cluster this one is in.
        let url = self
            .superuser_url
            .replacen(&format!("///{name}?"), "///postgres?", 1);
        on_own_runtime(move || async move {
            if let Ok(mut su) = AsyncPgConnection::establish(&url).await {
                let _ = su
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        });
    }
}

impl TestDb {
    pub async fn new() -> Self {
        let shared = shared();
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let mut su = AsyncPgConnection::establish(&shared.cluster.url(SUPERUSER, "postgres"))
            .await
            .unwrap();
        // Concurrent copies of one template can collide; a short retry settles it. FILE_COPY
        // copies the files instead of writing every page of the copy to the WAL: hundreds of
        // copies would otherwise fill a small CI disk with WAL.
        for attempt in 0.. {
            match su
                .batch_execute(&format!(
                    "CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {OWNER_ROLE} STRATEGY FILE_COPY"
                ))
                .await
            {
                Ok(()) => break,
                Err(e) if attempt < 50 => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("creating {name}: {e}"),
            }
        }
        Self {
            admin_url: shared.cluster.url(OWNER_ROLE, &name),
            runtime_url: shared.cluster.url(RUNTIME_ROLE, &name),
            superuser_url: shared.cluster.url(SUPERUSER, &name),
            name,
            eu: OnceLock::new(),
        }
    }

    pub fn admin_pools(&self) -> Pools {
        Pools::new(
            PoolSettings {
                max_size: 4,
                ..PoolSettings::default()
            },
            &self.admin_url,
            &[],
            None,
        )
    }

    pub async fn admin(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.admin_url).await.unwrap()
    }

    /// `sql` must return one bigint column named `n`; run as the superuser (ground truth), on
    /// every cluster the test's schools are on (the counts added up).
    pub async fn count(&self, sql: &str) -> i64 {
        let mut n = 0;
        for db in self.all() {
            n += db.count_here(sql).await;
        }
        n
    }

    /// [`TestDb::count`] on this database alone.
    async fn count_here(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel_async::RunQueryDsl::get_result::<Count>(
            diesel::sql_query(format!("SELECT ({sql}) AS n")),
            &mut self.superuser().await,
        )
        .await
        .unwrap()
        .n
    }

    /// The database `school` is on (see [`two_clusters`]).
    pub async fn holding(&self, school: &str) -> &TestDb {
        for db in self.all() {
            if db
                .count_here(&format!(
                    "SELECT count(*) FROM tenants WHERE slug = '{school}'"
                ))
                .await
                > 0
            {
                return db;
            }
        }
        self
    }

    /// This database, and the second cluster's when the suite runs on two.
    pub fn all(&self) -> Vec<&TestDb> {
        std::iter::once(self)
            .chain(self.eu.get().map(|eu| &**eu))
            .collect()
    }

    /// The id of the course with this slug (slugs are unique in the test schools' data).
    pub async fn course_id(&self, slug: &str) -> String {
        self.text(&format!(
            "SELECT id::text AS t FROM courses WHERE slug = '{slug}'"
        ))
        .await
    }

    /// The one text value `sql` selects (on the first cluster where it is not null).
    pub async fn text(&self, sql: &str) -> String {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            v: Option<String>,
        }
        for db in self.all() {
            let found = diesel_async::RunQueryDsl::get_result::<Text>(
                diesel::sql_query(format!("SELECT ({sql})::text AS v")),
                &mut db.superuser().await,
            )
            .await
            .unwrap()
            .v;
            if let Some(v) = found {
                return v;
            }
        }
        panic!("no value: {sql}")
    }

    pub async fn superuser(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.superuser_url)
            .await
            .unwrap()
    }

    pub async fn runtime(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.runtime_url)
            .await
            .unwrap()
    }

    /// Syncs school files given as (slug, TOML text).
    pub async fn sync_schools(&self, schools: &[(&str, &str)]) -> Vec<(String, TenantId)> {
        let specs = schools
            .iter()
            .map(|(slug, text)| {
                files::parse(
                    std::path::Path::new(&format!("tenants/{slug}.toml")),
                    text,
                    "localhost",
                )
                .unwrap()
            })
            .collect();
        sync::apply(self.admin_pools().primary(), specs, sync::Mode::Upsert)
            .await
            .unwrap()
    }

    /// Lists `other` in this directory as the cluster `name`.
    pub async fn add_cluster(&self, name: &str, other: &TestDb) {
        self.admin()
            .await
            .batch_execute(&format!(
                "INSERT INTO clusters (name, url, admin_url) VALUES ('{name}', '{}', '{}')",
                other.runtime_url, other.admin_url
            ))
            .await
            .unwrap();
    }

    /// Two schools, `alpha` and `beta`, with the demo generator's courses.
    pub async fn two_schools(&self) -> (TenantId, TenantId) {
        if two_clusters() && self.eu.get().is_none() {
            let eu = TestDb::new().await;
            self.add_cluster("eu", &eu).await;
            let alpha = self
                .sync_schools(&[("alpha", &school_toml("alpha", &["learn.alpha.test"]))])
                .await;
            let beta = eu
                .sync_schools(&[("beta", &school_toml("beta", &[]))])
                .await;
            let store = local_store().open().unwrap();
            eduflow::seed::demo::demo(self.admin_pools().primary(), &alpha, 7, &store)
                .await
                .unwrap();
            eduflow::seed::demo::demo(eu.admin_pools().primary(), &beta, 7, &store)
                .await
                .unwrap();
            let _ = self.eu.set(Box::new(eu));
            return (alpha[0].1, beta[0].1);
        }
        self.two_schools_here().await
    }

    /// Both schools in this database, whatever the suite's mode (clusters a test stops or fails
    /// over keep them together).
    pub async fn two_schools_here(&self) -> (TenantId, TenantId) {
        let schools = self
            .sync_schools(&[
                ("alpha", &school_toml("alpha", &["learn.alpha.test"])),
                ("beta", &school_toml("beta", &[])),
            ])
            .await;
        eduflow::seed::demo::demo(
            self.admin_pools().primary(),
            &schools,
            7,
            &local_store().open().unwrap(),
        )
        .await
        .unwrap();
        (schools[0].1, schools[1].1)
    }
}

/// The media secret every test app signs with.
pub const MEDIA_SECRET: &[u8] = b"test media secret, 32 bytes or more";

/// One media folder for the whole run: keys are content addresses, so tests can share it.
pub fn media_dir() -> PathBuf {
    shared().root.join("media")
}

pub fn local_store() -> eduflow::media::store::StoreConfig {
    eduflow::media::store::StoreConfig::Local(media_dir())
}

pub fn school_toml(slug: &str, domains: &[&str]) -> String {
    let domains = domains
        .iter()
        .map(|d| format!("\"{d}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "slug = \"{slug}\"\nname = \"School {slug}\"\ndomains = [{domains}]\n\
         [[categories]]\nslug = \"programming\"\nname = \"Programming\"\n\
         [[categories]]\nslug = \"data\"\nname = \"Data\"\n\
         [[categories]]\nslug = \"design\"\nname = \"Design\"\n"
    )
}

pub fn settings(db: &TestDb) -> Settings {
    Settings {
        listen: "127.0.0.1:0".into(),
        base_domain: "localhost".into(),
        runtime_url: db.runtime_url.clone(),
        listen_url: db.runtime_url.clone(),
        replica_urls: Vec::new(),
        replica_wait: Duration::from_millis(100),
        replica_max_lag: Duration::from_secs(10),
        writes: Default::default(),
        main_region: String::new(),
        pool_total: 64,
        trusted_proxies: Vec::new(),
        signups_per_address: 30,
        api_rate_per_minute: 600,
        webhooks: eduflow::webhooks::sender::Pace {
            sweep: Duration::from_millis(200),
            retry_base: Duration::from_millis(200),
            timeout: Duration::from_secs(3),
            allow_private: true,
            ..Default::default()
        },
        xapi: eduflow::xapi::sender::Pace {
            sweep: Duration::from_millis(200),
            retry_base: Duration::from_millis(200),
            timeout: Duration::from_secs(3),
            allow_private: true,
            ..Default::default()
        },
        sso_allow_private: true,
        lti_allow_private: true,
        school_requests: 0,
        page_cache_bytes: 1 << 20,
        actor_idle: Duration::from_secs(60),
        pool: PoolSettings {
            max_size: 4,
            checkout_timeout: Duration::from_secs(2),
            // `serve`'s defaults.
            school_budget: 2,
            limits: eduflow::db::pools::Limits {
                statement: Duration::from_secs(5),
                lock: Duration::from_secs(2),
            },
            ..PoolSettings::default()
        },
        workers: Some(1),
        metrics_listen: Some("127.0.0.1:0".into()),
        top_schools: 20,
        https: false,
        position_flush: Duration::from_millis(200),
        media_store: local_store(),
        media_staging: shared().root.join("staging"),
        upload_limits: eduflow::media::limits::Limits {
            image: 8 << 20,
            video: 4 << 20,
            hls: 4 << 20,
        },
        media_secret: MEDIA_SECRET.to_vec(),
        media_url_ttl: Duration::from_secs(600),
        media_links: eduflow::media::Links::Origin,
        cdn_origin_secret: None,
        mail: MailSettings {
            // Tests that read mail point this at an `SmtpSink`.
            transport: Transport::files(shared().root.join("mail")).unwrap(),
            from: "no-reply@localhost".parse().unwrap(),
            public_port: Some(0),
            pace: Pace {
                sweep: Duration::from_millis(200),
                retry_base: Duration::from_millis(100),
                ..Pace::default()
            },
        },
        // Tests that need time to pass move it with `state.clock.advance`.
        clock: eduflow::clock::Clock::adjustable(),
    }
}

/// A real SMTP server (aiosmtpd, `tests/tools/smtp_sink.py`) that keeps every message it
/// accepts as JSON. Recipients named `bounce…` are refused for good; while `refuse(true)`,
/// every message is refused for now (451).
pub struct SmtpSink {
    pub port: u16,
    pub dir: PathBuf,
    child: std::process::Child,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// With the sink's options: `--tls starttls|implicit` (its certificate in `ca.pem`),
    /// `--auth USER:PASSWORD`.
    pub fn start_with(options: &[&str]) -> Self {
        use std::io::BufRead;
        let port = free_port();
        let dir = tempdir("smtp");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/smtp_sink.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .args(options)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs tests/tools/smtp_sink.py (pip install aiosmtpd)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        Self { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn transport(&self) -> Transport {
        Transport::smtp(&self.url(), None).unwrap()
    }

    /// The certificate a `--tls` sink made for itself.
    pub fn ca(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.pem")).unwrap()
    }

    /// Every message accepted so far, in order of acceptance.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&self.dir)
            .unwrap()
            .filter_map(|e| {
                let path = e.ok()?.path();
                let n = path.file_stem()?.to_str()?.parse().ok()?;
                (path.extension()? == "json").then_some((n, path))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
            .collect()
    }

    /// The messages to `to`.
    pub fn to(&self, to: &str) -> Vec<serde_json::Value> {
        self.messages()
            .into_iter()
            .filter(|m| m["rcpt_tos"].as_array().unwrap().iter().any(|r| r == to))
            .collect()
    }

    /// Waits (up to 10 s) until `to` has received `n` messages; returns them.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..200 {
            let got = self.to(to);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{to} received {} of {n} messages", self.to(to).len());
    }

    pub fn refuse(&self, on: bool) {
        let flag = self.dir.join(".refuse");
        if on {
            std::fs::write(flag, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }
}

/// The OpenID providers of the run (`tests/tools/oidc/provider.mjs`, npm `oidc-provider`),
/// started once: `main` for sign-ins, `other` (another issuer, same client) for mix-ups,
/// `rotating` whose signing key `rotate()` replaces.
pub struct Oidc {
    pub main: u16,
    pub other: u16,
    pub rotating: u16,
    control: u16,
    _child: std::process::Child,
}

pub fn oidc() -> &'static Oidc {
    static OIDC: OnceLock<Oidc> = OnceLock::new();
    OIDC.get_or_init(|| {
        use std::io::BufRead;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/oidc");
        let mut child = std::process::Command::new("node")
            .arg("provider.mjs")
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs tests/tools/oidc/provider.mjs (npm ci in tests/tools/oidc)");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let ports: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("the OpenID provider did not start: {line}"));
        // It keeps printing notices; read them so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let port = |k: &str| ports[k].as_u64().unwrap() as u16;
        Oidc {
            main: port("main"),
            other: port("other"),
            rotating: port("rotating"),
            control: port("control"),
            _child: child,
        }
    })
}

impl Oidc {
    pub fn issuer(port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    /// Restarts the `rotating` provider with a new signing key.
    pub async fn rotate(&self) {
        let head = "POST /rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        assert_eq!(raw(self.control, head.as_bytes()).await.status, 204);
    }
}

/// A person at a provider's own pages: follows its redirects and fills in its login form with
/// `login` (see the provider script), keeping its cookies. Returns where the provider sends the
/// browser back (EduFlow's callback, as a path and query).
pub async fn sign_in_at_provider(authorize: &str, login: &str) -> String {
    let url = url::Url::parse(authorize).unwrap();
    let port = url.port().unwrap();
    let host = format!("127.0.0.1:{port}");
    let mut cookies = std::collections::BTreeMap::<String, String>::new();
    let mut next = format!("{}?{}", url.path(), url.query().unwrap_or(""));
    for _ in 0..10 {
        let header: String = cookies.iter().map(|(k, v)| format!("{k}={v}; ")).collect();
        let res = request(port, "GET", &host, &next, &[("Cookie", &header)]).await;
        keep_cookies(&mut cookies, &res);
        let location = match res.status {
            303 | 302 => res.header("location").unwrap().to_owned(),
            200 => {
                let action = res
                    .body
                    .split("action=\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_else(|| panic!("no login form: {}", res.body));
                let path = url::Url::parse(action).unwrap().path().to_owned();
                let header: String = cookies.iter().map(|(k, v)| format!("{k}={v}; ")).collect();
                let fields = [("prompt", "login"), ("login", login), ("password", "any")];
                let posted = post_form(port, &host, &path, &fields, &[("Cookie", &header)]).await;
                keep_cookies(&mut cookies, &posted);
                assert_eq!(posted.status, 303, "login at the provider: {}", posted.body);
                posted.header("location").unwrap().to_owned()
            }
            other => panic!("the provider answered {other}: {}", res.body),
        };
        let to = url.join(&location).unwrap();
        if to.port() != Some(port) {
            return format!("{}?{}", to.path(), to.query().unwrap_or(""));
        }
        next = format!("{}?{}", to.path(), to.query().unwrap_or(""));
    }
    panic!("the provider never sent the browser back");
}

/// Keeps the cookies `res` sets in `jar`, as a browser would (a removal removes).
fn keep_cookies(jar: &mut std::collections::BTreeMap<String, String>, res: &Response) {
    for (name, header) in res.set_cookies() {
        let value = header
            .split(';')
            .next()
            .and_then(|p| p.split_once('='))
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default();
        let lower = header.to_ascii_lowercase();
        if value.is_empty()
            || lower.contains("max-age=0")
            || lower.contains("expires=thu, 01 jan 1970")
        {
            jar.remove(&name);
        } else {
            jar.insert(name, value);
        }
    }
}

/// A webhook receiver (`tests/tools/webhook_receiver.py`) that verifies every delivery with the
/// `standardwebhooks` package, one per run; each test uses its own `/hook/<name>`.
pub struct Receiver {
    pub port: u16,
    child: std::process::Child,
}

impl Receiver {
    fn start() -> Self {
        use std::io::BufRead;
        let port = free_port();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tools/webhook_receiver.py"
        );
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs tests/tools/webhook_receiver.py (pip install standardwebhooks)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the webhook receiver did not start");
        Self { port, child }
    }

    /// Where a test's endpoint receives.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/hook/{name}", self.port)
    }

    /// How `/hook/<name>` verifies and answers (see the script).
    pub async fn configure(&self, name: &str, config: serde_json::Value) {
        let body = config.to_string();
        let head = format!(
            "POST /_config/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(raw(self.port, head.as_bytes()).await.status, 204);
    }

    /// Every request `/hook/<name>` received, in order.
    pub async fn received(&self, name: &str) -> Vec<serde_json::Value> {
        let res = request(
            self.port,
            "GET",
            "127.0.0.1",
            &format!("/_received/{name}"),
            &[],
        )
        .await;
        serde_json::from_str(&res.body).unwrap()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub fn receiver() -> &'static Receiver {
    static RECEIVER: OnceLock<Receiver> = OnceLock::new();
    RECEIVER.get_or_init(Receiver::start)
}

/// The run's learning record store: Ralph (PyPI `ralph-malph`, installed in /opt/ralph by
/// `.ci/run`) on its file-system backend (`tests/tools/lrs.py`), with one HTTP Basic account,
/// started once.
pub struct Lrs {
    pub port: u16,
    child: std::process::Child,
}

pub const LRS_USER: &str = "eduflow";
pub const LRS_PASSWORD: &str = "a learning record store password";

impl Lrs {
    fn start() -> Self {
        let dir = tempdir("lrs");
        let bin = std::path::Path::new("/opt/ralph/bin");
        let env = [
            ("RALPH_APP_DIR", dir.join("app")),
            ("RALPH_RUNSERVER_BACKEND", "fs".into()),
            (
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH",
                dir.join("data"),
            ),
        ];
        let made = std::process::Command::new(bin.join("ralph"))
            .args(["auth", "-u", LRS_USER, "-p", LRS_PASSWORD, "-s", "all"])
            .args(["-M", "mailto:lrs@example.org", "-w"])
            .envs(env.clone())
            .output()
            .expect("/opt/ralph/bin/ralph runs (see .ci/run)");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/lrs.py");
        let lrs = Self {
            port,
            child: std::process::Command::new(bin.join("python"))
                .args([script, &port.to_string()])
                .envs(env)
                .stdout(std::process::Stdio::null())
                .stderr(std::fs::File::create(dir.join("lrs.log")).unwrap())
                .spawn()
                .expect("/opt/ralph/bin/python runs tests/tools/lrs.py"),
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return lrs;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // (Dropping `lrs` stops it.)
        panic!(
            "the LRS did not start; see {}",
            dir.join("lrs.log").display()
        );
    }

    /// Its xAPI endpoint, as a school is given it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI/", self.port)
    }

    /// Every statement it keeps about the account `name` on `home_page`, newest first.
    pub async fn statements(&self, home_page: &str, name: &str) -> Vec<serde_json::Value> {
        let agent = serde_json::json!({ "account": { "homePage": home_page, "name": name } });
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("agent", &agent.to_string())
            .append_pair("limit", "500")
            .finish();
        let auth = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{LRS_USER}:{LRS_PASSWORD}"),
        );
        let res = request(
            self.port,
            "GET",
            "127.0.0.1",
            &format!("/xAPI/statements?{query}"),
            &[
                ("Authorization", &format!("Basic {auth}")),
                ("X-Experience-API-Version", "1.0.3"),
            ],
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["statements"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Lrs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn lrs() -> &'static Lrs {
    static LRS: OnceLock<Lrs> = OnceLock::new();
    LRS.get_or_init(Lrs::start)
}

/// An LTI 1.3 tool (pylti1p3 in Flask, `tests/tools/lti_tool.py`, installed by `.ci/run` in
/// /opt/lti), started once.
pub struct LtiTool {
    pub port: u16,
    child: std::process::Child,
}

impl LtiTool {
    fn start() -> Self {
        let dir = tempdir("lti-tool");
        let port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/lti_tool.py");
        let tool = Self {
            port,
            child: std::process::Command::new("/opt/lti/bin/python")
                .args([script, &port.to_string()])
                .stdout(std::process::Stdio::null())
                .stderr(std::fs::File::create(dir.join("tool.log")).unwrap())
                .spawn()
                .expect("/opt/lti/bin/python runs tests/tools/lti_tool.py (see .ci/run)"),
        };
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return tool;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the LTI tool did not start; see {}",
            dir.join("tool.log").display()
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Tells the tool about a platform registration (`eduflow lti add-tool`'s output).
    pub async fn configure(&self, registration: &std::collections::HashMap<String, String>) {
        let body = serde_json::json!({
            "issuer": registration["issuer"],
            "client_id": registration["client_id"],
            "deployment_id": registration["deployment_id"],
            "authorize": registration["authorize"],
            "token": registration["token"],
            "jwks": registration["jwks"],
        })
        .to_string();
        let head = format!(
            "POST /configure HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host(),
            body.len()
        );
        let res = raw(self.port, head.as_bytes()).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }

    /// What the tool's last launch carried: `launch_id` and the id_token's `claims`.
    pub async fn last(&self) -> serde_json::Value {
        let res = request(self.port, "GET", &self.host(), "/last", &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()
    }
}

impl Drop for LtiTool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn lti_tool() -> &'static LtiTool {
    static TOOL: OnceLock<LtiTool> = OnceLock::new();
    TOOL.get_or_init(LtiTool::start)
}

/// The form a page posts on at once (`action`, hidden fields), its HTML entities undone.
pub fn autopost_form(body: &str) -> (String, Vec<(String, String)>) {
    let unescape = |s: &str| {
        s.replace("&#x2F;", "/")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let attr = |tag: &str, name: &str| {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(unescape)
    };
    // EduFlow's page marks its form (the layout has others); a tool's page has one.
    let mut forms = body.split("<form").skip(1);
    let form = forms
        .clone()
        .find(|f| {
            f.split('>')
                .next()
                .unwrap_or_default()
                .contains("data-autopost")
        })
        .or_else(|| forms.next())
        .expect("a form");
    let action = attr(form.split('>').next().unwrap(), "action").expect("an action");
    let fields = form
        .split("<input")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        })
        .collect();
    (action, fields)
}

/// One SMTP sink for the run's serving binaries (tests that read mail start their own).
pub fn shared_smtp() -> &'static SmtpSink {
    static SINK: OnceLock<SmtpSink> = OnceLock::new();
    SINK.get_or_init(SmtpSink::start)
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first link in a mail's text that goes to `path_prefix`, as a path (the host is checked
/// by the caller).
pub fn link_in(mail: &serde_json::Value, path_prefix: &str) -> String {
    let text = mail["text"].as_str().unwrap();
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(path_prefix))
        .unwrap_or_else(|| panic!("no {path_prefix} link in {text}"));
    url.to_owned()
}

pub struct TestApp {
    pub port: u16,
    pub metrics_port: Option<u16>,
    pub state: actix_web::web::Data<AppState>,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    pub async fn spawn(settings: Settings) -> Self {
        let app = Application::build(settings)
            .await
            .expect("building the app");
        let (port, metrics_port, state, handle) =
            (app.port(), app.metrics_port(), app.state(), app.handle());
        // Built once the change listener is connected (`Application::build` waits for it).
        actix_web::rt::spawn(app.run_until_stopped());
        Self {
            port,
            metrics_port,
            state,
            handle,
        }
    }

    /// The common start of a test: a fresh database with the schools `alpha` and `beta` (demo
    /// content) and the app on default test settings.
    pub async fn two_schools() -> (TestDb, Self) {
        let db = TestDb::new().await;
        db.two_schools().await;
        let app = Self::spawn(settings(&db)).await;
        (db, app)
    }

    pub async fn get(&self, host: &str, path: &str) -> Response {
        request(self.port, "GET", host, path, &[]).await
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as sent (binary media; de-chunked).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A plain HTTP/1.1 request, so tests control the Host header and every other byte.
pub async fn request(
    port: u16,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Response {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    raw(port, head.as_bytes()).await
}

/// A form POST as a browser on `host` would send it (Origin set, urlencoded body).
pub async fn post_form(
    port: u16,
    host: &str,
    path: &str,
    fields: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Response {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let origin = format!("http://{host}");
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("origin")) {
        head.push_str(&format!("Origin: {origin}\r\n"));
    }
    for (k, v) in extra.iter().filter(|(_, v)| !v.is_empty()) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    raw(port, head.as_bytes()).await
}

impl Response {
    /// The anti-forgery token of the first form on the page.
    pub fn csrf_token(&self) -> String {
        let after = self
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .expect("a form with a csrf field");
        after.split('"').next().unwrap().to_owned()
    }

    /// `Set-Cookie` headers, as `(name, whole header)`.
    pub fn set_cookies(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| (v.split('=').next().unwrap().to_owned(), v.clone()))
            .collect()
    }

    /// The value a `Set-Cookie` gave `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| {
                v.split(';')
                    .next()
                    .unwrap()
                    .split_once('=')
                    .unwrap()
                    .1
                    .to_owned()
            })
    }
}

pub async fn raw(port: u16, bytes: &[u8]) -> Response {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    // A server may answer (413, say) and close before the whole body is sent: keep its answer.
    let _ = stream.write_all(bytes).await;
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf).await;
    parse_response(&buf)
}

/// An HTTP/1.1 answer as read off the wire.
pub fn parse_response(buf: &[u8]) -> Response {
    let at = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..at]).into_owned();
    let raw_body = buf.get(at + 4..).unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let bytes = if chunked {
        dechunk(raw_body)
    } else {
        raw_body.to_vec()
    };
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = s.windows(2).position(|w| w == b"\r\n") {
        let n = std::str::from_utf8(&s[..line])
            .ok()
            .and_then(|size| usize::from_str_radix(size.trim(), 16).ok())
            .unwrap_or(0);
        let rest = &s[line + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        s = rest.get(n + 2..).unwrap_or_default();
    }
    out
}

/// Polls `check` until it holds or `limit` passes; returns how long it took.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// An operator's role change in plain SQL, waited for until the session holding `cookie` at
/// `host` is granted it: the instance learns of it by NOTIFY, within about a second.
pub async fn operator_sets_role(
    db: &TestDb,
    (port, host, cookie): (u16, &str, &str),
    email: &str,
    role: &str,
) {
    let school = host.split('.').next().unwrap_or(host);
    for db in db.all() {
        diesel_async::SimpleAsyncConnection::batch_execute(
            &mut db.superuser().await,
            &format!(
                "UPDATE users SET role = '{role}' WHERE email = '{email}'
                   AND tenant_id = (SELECT id FROM tenants WHERE slug = '{school}')"
            ),
        )
        .await
        .unwrap();
    }
    let granted = eventually(Duration::from_secs(5), || async {
        let me = request(port, "GET", host, "/api/v1/me", &[("Cookie", cookie)]).await;
        me.status == 200 && me.json()["role"] == role
    })
    .await;
    assert!(granted.is_some(), "{email} never became {role} at {host}");
}

/// A file part of a multipart form: (field, file name, declared type, bytes).
pub type FilePart<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// A `multipart/form-data` POST as a browser on `host` sends it.
pub async fn post_multipart(
    port: u16,
    host: &str,
    path: &str,
    fields: &[(&str, &str)],
    files: &[FilePart<'_>],
    extra: &[(&str, &str)],
) -> Response {
    const BOUNDARY: &str = "----eduflow-test-boundary-7d1c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nOrigin: http://{host}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    raw(port, &bytes).await
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

static PGBOUNCER: OnceLock<u16> = OnceLock::new();

/// Debian's PgBouncer in transaction mode in front of the test cluster, on a loopback port;
/// started on first use, stopped by the watchdog when this test process is gone.
pub fn pgbouncer() -> u16 {
    let shared = shared();
    *PGBOUNCER.get_or_init(|| {
        let dir = shared.root.join("pgbouncer");
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let users: String = [RUNTIME_ROLE, OWNER_ROLE, SUPERUSER]
            .iter()
            .map(|u| format!("\"{u}\" \"\"\n"))
            .collect();
        std::fs::write(dir.join("users.txt"), users).unwrap();
        std::fs::write(
            dir.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host={sock} port={pg_port}\n\
                 [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {dir}/users.txt\npool_mode = transaction\n\
                 max_client_conn = 500\ndefault_pool_size = 4\n\
                 ignore_startup_parameters = extra_float_digits,options\n\
                 logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
                sock = shared.cluster.sockdir().display(),
                pg_port = eduflow::db::embedded::PORT,
                dir = dir.display(),
            ),
        )
        .unwrap();
        let ini = dir.join("pgbouncer.ini").display().to_string();
        let mut cmd = std::process::Command::new("pgbouncer");
        // PgBouncer refuses to run as root.
        if shared.cluster.run_as().is_some() {
            std::process::Command::new("chown")
                .args(["-R", "postgres", &dir.display().to_string()])
                .status()
                .unwrap();
            cmd = std::process::Command::new("runuser");
            cmd.args(["-u", "postgres", "--", "pgbouncer"]);
        }
        let status = cmd
            .args(["-d", &ini])
            .status()
            .expect("pgbouncer is installed (Debian's pgbouncer; .ci/run installs it)");
        assert!(status.success(), "pgbouncer did not start");
        wait_for_port(port, "pgbouncer");
        port
    })
}

/// `url` (on the shared cluster's socket) as the same role and database through PgBouncer.
pub fn through_pgbouncer(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap();
    let database = path.trim_start_matches("postgresql:///");
    let user = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("user="))
        .unwrap();
    format!("postgresql://{user}@127.0.0.1:{}/{database}", pgbouncer())
}

static NEXT_PRIVATE: AtomicU32 = AtomicU32::new(0);

/// Starts (or restarts) a cluster of a test's own under `root`.
pub async fn start_private(root: &std::path::Path) -> Cluster {
    Cluster::start(
        root,
        ClusterOptions {
            unsafe_fast: true,
            ..ClusterOptions::default()
        },
    )
    .await
    .unwrap()
}

/// A cluster of the test's own, for tests that stop their database: migrated, with the two demo
/// schools.
pub async fn private_cluster() -> (Cluster, TestDb) {
    let root = shared().root.join(format!(
        "private-{}",
        NEXT_PRIVATE.fetch_add(1, Ordering::Relaxed)
    ));
    let cluster = start_private(&root).await;
    let urls = cluster.provision("eduflow").await.unwrap();
    migrate::migrate(&urls.admin, &urls.runtime).await.unwrap();
    let db = TestDb {
        name: "eduflow".into(),
        superuser_url: cluster.url(SUPERUSER, "eduflow"),
        admin_url: urls.admin,
        runtime_url: urls.runtime,
        eu: OnceLock::new(),
    };
    db.two_schools_here().await;
    (cluster, db)
}

/// A stand-in for Fly.io's edge, for tests only: it forwards each request to `first`; when that
/// answers with `fly-replay: region=…`, it sends the same request to the instance of that region
/// instead (with `fly-replay-src`), as Fly's proxy does. A request carrying
/// `fly-prefer-region` goes straight to that region. Everything behind it is real.
pub struct FlyEdge {
    pub port: u16,
    /// Requests replayed so far.
    pub replays: std::sync::Arc<AtomicU32>,
}

impl FlyEdge {
    pub async fn start(first: (&str, u16), regions: Vec<(String, u16)>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let replays = std::sync::Arc::new(AtomicU32::new(0));
        let (first_region, first_port) = (first.0.to_owned(), first.1);
        let counter = replays.clone();
        actix_web::rt::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                let (regions, counter, first_region) =
                    (regions.clone(), counter.clone(), first_region.clone());
                actix_web::rt::spawn(async move {
                    let Some(request) = read_request(&mut client).await else {
                        return;
                    };
                    let port_of =
                        |region: &str| regions.iter().find(|(r, _)| r == region).map(|(_, p)| *p);
                    let preferred =
                        header_value(&request, "fly-prefer-region").and_then(|r| port_of(&r));
                    let mut answer = exchange(preferred.unwrap_or(first_port), &request).await;
                    if let Some(target) = header_value(&answer, "fly-replay")
                        .and_then(|v| v.strip_prefix("region=").map(str::to_owned))
                    {
                        if request.len() > REPLAY_LIMIT {
                            // Fly cannot replay a body over 1 MB; this stands for its refusal.
                            let _ = client
                                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                .await;
                            return;
                        }
                        counter.fetch_add(1, Ordering::Relaxed);
                        let replayed = with_header(
                            &request,
                            "fly-replay-src",
                            &format!("region={first_region};state=replayed"),
                        );
                        answer =
                            exchange(port_of(&target).expect("a known region"), &replayed).await;
                    }
                    let _ = client.write_all(&answer).await;
                });
            }
        });
        Self { port, replays }
    }
}

/// The largest request Fly's proxy replays.
const REPLAY_LIMIT: usize = 1 << 20;

/// Sends `request` to `port` and reads one whole answer, as a proxy does: up to the end of its
/// body, not until the server closes.
async fn exchange(port: u16, request: &[u8]) -> Vec<u8> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let _ = stream.write_all(request).await;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let done = match length {
                Some(n) => buf.len() >= end + 4 + n,
                None if head.contains("transfer-encoding: chunked") => {
                    buf.ends_with(b"\r\n0\r\n\r\n")
                }
                None => false,
            };
            if done {
                return buf;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// One whole HTTP/1.1 request as sent (head and a Content-Length body).
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Some(buf);
            }
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header_value(request: &[u8], name: &str) -> Option<String> {
    let end = request.windows(4).position(|w| w == b"\r\n\r\n")?;
    String::from_utf8_lossy(&request[..end])
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
}

fn with_header(request: &[u8], name: &str, value: &str) -> Vec<u8> {
    let line_end = request.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let mut out = request[..line_end].to_vec();
    out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    out.extend_from_slice(&request[line_end..]);
    out
}

/// A browser of one school: it keeps every cookie it is given and sends them back, and posts
/// forms with the token of the last page it read, wherever (whichever port) it is sent.
pub struct Browser {
    pub host: String,
    cookies: std::collections::BTreeMap<String, String>,
    csrf: String,
}

impl Browser {
    pub fn new(school: &str) -> Self {
        Self {
            host: format!("{school}.localhost"),
            cookies: Default::default(),
            csrf: String::new(),
        }
    }

    fn keep(&mut self, res: &Response) {
        keep_cookies(&mut self.cookies, res);
        if let Some(token) = res
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.csrf = token.to_owned();
        }
    }

    /// The session's CSRF token, as the last page carried it.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Forgets one cookie (a browser that lost it, or never had it).
    pub fn drop_cookie(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    pub async fn get(&mut self, port: u16, path: &str) -> Response {
        let cookies = self.cookie_header();
        let res = request(port, "GET", &self.host, path, &[("Cookie", &cookies)]).await;
        self.keep(&res);
        res
    }

    pub async fn post(&mut self, port: u16, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = fields.to_vec();
        all.push(("csrf", &self.csrf));
        let cookies = self.cookie_header();
        let res = post_form(port, &self.host, path, &all, &[("Cookie", &cookies)]).await;
        self.keep(&res);
        res
    }

    /// A multipart form with text fields only (the authoring forms).
    pub async fn upload(&mut self, port: u16, path: &str, fields: &[(&str, &str)]) -> Response {
        self.upload_files(port, path, fields, &[]).await
    }

    /// A multipart form with text fields and files.
    pub async fn upload_files(
        &mut self,
        port: u16,
        path: &str,
        fields: &[(&str, &str)],
        files: &[FilePart<'_>],
    ) -> Response {
        let mut all = fields.to_vec();
        all.push(("csrf", &self.csrf));
        let cookies = self.cookie_header();
        let res =
            post_multipart(port, &self.host, path, &all, files, &[("Cookie", &cookies)]).await;
        self.keep(&res);
        res
    }

    /// Signs `email` up and gives the account `role` (as an operator would, in SQL).
    pub async fn member(port: u16, db: &TestDb, school: &str, email: &str, role: &str) -> Self {
        let mut me = Self::new(school);
        me.sign_up(port, email).await;
        let (host, cookie) = (me.host.clone(), me.cookie_header());
        operator_sets_role(db, (port, &host, &cookie), email, role).await;
        me.get(port, "/learn").await;
        me
    }

    /// Signs up (reading the form first, as a person would).
    pub async fn sign_up(&mut self, port: u16, email: &str) {
        self.get(port, "/signup").await;
        let res = self
            .post(
                port,
                "/signup",
                &[
                    ("name", "Ada Lovelace"),
                    ("email", email),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert!(self.cookies.contains_key("eduflow_session"));
        // Forms after sign-up carry the session's token.
        self.get(port, "/learn").await;
    }
}

/// Tests that pause the shared replica's replay (or need it to keep up) take turns.
pub async fn replica_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// The shared replica's URL for `db`'s database as `role`, once the replica has it and has
/// replayed everything the primary had when this was called.
pub async fn replica_of(db: &TestDb, role: &str) -> String {
    let standby = replica();
    let target = db.text("SELECT pg_current_wal_lsn()::text AS v").await;
    let url = standby.url(SUPERUSER, &db.name);
    let caught_up = eventually(Duration::from_secs(10), || async {
        let Ok(mut conn) = AsyncPgConnection::establish(&url).await else {
            return false;
        };
        #[derive(diesel::QueryableByName)]
        struct Done {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            done: bool,
        }
        diesel_async::RunQueryDsl::get_result::<Done>(
            diesel::sql_query(format!(
                "SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn AS done"
            )),
            &mut conn,
        )
        .await
        .is_ok_and(|d| d.done)
    })
    .await;
    assert!(caught_up.is_some(), "the replica never caught up");
    standby.url(role, &db.name)
}

/// Pauses or resumes the shared replica's replay.
pub async fn replay(db: &TestDb, on: bool) {
    let call = if on {
        "pg_wal_replay_resume"
    } else {
        "pg_wal_replay_pause"
    };
    AsyncPgConnection::establish(&replica().url(SUPERUSER, &db.name))
        .await
        .unwrap()
        .batch_execute(&format!("SELECT {call}()"))
        .await
        .unwrap();
}

impl TestApp {
    /// The instance's Prometheus text.
    pub async fn metrics(&self) -> String {
        request(
            self.metrics_port.unwrap(),
            "GET",
            "127.0.0.1",
            "/metrics",
            &[],
        )
        .await
        .body
    }

    /// How many queries of `family` the pool `pool` ran so far.
    pub async fn queries(&self, pool: &str, family: &str) -> u64 {
        let series = format!(
            "eduflow_db_query_duration_seconds_count{{pool=\"{pool}\",query=\"{family}\"}} "
        );
        self.metrics()
            .await
            .lines()
            .find_map(|l| l.strip_prefix(&series))
            .map_or(0, |n| n.trim().parse().unwrap())
    }
}

/// A fresh folder under the run's root, which goes when the run does.
pub fn tempdir(what: &str) -> PathBuf {
    let dir = shared()
        .root
        .join(format!("{what}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `eduflow` binary on `db`, with `admin_url` as DATABASE_ADMIN_URL, the run's media folder
/// and `tenants_dir`.
pub async fn eduflow_cli(
    db: &TestDb,
    admin_url: &str,
    tenants_dir: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    eduflow_cli_with(db, admin_url, tenants_dir, args, &[]).await
}

/// [`eduflow_cli`] with more environment variables.
pub async fn eduflow_cli_with(
    db: &TestDb,
    admin_url: &str,
    tenants_dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args(args)
        .envs(env.iter().copied())
        .env("DATABASE_URL", &db.runtime_url)
        .env("DATABASE_ADMIN_URL", admin_url)
        .env("EDUFLOW_TENANTS_DIR", tenants_dir)
        .env("EDUFLOW_MEDIA_DIR", media_dir())
        .env_remove("EDUFLOW_MEDIA_STORE")
        .output()
        .await
        .unwrap()
}

/// The slug `tenants restore --confirm` says it kept the replaced school under.
pub fn replaced_school(said: &str) -> String {
    said.split("suspended, as ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("{said}"))
        .to_owned()
}

/// Asserts that a command failed and said `reason` on stderr.
pub fn refused(out: &std::process::Output, reason: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "succeeded: {err}");
    assert!(err.contains(reason), "{reason:?} not in: {err}");
}

/// The pid of the cluster's postmaster, from its data directory.
pub fn postmaster_pid(datadir: &std::path::Path) -> i32 {
    std::fs::read_to_string(datadir.join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Reads a starting `eduflow serve`'s stdout up to "Press Ctrl-C": its port and the lines it
/// printed. The rest of its stdout is drained in the background.
pub async fn printed_port(child: &mut tokio::process::Child) -> (u16, Vec<String>) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut port, mut printed) = (None, Vec::new());
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(rest) = line.split("on port ").nth(1) {
            port = rest.trim_end_matches(':').parse::<u16>().ok();
        }
        let last = line.starts_with("Press Ctrl-C");
        printed.push(line);
        if last {
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (port.expect("the server printed its port"), printed)
}

/// Asserts that a command succeeded, showing its output if not; returns its stdout.
pub fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `eduflow serve` binary on `db` (no tenant sync), with `env` added; its port once it
/// listens. Logs (JSON) go to its stderr.
pub async fn serve_binary(db: &TestDb, env: &[(&str, &str)]) -> (tokio::process::Child, u16) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.runtime_url)
        .env("DATABASE_ADMIN_URL", &db.admin_url)
        .env("EDUFLOW_MEDIA_DIR", media_dir())
        .env(
            "EDUFLOW_MEDIA_SECRET",
            std::str::from_utf8(MEDIA_SECRET).unwrap(),
        )
        .env("EDUFLOW_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .env("EDUFLOW_SMTP_URL", shared_smtp().url())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (port, _) = printed_port(&mut child).await;
    (child, port)
}

/// A reverse proxy like nginx's plain `proxy_pass`: it rewrites `Host` to the upstream's address
/// and passes the public one in `X-Forwarded-Host` (and the client in `X-Forwarded-For`). One
/// request per connection (the tests send `Connection: close`).
pub async fn rewriting_proxy(upstream: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, peer)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16384];
                let head_end = loop {
                    if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at;
                    }
                    match client.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let mut public = String::new();
                let mut lines = Vec::new();
                let mut length = 0usize;
                for (i, line) in head.split("\r\n").enumerate() {
                    let lower = line.to_ascii_lowercase();
                    if i > 0 && lower.starts_with("host:") {
                        public = line[5..].trim().to_owned();
                        continue;
                    }
                    if lower.starts_with("content-length:") {
                        length = line[15..].trim().parse().unwrap_or(0);
                    }
                    lines.push(line.to_owned());
                }
                lines.insert(1, format!("Host: 127.0.0.1:{upstream}"));
                lines.push(format!("X-Forwarded-Host: {public}"));
                lines.push(format!("X-Forwarded-For: {}", peer.ip()));
                let mut body = buf[head_end + 4..].to_vec();
                while body.len() < length {
                    match client.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
                let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
                else {
                    return;
                };
                let mut request = format!("{}\r\n\r\n", lines.join("\r\n")).into_bytes();
                request.extend_from_slice(&body);
                let _ = up.write_all(&request).await;
                let mut answer = Vec::new();
                let _ = up.read_to_end(&mut answer).await;
                let _ = client.write_all(&answer).await;
            });
        }
    });
    port
}

/// `eduflow serve` with its embedded default (a private PostgreSQL under `data_dir`, the shipped
/// schools and demo content); its port once it listens.
pub async fn serve_embedded(data_dir: &std::path::Path) -> (tokio::process::Child, u16) {
    let mut child = embedded_cli(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (port, _) = printed_port(&mut child).await;
    (child, port)
}

/// The `eduflow` binary on the embedded default under `data_dir`.
pub fn embedded_cli(data_dir: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"));
    cmd.env("EDUFLOW_DATA_DIR", data_dir)
        .env(
            "EDUFLOW_TENANTS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tenants"),
        )
        .env("EDUFLOW_MEDIA_DIR", data_dir.join("media"))
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_ADMIN_URL");
    cmd
}
