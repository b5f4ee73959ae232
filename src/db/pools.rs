//! Connection pools: writes go to the primary, reads that may lag go to a replica of this
//! instance's region when one is configured and healthy. Each pool knows its label (`primary`,
//! `replica-0`, …) for metrics, and whether its database is down: while it is, checkouts give up
//! after a short wait instead of the full pool timeout, so an outage answers fast 503s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel_async::pooled_connection::bb8::PooledConnection;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use super::connect::Target;
use crate::error::AppError;
use crate::ids::TenantId;
use crate::metrics::{Metrics, PoolReading};

type Manager = AsyncDieselConnectionManager<AsyncPgConnection>;

/// What sits between EduFlow and PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Pooler {
    /// A direct connection (or a session-mode pooler).
    #[default]
    None,
    /// A transaction-mode pooler such as PgBouncer: no prepared statement outlives its
    /// transaction, and connection checks use the simple query protocol.
    Transaction,
}

#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_size: u32,
    pub checkout_timeout: Duration,
    pub pooler: Pooler,
    pub limits: Limits,
    /// Transactions one school may run at once on a pool (0: no limit).
    pub school_budget: usize,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 10,
            checkout_timeout: Duration::from_secs(2),
            pooler: Pooler::None,
            limits: Limits::default(),
            school_budget: 0,
        }
    }
}

/// Server-side limits set at the start of every transaction (`set_config(…, true)`, so they hold
/// through a transaction-mode pooler and end with the transaction). Zero leaves the server's
/// setting.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// `statement_timeout`: a statement running longer is cancelled (the request gets a 503).
    pub statement: Duration,
    /// `lock_timeout`: a statement waiting longer for a lock (an operator's `LOCK`, a long
    /// transaction) is cancelled instead of holding its connection.
    pub lock: Duration,
}

impl Limits {
    /// How long a transaction may go unanswered before EduFlow gives up on the server: twice the
    /// statement limit (the server itself would have cut a statement at once). None without a
    /// statement limit (owner-side commands, whose work may be long).
    pub fn answered_within(&self) -> Option<Duration> {
        (!self.statement.is_zero()).then(|| self.statement * 2)
    }
}

/// While a database is down, a checkout waits this long at most (it still asks the pool, which
/// is how recovery is noticed).
const DOWN_CHECKOUT: Duration = Duration::from_millis(100);

/// Whether the pool's database answered lately. A failed connect sets it (a failed check of an
/// idle connection does not: the pool just opens another); a successful checkout clears it.
#[derive(Debug, Default)]
struct Health {
    down: AtomicBool,
    /// Wakes checkouts waiting on a connect that has just failed.
    went_down: tokio::sync::Notify,
}

#[derive(Debug, Clone)]
struct DownSink(Arc<Health>);

impl bb8::ErrorSink<PoolError> for DownSink {
    fn sink(&self, error: PoolError) {
        if let PoolError::ConnectionError(e) = &error {
            if !self.0.down.swap(true, Ordering::Relaxed) {
                tracing::warn!(error = %e, "cannot connect to the database");
            }
            self.0.went_down.notify_waiters();
        }
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<PoolError>> {
        Box::new(self.clone())
    }
}

#[derive(Clone)]
pub struct PgPool {
    inner: bb8::Pool<Manager>,
    label: Arc<str>,
    metrics: Option<Arc<Metrics>>,
    health: Arc<Health>,
    checkout_timeout: Duration,
    limits: Limits,
    budget: Arc<super::budget::Budget>,
    /// Its URL asks for a writable server (`target_session_attrs=read-write`).
    wants_writes: bool,
    /// The cluster it reaches, with what the door checks there (see `db::clusters`); none for
    /// owner-side commands, which name their cluster themselves.
    cluster: Option<Arc<Home>>,
}

/// A request pool's cluster: the schools placed there and the bound shared by every cluster.
pub(super) struct Home {
    pub(super) name: super::placement::ClusterName,
    pub(super) placement: Arc<super::placement::Placement>,
    pub(super) total: Arc<tokio::sync::Semaphore>,
}

/// Longest a pooled connection's check may take before the connection is dropped: a server that
/// does not answer (frozen, cut off) must not keep lending out connections that hang.
const CHECK_LIMIT: Duration = Duration::from_secs(1);

fn manager(url: &str, target: Option<Target>, pooler: Pooler) -> Manager {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    let check = target.as_ref().map_or("SELECT 1", Target::check);
    config.recycling_method = RecyclingMethod::CustomFunction(Box::new(move |conn| {
        async move {
            match tokio::time::timeout(CHECK_LIMIT, conn.batch_execute(check)).await {
                Ok(checked) => checked,
                Err(_) => Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ClosedConnection,
                    Box::new(format!("no answer to a check within {CHECK_LIMIT:?}")),
                )),
            }
        }
        .boxed()
    }));
    // A URL that does not parse is refused by the default set-up, which reports why.
    if let Some(target) = target {
        config.custom_setup = Box::new(move |_| {
            let target = target.clone();
            async move {
                match pooler {
                    Pooler::None => target.establish().await,
                    Pooler::Transaction => establish_through_pooler(&target).await,
                }
            }
            .boxed()
        });
    }
    Manager::new_with_config(url, config)
}

