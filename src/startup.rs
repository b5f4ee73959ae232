//! The application: pools, the school directory, the actor registry, the change listener, the
//! HTTP server on an already bound listener (port 0 in tests), and the metrics listener.

use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpMessage, HttpResponse, HttpServer, web};
use anyhow::Context;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use tokio::sync::mpsc;

use crate::accounts::live::{LIVE_SESSIONS, LiveSessions};
use crate::accounts::sessions::CookiePolicy;
use crate::accounts::throttle::{LoginThrottle, SignupLimit};
use crate::actors::context::SchoolContext;
use crate::actors::registry::Registry;
use crate::api_tokens::live::{LIVE_TOKENS, LiveTokens};
use crate::db::clusters::{self, ClusterRecord};
use crate::db::listener::{self, Change};
use crate::db::{ClusterName, Clusters, PoolSettings, Pools, global_tx, migrate};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::mail::Composer;
use crate::mail::sender::{Pace, Sender};
use crate::mail::transport::Transport;
use crate::media::Media;
use crate::media::limits::Limits;
use crate::media::signing::Signer;
use crate::media::store::StoreConfig;
use crate::media::stores::Stores;
use crate::metrics::{Metrics, status_class};
use crate::state::AppState;
use crate::tenancy::{Directory, HostTarget};
use crate::views::Views;

/// Everything `Application::build` needs, already parsed.
pub struct Settings {
    pub listen: String,
    pub base_domain: String,
    pub runtime_url: String,
    /// A direct session on the primary for LISTEN (never through a transaction pooler).
    pub listen_url: String,
    /// This region's replicas.
    pub replica_urls: Vec<String>,
    /// How long a recent writer's read waits for a replica before reading the primary.
    pub replica_wait: Duration,
    /// A replica further behind than this is skipped.
    pub replica_max_lag: Duration,
    /// This instance's region and whether writes are replayed to their cluster's region.
    pub writes: crate::regions::Writes,
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-ups allowed per client address per 15 minutes (0: no limit).
    pub signups_per_address: u32,
    /// Requests one API token may make per minute on this instance.
    pub api_rate_per_minute: u32,
    /// Requests of one school handled at once (0: no limit).
    pub school_requests: usize,
    pub page_cache_bytes: usize,
    pub actor_idle: Duration,
    pub pool: PoolSettings,
    /// Transactions running at once across every cluster's pools.
    pub pool_total: usize,
    /// The directory cluster's primary region (Fly.io's PRIMARY_REGION), if known.
    pub main_region: String,
    pub workers: Option<usize>,
    pub metrics_listen: Option<String>,
    pub top_schools: usize,
    /// The public URLs are https (TLS may end at a proxy): cookies become Secure and `__Host-`.
    pub https: bool,
    /// How often school actors write batched playback positions.
    pub position_flush: Duration,
    pub media_store: StoreConfig,
    /// Where uploads wait while they are checked (for the local store: on its filesystem).
    pub media_staging: std::path::PathBuf,
    pub upload_limits: Limits,
    /// Key of the media URL tokens; every instance must share it.
    pub media_secret: Vec<u8>,
    pub media_url_ttl: Duration,
    pub media_links: crate::media::Links,
    pub cdn_origin_secret: Option<String>,
    pub mail: MailSettings,
    /// How webhooks are sent, and where they may go.
    pub webhooks: crate::webhooks::sender::Pace,
    /// How xAPI statements are sent, and where they may go.
    pub xapi: crate::xapi::sender::Pace,
    /// Identity providers may be on private addresses (see `outbound`).
    pub sso_allow_private: bool,
    /// LTI tools' key sets may be on private addresses.
    pub lti_allow_private: bool,
    pub clock: crate::clock::Clock,
}

/// Outgoing mail.
pub struct MailSettings {
    pub transport: Transport,
    /// The address every school's mail is sent from.
    pub from: lettre::Address,
    /// The port in mailed links (`None`: the scheme's own; `Some(0)`: the listening port).
    pub public_port: Option<u16>,
    pub pace: Pace,
}

