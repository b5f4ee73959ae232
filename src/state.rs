//! What every request handler shares: built once by `startup`, handed to handlers as
//! `web::Data<AppState>`. It sits below the handlers and above the actors and domain modules, so
//! nothing it names reaches back up to the web layer.

use std::net::IpAddr;
use std::sync::Arc;

use crate::accounts::live::LiveSessions;
use crate::accounts::sessions::CookiePolicy;
use crate::accounts::throttle::{LoginThrottle, SignupLimit};
use crate::actors::registry::Registry;
use crate::api_tokens::live::LiveTokens;
use crate::assessment::certificates::Printer;
use crate::clock::Clock;
use crate::db::budget::Budget;
use diesel_async::AsyncPgConnection;

use crate::db::door::TxWork;
use crate::db::{Clusters, Pools, tenant_tx};
use crate::freshness::SeenKey;
use crate::ids::TenantId;
use crate::learning::unsubscribe::UnsubscribeKey;
use crate::mail::Composer;
use crate::media::Media;
use crate::metrics::Metrics;
use crate::tenancy::Directory;
use crate::views::Views;

/// Which of a school's cluster's servers a transaction runs on (see [`AppState::school_tx`]).
pub enum Side {
    Primary(TenantId),
    Replica(TenantId),
}

/// A school's reads that may go to a replica.
pub struct OnReplica(pub TenantId);

impl From<TenantId> for Side {
    fn from(tenant: TenantId) -> Self {
        Self::Primary(tenant)
    }
}

impl From<OnReplica> for Side {
    fn from(OnReplica(tenant): OnReplica) -> Self {
        Self::Replica(tenant)
    }
}

/// Shared by every request handler.
pub struct AppState {
    pub directory: Arc<Directory>,
    pub registry: Arc<Registry>,
    /// Each cluster's pools, and which cluster each school is on (see `db::clusters`).
    pub clusters: Arc<Clusters>,
    pub views: Arc<Views>,
    pub metrics: Arc<Metrics>,
    pub trusted_proxies: Vec<IpAddr>,
    pub cookies: CookiePolicy,
    /// The sessions this instance has checked, kept coherent by `apply_changes` in `startup`.
    pub sessions: Arc<LiveSessions>,
    /// The API tokens this instance has checked, and their budgets; kept coherent likewise.
    pub api_tokens: Arc<LiveTokens>,
    /// Webhook endpoints may be on private addresses (see `outbound`).
    pub webhooks_allow_private: bool,
    /// What this instance knows of schools' identity providers (see `sso::directory`).
    pub sso: Arc<crate::sso::directory::Directory>,
    pub throttle: LoginThrottle,
    pub signups: SignupLimit,
    /// Requests of one school handled at once on this instance (see `web::gate::fair`).
    pub school_requests: Budget,
    /// Password hashes running at once (see `accounts::password::off_thread`).
    pub hashing: tokio::sync::Semaphore,
    pub media: Arc<Media>,
    /// Where this instance is: a school's state-changing requests are replayed to its
    /// cluster's primary region when that is elsewhere (see [`AppState::replay_to`]).
    pub writes: crate::regions::Writes,
    /// Signs the read-your-writes cookie.
    pub seen_key: SeenKey,
    /// Renders the schools' mail (see `mail`).
    pub mail: Arc<Composer>,
    /// Signs the unsubscribe links of course announcements.
    pub unsubscribe: Arc<UnsubscribeKey>,
    /// What "now" is for drip schedules and certificates.
    pub clock: Clock,
    /// LTI platform keys, hints and the tools' keys (see `lti`).
    pub lti: Arc<crate::lti::Platform>,
}

impl AppState {
    /// The pools of the cluster `tenant` is on: the only ones its transactions may use.
    pub fn pools(
        &self,
        tenant: crate::ids::TenantId,
    ) -> Result<Arc<Pools>, crate::error::AppError> {
        self.clusters.of(tenant)
    }

    /// Runs `work` in a transaction scoped to the school on its own cluster: on the primary, or
    /// for `OnReplica(tenant)` on a replica when reading from one is consistent (see
    /// `Pools::read`). Handlers name the school once and never pick a pool.
    pub async fn school_tx<R, F>(
        &self,
        school: impl Into<Side>,
        query: &'static str,
        work: F,
    ) -> Result<R, crate::error::AppError>
    where
        R: Send,
        F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> TxWork<'r, R> + Send,
    {
        match school.into() {
            Side::Primary(tenant) => {
                tenant_tx(self.pools(tenant)?.primary(), tenant, query, work).await
            }
            Side::Replica(tenant) => {
                tenant_tx(self.pools(tenant)?.read(), tenant, query, work).await
            }
        }
    }

    /// The region `school`'s writes are replayed to (`None`: they run here). Without a school
    /// (the platform's own pages), the directory cluster's.
    pub fn replay_to(&self, school: Option<&crate::tenancy::Tenant>) -> Option<String> {
        let cluster = school.map_or_else(crate::db::ClusterName::main, |s| s.cluster.clone());
        let region = self.clusters.record(&cluster).map(|r| r.region)?;
        self.writes.replay_to(&region)
    }

    /// What drawing and storing certificates takes, from this state, for `tenant`'s cluster.
    pub fn printer(
        &self,
        tenant: crate::ids::TenantId,
    ) -> Result<Printer<'_>, crate::error::AppError> {
        Ok(Printer {
            pool: self.pools(tenant)?.primary().clone(),
            media: &self.media,
            mail: &self.mail,
            metrics: &self.metrics,
        })
    }
}