/// A connection for a transaction-mode pooler. diesel-async's own set-up sends two `SET`s as
/// prepared statements, each in two round trips; between them such a pooler may hand the
/// server connection to someone else ("prepared statement … does not exist"). Inside one
/// transaction they stay on one server connection. Later statements are never cached, and every
/// query EduFlow sends runs inside a transaction, so none outlives it.
async fn establish_through_pooler(target: &Target) -> diesel::ConnectionResult<AsyncPgConnection> {
    use diesel::ConnectionError;
    let bad = |e: &dyn std::fmt::Display| ConnectionError::BadConnection(e.to_string());
    let (client, connection) = target.open().await.map_err(|e| bad(&format!("{e:#}")))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "database connection closed");
        }
    });
    client.batch_execute("BEGIN").await.map_err(|e| bad(&e))?;
    let mut conn = AsyncPgConnection::try_from(client).await?;
    conn.batch_execute("COMMIT").await.map_err(|e| bad(&e))?;
    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
    Ok(conn)
}

impl PgPool {
    pub(super) fn new(
        settings: PoolSettings,
        url: &str,
        label: String,
        metrics: Option<Arc<Metrics>>,
        cluster: Option<Arc<Home>>,
        idle: Option<Duration>,
    ) -> Self {
        let health = Arc::new(Health::default());
        let target = Target::parse(url).ok();
        let wants_writes = target.as_ref().is_some_and(Target::wants_writes);
        let mut builder = bb8::Pool::builder();
        if let Some(idle) = idle {
            builder = builder.idle_timeout(Some(idle)).reaper_rate(idle / 2);
        }
        let inner = builder
            .max_size(settings.max_size)
            .connection_timeout(settings.checkout_timeout)
            .error_sink(Box::new(DownSink(health.clone())))
            .build_unchecked(manager(url, target, settings.pooler));
        Self {
            inner,
            label: label.into(),
            metrics,
            health,
            checkout_timeout: settings.checkout_timeout,
            limits: settings.limits,
            budget: Arc::new(super::budget::Budget::new(settings.school_budget)),
            wants_writes,
            cluster,
        }
    }

    /// Refuses `tenant`'s transaction on a cluster it is not placed on, whoever picked this pool:
    /// its id would reach another cluster's rows (or none, and writes would land in the wrong
    /// place).
    pub(crate) fn admit(&self, tenant: TenantId) -> Result<(), AppError> {
        match &self.cluster {
            Some(home) if !home.placement.admits(&home.name, tenant) => {
                Err(AppError::internal(anyhow::anyhow!(
                    "school {tenant} is not on cluster {} (pool {})",
                    home.name,
                    self.label
                )))
            }
            _ => Ok(()),
        }
    }

