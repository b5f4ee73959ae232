//! Connection pools: writes go to the primary, catalog reads to a replica when one is configured.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::bb8::PooledConnection;

use crate::error::AppError;

pub type PgPool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;

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
pub struct Pools {
    primary: PgPool,
    replicas: Arc<[PgPool]>,
    next_replica: Arc<AtomicUsize>,
}

impl Pools {
    /// Builds the pools without connecting: a database that is down shows as 503s and a failing
    /// `/readyz`, not as a process that will not start.
    pub fn new(settings: PoolSettings, primary_url: &str, replica_urls: &[String]) -> Self {
        Self {
            primary: build(settings, primary_url),
            replicas: replica_urls
                .iter()
                .map(|url| build(settings, url))
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

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }
}

fn build(settings: PoolSettings, url: &str) -> PgPool {
    bb8::Pool::builder()
        .max_size(settings.max_size)
        .connection_timeout(settings.checkout_timeout)
        .build_unchecked(AsyncDieselConnectionManager::<AsyncPgConnection>::new(url))
}

/// A connection, or a 503: an exhausted or unreachable pool never hangs a request.
pub(crate) async fn checkout(
    pool: &PgPool,
) -> Result<PooledConnection<'_, AsyncPgConnection>, AppError> {
    pool.get()
        .await
        .map_err(|e| AppError::Unavailable(anyhow::anyhow!("database pool: {e}")))
}
