//! What the senders that call out to schools' own services (webhook endpoints, learning record
//! stores) work with: the databases, the schools and their public addresses, the metrics and
//! pinned HTTP clients; and their turn-taking at an outbox.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::db::Clusters;
use crate::ids::TenantId;
use crate::mail::Composer;
use crate::metrics::Metrics;
use crate::outbound::Clients;
use crate::tenancy::Directory;
use crate::turns::serve_outbox;

pub struct Courier {
    pub clusters: Arc<Clusters>,
    pub directory: Arc<Directory>,
    pub metrics: Arc<Metrics>,
    /// Knows each school's public address (links in mail, the home page of learners' accounts).
    pub mail: Arc<Composer>,
    pub clients: Clients,
}

impl Courier {
    /// Serves the outbox whose schools with rows due `function` lists, a `batch` per turn,
    /// until `stop` turns true (between batches).
    pub async fn serve<B, BF>(
        &self,
        (wake, stop): (mpsc::UnboundedReceiver<TenantId>, watch::Receiver<bool>),
        every: Duration,
        function: &'static str,
        batch: B,
    ) where
        B: FnMut(TenantId) -> BF,
        BF: Future<Output = bool>,
    {
        serve_outbox(wake, stop, every, (&self.clusters, function), batch).await;
    }
}