    /// A place among the transactions all clusters run at once, waiting no longer than a
    /// checkout would.
    pub(crate) async fn enter_fleet(
        &self,
    ) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, AppError> {
        let Some(home) = &self.cluster else {
            return Ok(None);
        };
        match tokio::time::timeout(self.checkout_timeout, home.total.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => Ok(Some(permit)),
            _ => Err(AppError::Unavailable(anyhow::anyhow!(
                "database pool {}: every cluster's connections are busy",
                self.label
            ))),
        }
    }

    /// A slot in `tenant`'s budget of concurrent work on this pool (see `db::budget`).
    pub(crate) async fn enter(
        &self,
        tenant: TenantId,
    ) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, AppError> {
        self.budget.enter(tenant, self.checkout_timeout).await
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Whether its connections must be writable (its URL says `target_session_attrs=read-write`).
    pub(crate) fn wants_writes(&self) -> bool {
        self.wants_writes
    }

    /// Whether the database answers a query within `limit`, whatever it is doing: a full pool, a
    /// server that does not answer, a connect that hangs all end in `Unavailable` in time.
    pub async fn ping(&self, limit: Duration) -> Result<(), AppError> {
        let probe = async {
            let mut conn = self.inner.get().await.map_err(|e| {
                AppError::Unavailable(anyhow::anyhow!("database pool {}: {e}", self.label))
            })?;
            // In a transaction: a probe abandoned mid-flight leaves the connection "in a
            // transaction", so the pool discards it instead of lending it out again.
            conn.transaction(async |conn| {
                let ms = limit.as_millis().to_string();
                diesel_async::RunQueryDsl::execute(
                    diesel::sql_query("SELECT set_config('statement_timeout', $1, true)")
                        .bind::<diesel::sql_types::Text, _>(ms),
                    conn,
                )
                .await
            })
            .await
            .map_err(AppError::from)
        };
        match tokio::time::timeout(limit, probe).await {
            Ok(result) => result.map(|_| ()),
            Err(_) => Err(AppError::Unavailable(anyhow::anyhow!(
                "database pool {}: no answer within {limit:?}",
                self.label
            ))),
        }
    }

    /// A connection outside the door (tests hold one to exhaust the pool).
    pub async fn get(
        &self,
    ) -> Result<PooledConnection<'_, AsyncPgConnection>, bb8::RunError<PoolError>> {
        self.inner.get().await
    }

    /// A connection, or a 503: an exhausted or unreachable pool never hangs a request.
    pub(crate) async fn checkout(
        &self,
    ) -> Result<PooledConnection<'_, AsyncPgConnection>, AppError> {
        let limit = if self.is_down() {
            DOWN_CHECKOUT.min(self.checkout_timeout)
        } else {
            self.checkout_timeout
        };
        let unavailable = |e: &dyn std::fmt::Display| {
            AppError::Unavailable(anyhow::anyhow!("database pool {}: {e}", self.label))
        };
        // A connect that fails while this checkout waits ends the wait at once: the pool would
        // only retry until the timeout.
        let went_down = self.health.went_down.notified();
        let got = tokio::time::timeout(limit, async {
            tokio::select! {
                got = self.inner.get() => Some(got),
                () = went_down => None,
            }
        })
        .await;
        match got {
            Ok(Some(Ok(conn))) => {
                self.health.down.store(false, Ordering::Relaxed);
                Ok(conn)
            }
            Ok(Some(Err(e))) => Err(unavailable(&e)),
            Ok(None) => Err(unavailable(&"the database refused the connection")),
            Err(_) => {
                // With no connection at all, nobody was busy: the server is unreachable without
                // refusing. A merely busy pool keeps its full wait.
                if self.inner.state().connections == 0 {
                    self.health.down.store(true, Ordering::Relaxed);
                }
                Err(unavailable(&"timed out waiting for a connection"))
            }
        }
    }

    /// The database did not answer lately (a failed connect or check, no success since).
    pub fn is_down(&self) -> bool {
        self.health.down.load(Ordering::Relaxed)
    }

    pub(crate) fn observe(&self, query: &str, elapsed: Duration) {
        if let Some(m) = &self.metrics {
            m.db_query
                .with_label_values(&[query, &self.label])
                .observe(elapsed.as_secs_f64());
        }
    }

    pub(super) fn reading(&self) -> PoolReading {
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