pub struct Application {
    server: Server,
    port: u16,
    metrics: Option<(ServerHandle, u16)>,
    state: web::Data<AppState>,
    /// Tells the mail, webhook and xAPI senders to stop after their batches in flight, and
    /// their tasks.
    senders: (
        tokio::sync::watch::Sender<bool>,
        [tokio::task::JoinHandle<()>; 3],
    ),
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        migrate::check_runtime_role(&settings.runtime_url).await?;
        crate::accounts::password::return_large_allocations();
        let metrics = Arc::new(Metrics::new(settings.top_schools));
        let clusters = Arc::new(Clusters::new(
            settings.pool,
            ClusterRecord {
                name: ClusterName::main(),
                url: settings.runtime_url.clone(),
                admin_url: String::new(),
                listen_url: Some(settings.listen_url.clone()),
                replica_urls: settings.replica_urls.clone(),
                region: settings.main_region.clone(),
                media: None,
                backups: None,
            },
            settings.pool_total,
            Some(metrics.clone()),
            settings.replica_wait,
        ));
        let directory = Arc::new(Directory::new(&settings.base_domain));
        let versions = load_clusters(&clusters, &directory, &[ClusterName::main()])
            .await
            .map_err(|e| anyhow::anyhow!("loading schools: {e:?}"))?;
        let views = Arc::new(Views::new()?);
        let signer = Signer::new(&settings.media_secret, settings.media_url_ttl);
        let page_max_age = signer.ttl() / 2;
        let swept =
            crate::media::upload::sweep_staging(&settings.media_staging, Duration::from_secs(3600));
        if swept > 0 {
            tracing::info!(swept, "removed abandoned staged uploads");
        }
        let media = Arc::new(Media {
            store: Stores::new(settings.media_store, clusters.clone()),
            signer,
            links: settings.media_links,
            cdn_origin_secret: settings.cdn_origin_secret,
            staging: settings.media_staging,
            limits: settings.upload_limits,
            inflight: Default::default(),
            encoding: tokio::sync::Semaphore::new(cores()),
        });
        let registry = Registry::new(SchoolContext {
            clusters: clusters.clone(),
            views: views.clone(),
            cache_bytes: settings.page_cache_bytes,
            idle: settings.actor_idle,
            metrics: metrics.clone(),
            position_flush: settings.position_flush,
            media: media.clone(),
            // Cached pages carry signed image links: refresh them well before those expire.
            page_max_age,
            drain: crate::actors::drain::Drain::here(),
        });
        registry.catalog_versions(versions);
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("binding {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let mail = settings.mail;
        let composer = Arc::new(Composer::new(
            views.clone(),
            &settings.base_domain,
            settings.https,
            mail.public_port.map(|p| if p == 0 { port } else { p }),
        ));
        let (wake_tx, wake_rx) = mpsc::unbounded_channel();
        let (stop_senders, senders_stopped) = tokio::sync::watch::channel(false);
        let sender = actix_web::rt::spawn(
            Sender {
                clusters: clusters.clone(),
                directory: directory.clone(),
                metrics: metrics.clone(),
                transport: Arc::new(mail.transport),
                from: mail.from,
                pace: mail.pace,
            }
            .run(wake_rx, senders_stopped.clone()),
        );
        let courier = |user_agent| crate::courier::Courier {
            clusters: clusters.clone(),
            directory: directory.clone(),
            metrics: metrics.clone(),
            mail: composer.clone(),
            clients: crate::outbound::Clients::new(user_agent),
        };
        let (hooks_tx, hooks_rx) = mpsc::unbounded_channel();
        let hooks = actix_web::rt::spawn(
            crate::webhooks::sender::Sender {
                courier: courier("EduFlow-Webhooks/1"),
                pace: settings.webhooks,
            }
            .run(hooks_rx, senders_stopped.clone()),
        );
        let (xapi_tx, xapi_rx) = mpsc::unbounded_channel();
        let statements = actix_web::rt::spawn(
            crate::xapi::sender::Sender {
                courier: courier("EduFlow-xAPI/1"),
                pace: settings.xapi,
            }
            .run(xapi_rx, senders_stopped),
        );
        let (changes_tx, changes_rx) = mpsc::unbounded_channel();
        let sessions = Arc::new(LiveSessions::new(LIVE_SESSIONS, settings.replica_max_lag));
        let api_tokens = Arc::new(LiveTokens::new(LIVE_TOKENS, settings.api_rate_per_minute));
        let (listening, heard) = tokio::sync::oneshot::channel();
        actix_web::rt::spawn(apply_changes(
            changes_rx,
            changes_tx,
            listening,
            Listeners {
                directory: directory.clone(),
                registry: registry.clone(),
                clusters: clusters.clone(),
                metrics: metrics.clone(),
                replica_max_lag: settings.replica_max_lag,
                mail: wake_tx,
                webhooks: hooks_tx,
                xapi: xapi_tx,
                sessions: sessions.clone(),
                api_tokens: api_tokens.clone(),
            },
        )); // Serving starts once the directory cluster's changes are heard (bounded: a database
        // that is down shows as 503s, not as an instance that will not start).
        if tokio::time::timeout(Duration::from_secs(5), heard)
            .await
            .is_err()
        {
            tracing::warn!("serving before the change listener is connected");
        }

        let state = web::Data::new(AppState {
            directory,
            registry,
            clusters,
            views,
            metrics,
            trusted_proxies: settings.trusted_proxies.clone(),
            cookies: CookiePolicy {
                https: settings.https,
            },
            sessions,
            api_tokens,
            webhooks_allow_private: settings.webhooks.allow_private,
            sso: Arc::new(crate::sso::directory::Directory::new(
                settings.sso_allow_private,
            )),
            throttle: LoginThrottle::default(),
            signups: SignupLimit::new(settings.signups_per_address),
            school_requests: crate::db::budget::Budget::new(settings.school_requests),
            hashing: tokio::sync::Semaphore::new(cores()),
            seen_key: crate::freshness::SeenKey::derive(&settings.media_secret),
            media,
            writes: settings.writes.clone(),
            mail: composer,
            unsubscribe: Arc::new(crate::learning::unsubscribe::UnsubscribeKey::derive(
                &settings.media_secret,
            )),
            clock: settings.clock.clone(),
            lti: Arc::new(crate::lti::Platform::new(
                &settings.media_secret,
                settings.lti_allow_private,
            )),
        });
        let app_state = state.clone();
        let https = settings.https;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                // Extractor errors as the client reads them: JSON under /api/, pages elsewhere.
                .app_data(
                    web::JsonConfig::default()
                        .limit(4096)
                        .error_handler(|err, req| {
                            let err = AppError::bad_request(
                                Msg::new("error-json-unreadable").text("reason", err.to_string()),
                            );
                            crate::error::extractor_error(req, err)
                        }),
                )
                .app_data(
                    web::PathConfig::default().error_handler(|_, req| {
                        crate::error::extractor_error(req, AppError::NotFound)
                    }),
                )
                .wrap(from_fn(crate::web::lang::choose))
                .wrap(from_fn(crate::web::gate::fair))
                .wrap(from_fn(crate::web::gate::suspended))
                .wrap(from_fn(crate::web::lang::localize_errors))
                .wrap(from_fn(crate::input::reject_control_urls))
                .wrap(security_headers(https))
                .wrap(from_fn(crate::web::freshness::track))
                .wrap(from_fn(crate::web::regions::replay_writes))
                .wrap(from_fn(access_log))
                .configure(crate::routes::configure)
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let metrics = match &settings.metrics_listen {
            Some(addr) => Some(metrics_server(addr, state.clone())?),
            None => None,
        };
        Ok(Self {
            server: server.run(),
            port,
            metrics,
            state,
            senders: (stop_senders, [sender, hooks, statements]),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until Ctrl-C / SIGTERM (graceful: in-flight requests finish), writes what the
    /// stopped actors left (playback positions), then stops metrics.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        // The sender records the batch it is sending, then stops: an instance that is gone
        // sends nothing more.
        let (stop, senders) = self.senders;
        let _ = stop.send(true);
        if tokio::time::timeout(
            Duration::from_secs(25),
            futures_util::future::join_all(senders),
        )
        .await
        .is_err()
        {
            tracing::warn!("a sender did not stop in time; its leases will run out");
        }
        let left = self.state.registry.drained(Duration::from_secs(10)).await;
        if left > 0 {
            tracing::error!(left, "playback positions still unsaved at exit");
        }
        if let Some((handle, _)) = self.metrics {
            handle.stop(true).await;
        }
        result
    }
}

/// Sent with every answer. Over HTTPS, browsers are also told to come back only that way for a
/// year.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: data:; media-src 'self' https: blob:; \
             connect-src 'self' https:; worker-src 'self' blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ));
    if https {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

/// `/metrics` on its own listener, one worker, never on the public port.
fn metrics_server(addr: &str, state: web::Data<AppState>) -> anyhow::Result<(ServerHandle, u16)> {
    let listener =
        TcpListener::bind(addr).with_context(|| format!("binding the metrics listener {addr}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(metrics_endpoint))
    })
    .listen(listener)?
    .workers(1)
    .disable_signals()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Ok((handle, port))
}

async fn metrics_endpoint(state: web::Data<AppState>) -> HttpResponse {
    state.metrics.observe_pools(&state.clusters.readings());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.encode())
}

