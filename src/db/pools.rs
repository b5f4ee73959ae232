//! Connection pools: writes go to the primary, catalog reads to a replica when one is configured.
//! Each pool knows its label (`primary`, `replica-0`, …) for metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::bb8::PooledConnection;

use crate::error::AppError;
use crate::metrics::{Metrics, PoolReading};

type Manager = AsyncDieselConnectionManager<AsyncPgConnection>;

#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_size: u32,
    pub checkout_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 10,
            checkout_timeout: Duration::from_secs(2),
        }
    }
}

#[derive(Clone)]
pub struct PgPool {
    inner: bb8::Pool<Manager>,
    label: Arc<str>,
    metrics: Option<Arc<Metrics>>,
}

impl PgPool {
    fn new(
        settings: PoolSettings,
        url: &str,
        label: String,
        metrics: Option<Arc<Metrics>>,
    ) -> Self {
        let inner = bb8::Pool::builder()
            .max_size(settings.max_size)
            .connection_timeout(settings.checkout_timeout)
            .build_unchecked(Manager::new(url));
        Self {
            inner,
            label: label.into(),
            metrics,
        }
    }

    /// A connection outside the door (tests hold one to exhaust the pool).
    pub async fn get(
        &self,
    ) -> Result<
        PooledConnection<'_, AsyncPgConnection>,
        bb8::RunError<diesel_async::pooled_connection::PoolError>,
    > {
        self.inner.get().await
    }

    /// A connection, or a 503: an exhausted or unreachable pool never hangs a request.
    pub(crate) async fn checkout(
        &self,
    ) -> Result<PooledConnection<'_, AsyncPgConnection>, AppError> {
        self.inner.get().await.map_err(|e| {
            AppError::Unavailable(anyhow::anyhow!("database pool {}: {e}", self.label))
        })
    }

    pub(crate) fn observe(&self, query: &str, elapsed: Duration) {
        if let Some(m) = &self.metrics {
            m.db_query
                .with_label_values(&[query, &self.label])
                .observe(elapsed.as_secs_f64());
        }
    }

    fn reading(&self) -> PoolReading {
        let state = self.inner.state();
        PoolReading {
            pool: self.label.to_string(),
            connections: state.connections,
            idle: state.idle_connections,
            waited: state.statistics.get_waited,
            timed_out: state.statistics.get_timed_out,
        }
    }

    pub fn label(&self) -> &str {
        &self.label
    }
}

#[derive(Clone)]
pub struct Pools {
    primary: PgPool,
    replicas: Arc<[PgPool]>,
    next_replica: Arc<AtomicUsize>,
}

impl Pools {
    /// Builds the pools without connecting: a database that is down shows as 503s and a failing
    /// `/readyz`, not as a process that will not start.
    pub fn new(
        settings: PoolSettings,
        primary_url: &str,
        replica_urls: &[String],
        metrics: Option<Arc<Metrics>>,
    ) -> Self {
        Self {
            primary: PgPool::new(settings, primary_url, "primary".into(), metrics.clone()),
            replicas: replica_urls
                .iter()
                .enumerate()
                .map(|(i, url)| PgPool::new(settings, url, format!("replica-{i}"), metrics.clone()))
                .collect(),
            next_replica: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// The pool for reads that may lag the primary slightly (round-robin over replicas).
    pub fn read(&self) -> &PgPool {
        if self.replicas.is_empty() {
            return &self.primary;
        }
        let i = self.next_replica.fetch_add(1, Ordering::Relaxed) % self.replicas.len();
        &self.replicas[i]
    }

    pub fn replicas(&self) -> &[PgPool] {
        &self.replicas
    }

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    pub fn readings(&self) -> Vec<PoolReading> {
        std::iter::once(&self.primary)
            .chain(self.replicas.iter())
            .map(PgPool::reading)
            .collect()
    }
}
