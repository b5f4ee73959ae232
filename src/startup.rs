//! The application: pools, the school directory, the actor registry, the change listener and the
//! HTTP server on an already bound listener (port 0 in tests).

use std::net::{IpAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use tokio::sync::mpsc;

use crate::actors::{Registry, SchoolContext};
use crate::db::listener::{self, Change};
use crate::db::{PoolSettings, Pools, migrate};
use crate::tenancy::Directory;
use crate::tenancy::host::SchoolSlug;
use crate::views::Views;

/// Shared by every request handler.
pub struct AppState {
    pub directory: Arc<Directory>,
    pub registry: Arc<Registry>,
    pub pools: Pools,
    pub views: Arc<Views>,
    pub trusted_proxies: Vec<IpAddr>,
}

/// Everything `Application::build` needs, already parsed.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub base_domain: String,
    pub runtime_url: String,
    pub replica_urls: Vec<String>,
    pub trusted_proxies: Vec<IpAddr>,
    pub page_cache_bytes: usize,
    pub actor_idle: Duration,
    pub pool: PoolSettings,
    pub workers: Option<usize>,
}

pub struct Application {
    server: Server,
    port: u16,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        migrate::check_runtime_role(&settings.runtime_url).await?;
        let pools = Pools::new(settings.pool, &settings.runtime_url, &settings.replica_urls);
        let directory = Arc::new(Directory::new(&settings.base_domain));
        let versions = directory
            .reload(pools.primary())
            .await
            .map_err(|e| anyhow::anyhow!("loading schools: {e:?}"))?;
        let views = Arc::new(Views::new()?);
        let registry = Registry::new(SchoolContext {
            pools: pools.clone(),
            views: views.clone(),
            cache_bytes: settings.page_cache_bytes,
            idle: settings.actor_idle,
            loads: Default::default(),
        });
        registry.catalog_versions(versions);
        let (changes_tx, changes_rx) = mpsc::unbounded_channel();
        actix_web::rt::spawn(listener::listen(settings.runtime_url.clone(), changes_tx));
        actix_web::rt::spawn(apply_changes(
            changes_rx,
            directory.clone(),
            registry.clone(),
            pools.clone(),
        ));

        let state = web::Data::new(AppState {
            directory,
            registry,
            pools,
            views,
            trusted_proxies: settings.trusted_proxies.clone(),
        });
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("binding {}", settings.listen))?;
        let port = listener.local_addr()?.port();
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .wrap(DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
                    .add(("X-Frame-Options", "DENY"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; \
                         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
                    )))
                .wrap(from_fn(access_log))
                .configure(crate::routes::configure)
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.run(),
            port,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until Ctrl-C / SIGTERM (graceful: in-flight requests finish).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Applies what the listener hears. School-list reloads are coalesced: a bulk import announces
/// many changes in a burst, and one reload covers them all.
async fn apply_changes(
    mut rx: mpsc::UnboundedReceiver<Change>,
    directory: Arc<Directory>,
    registry: Arc<Registry>,
    pools: Pools,
) {
    while let Some(change) = rx.recv().await {
        let mut everything = match change {
            Change::Catalog { tenant, version } => {
                tracing::debug!(%tenant, version, "catalog changed");
                registry.catalog_changed(tenant, version);
                continue;
            }
            Change::Tenants => false,
            Change::Resync => true,
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Ok(more) = rx.try_recv() {
            match more {
                Change::Catalog { tenant, version } => registry.catalog_changed(tenant, version),
                Change::Tenants => {}
                Change::Resync => everything = true,
            }
        }
        tracing::debug!(everything, "reloading schools");
        match directory.reload(pools.primary()).await {
            Ok(versions) => {
                registry.catalog_versions(versions);
                registry.refresh(&directory, everything);
            }
            Err(e) => tracing::warn!(error = ?e, "reloading schools failed"),
        }
    }
}

/// One line per request: school, route template, status, duration.
async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let res = next.call(req).await?;
    let request = res.request();
    let school = request
        .extensions()
        .get::<SchoolSlug>()
        .map(|s| s.0.clone())
        .unwrap_or_default();
    tracing::info!(
        target: "eduflow::access",
        school,
        route = request.match_pattern().as_deref().unwrap_or("-"),
        method = %method,
        status = res.status().as_u16(),
        ms = start.elapsed().as_secs_f64() * 1000.0,
    );
    Ok(res)
}