#[derive(QueryableByName)]
struct Replay {
    #[diesel(sql_type = diesel::sql_types::Double)]
    seconds: f64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    lsn: String,
}

/// Every second, how far each replica's replay is behind (0 when it has replayed all it
/// received, otherwise the age of the last transaction it replayed) and where it is. A replica
/// further behind than `max_lag` is read from by nobody until it catches up.
async fn watch_replicas(pools: Arc<Pools>, metrics: Arc<Metrics>, max_lag: Duration) {
    loop {
        for replica in pools.replicas() {
            let sample = global_tx(&replica.pool, "replica_lag", |conn| {
                Box::pin(async move {
                    let replay: Replay = diesel::sql_query(
                        "SELECT COALESCE(CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                             ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END, 0)::float8 AS seconds,
                             COALESCE(pg_last_wal_replay_lsn(), '0/0')::text AS lsn",
                    )
                    .get_result(conn)
                    .await?;
                    Ok(replay)
                })
            })
            .await;
            match sample {
                Ok(replay) => {
                    metrics
                        .replica_lag
                        .with_label_values(&[replica.pool.label()])
                        .set(replay.seconds);
                    if let Ok(lsn) = replay.lsn.parse() {
                        replica.measured_replayed(lsn);
                    }
                    replica.set_lagging(replay.seconds > max_lag.as_secs_f64());
                }
                Err(e) => {
                    tracing::warn!(replica = replica.pool.label(), error = ?e, "measuring replica lag failed")
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Every cluster's schools, after the directory cluster's list of clusters when `strict` names
/// it. A cluster in `strict` that cannot be read fails it (the caller retries); any other keeps
/// what was loaded before, and is loaded again when its listener (re)connects. Returns the
/// catalog versions loaded.
async fn load_clusters(
    clusters: &Clusters,
    directory: &Directory,
    strict: &[ClusterName],
) -> Result<Vec<(crate::ids::TenantId, i64)>, AppError> {
    let main = ClusterName::main();
    if strict.contains(&main) {
        let mut records = vec![clusters.record(&main).expect("main is always there")];
        records.extend(clusters::listed(clusters.main().primary()).await?);
        clusters.set(records);
    }
    directory.reload(clusters, strict).await
}

/// Who acts on what the listeners hear.
struct Listeners {
    directory: Arc<Directory>,
    registry: Arc<Registry>,
    clusters: Arc<Clusters>,
    metrics: Arc<Metrics>,
    replica_max_lag: Duration,
    /// Wakes the mail sender for a school.
    mail: mpsc::UnboundedSender<crate::ids::TenantId>,
    /// Wakes the webhook sender for a school.
    webhooks: mpsc::UnboundedSender<crate::ids::TenantId>,
    /// Wakes the xAPI sender for a school.
    xapi: mpsc::UnboundedSender<crate::ids::TenantId>,
    sessions: Arc<LiveSessions>,
    api_tokens: Arc<LiveTokens>,
}

/// What this instance keeps running for one cluster: its listener (one connection) and, with
/// replicas, their lag watcher. Stopped when the cluster leaves the directory.
struct Watch {
    record: ClusterRecord,
    tasks: Vec<actix_web::rt::task::JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Watch {
    fn start(
        record: ClusterRecord,
        pools: Arc<Pools>,
        to: &Listeners,
        changes: &mpsc::UnboundedSender<(ClusterName, Change)>,
    ) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let listen = actix_web::rt::spawn(listener::listen(record.listen_url().to_owned(), tx));
        let (name, changes) = (record.name.clone(), changes.clone());
        let forward = actix_web::rt::spawn(async move {
            while let Some(change) = rx.recv().await {
                if changes.send((name.clone(), change)).is_err() {
                    break;
                }
            }
        });
        let mut tasks = vec![listen, forward];
        if pools.has_replicas() {
            tasks.push(actix_web::rt::spawn(watch_replicas(
                pools,
                to.metrics.clone(),
                to.replica_max_lag,
            )));
        }
        Self { record, tasks }
    }
}

/// Applies what the listeners hear. Reloads are coalesced: a bulk import announces many changes
/// in a burst, and one reload covers them all. The directory cluster's announcements
/// of `tenants` also cover its list of clusters: a cluster added there gets a listener here, one
/// removed loses it.
async fn apply_changes(
    mut rx: mpsc::UnboundedReceiver<(ClusterName, Change)>,
    tx: mpsc::UnboundedSender<(ClusterName, Change)>,
    listening: tokio::sync::oneshot::Sender<()>,
    to: Listeners,
) {
    // Told once the directory cluster's listener is connected and what it may have missed is
    // reloaded.
    let mut listening = Some(listening);
    let mut watches: Vec<Watch> = Vec::new();
    let follow = |watches: &mut Vec<Watch>, to: &Listeners| {
        let records = to.clusters.records();
        watches.retain(|w| records.contains(&w.record));
        for record in records {
            if watches.iter().any(|w| w.record == record) {
                continue;
            }
            if let Some(pools) = to.clusters.named(&record.name) {
                watches.push(Watch::start(record, pools, to, &tx));
            }
        }
    };
    follow(&mut watches, &to);
    while let Some((cluster, change)) = rx.recv().await {
        let mut pending = Pending::default();
        hear(&to, &mut pending, cluster, change);
        if pending.reload.is_empty() {
            continue;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok((cluster, more)) = rx.try_recv() {
            hear(&to, &mut pending, cluster, more);
        }
        let Pending { reload, resynced } = pending;
        tracing::debug!(?reload, ?resynced, "reloading schools");
        // Until the reload succeeds, what was missed is not known (after a failover the
        // listener may be back before the pools are): it is retried, not dropped.
        let mut backoff = Duration::from_millis(100);
        loop {
            match load_clusters(&to.clusters, &to.directory, &reload).await {
                Ok(versions) => {
                    to.registry.catalog_versions(versions);
                    to.registry.refresh(&to.directory, &resynced);
                    if resynced.contains(&ClusterName::main()) {
                        if let Some(listening) = listening.take() {
                            let _ = listening.send(());
                        }
                    }
                    break;
                }
                Err(e) => tracing::warn!(error = ?e, "reloading schools failed; retrying"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        follow(&mut watches, &to);
    }
}

/// The clusters whose schools are to be reloaded, and those whose listener reconnected.
#[derive(Default)]
struct Pending {
    reload: Vec<ClusterName>,
    resynced: Vec<ClusterName>,
}

/// Acts on one announcement at once; what needs a reload is noted in `pending`.
fn hear(to: &Listeners, pending: &mut Pending, cluster: ClusterName, change: Change) {
    let Pending { reload, resynced } = pending;
    match change {
        Change::Mail { tenant } => {
            let _ = to.mail.send(tenant);
        }
        Change::Webhook { tenant } => {
            let _ = to.webhooks.send(tenant);
        }
        Change::Xapi { tenant } => {
            let _ = to.xapi.send(tenant);
        }
        Change::Catalog { tenant, version } => {
            tracing::debug!(%tenant, version, "catalog changed");
            to.registry.catalog_changed(tenant, version);
        }
        Change::Learner {
            tenant,
            user,
            version,
        } => {
            // Sessions first: a request that finds the learner's old state in the actor's
            // shelf after this asks for the new version, and the actor drops the old one first.
            to.sessions.learner_changed(user, version);
            to.registry.learner_changed(tenant, user, version);
        }
        Change::Session { user, .. } => to.sessions.forget_user(user),
        Change::ApiTokens { tenant } => to.api_tokens.forget_school(tenant),
        Change::Tenants => {
            if !reload.contains(&cluster) {
                reload.push(cluster);
            }
        }
        Change::Resync => {
            to.sessions.clear();
            to.api_tokens.clear();
            if !resynced.contains(&cluster) {
                resynced.push(cluster.clone());
            }
            if !reload.contains(&cluster) {
                reload.push(cluster);
            }
        }
    }
}

/// One log line and the HTTP metrics per request: school, route template, status, duration.
async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let elapsed = start.elapsed();
    let request = res.request();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let school = match request.extensions().get::<HostTarget>() {
        Some(HostTarget::School(tenant)) => tenant.slug.clone(),
        _ => String::new(),
    };
    let status = res.status().as_u16();
    if let Some(state) = request.app_data::<web::Data<AppState>>() {
        let m = &state.metrics;
        let labels = [route.as_str(), method.as_str(), status_class(status)];
        m.http_requests.with_label_values(&labels).inc();
        m.http_duration
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
        if !school.is_empty() {
            m.school_requests
                .with_label_values(&[&m.schools.label(&school)])
                .inc();
        }
    }
    tracing::info!(
        target: "eduflow::access",
        school,
        route,
        method = %method,
        status,
        ms = elapsed.as_secs_f64() * 1000.0,
    );
    Ok(res)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
