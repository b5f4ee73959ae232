//! What every school actor needs, shared by all of them.

use std::sync::Arc;
use std::time::Duration;

use super::drain::Drain;
use crate::catalog::pages::Renderer;
use crate::db::{Clusters, Pools};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::media::Media;
use crate::metrics::Metrics;
use crate::views::Views;

pub struct SchoolContext {
    /// Each school's pools are those of its cluster.
    pub clusters: Arc<Clusters>,
    pub views: Arc<Views>,
    /// Memory cap of each school's page cache; 0 disables caching.
    pub cache_bytes: usize,
    /// An actor that has served nothing for this long stops.
    pub idle: Duration,
    pub metrics: Arc<Metrics>,
    /// How often batched playback positions are written.
    pub position_flush: Duration,
    /// Signs the image links in rendered pages.
    pub media: Arc<Media>,
    /// Pages are dropped after this long, before the signed links in them expire.
    pub page_max_age: Duration,
    /// Runs what a stopping actor leaves to write.
    pub drain: Drain,
}

impl SchoolContext {
    /// The pools of `tenant`'s cluster.
    pub fn pools(&self, tenant: TenantId) -> Result<Arc<Pools>, AppError> {
        self.clusters.of(tenant)
    }

    /// What rendering `tenant`'s pages takes, from this context.
    pub fn renderer(&self, tenant: TenantId) -> Result<Renderer<'_>, AppError> {
        Ok(Renderer {
            pools: self.pools(tenant)?,
            views: &self.views,
            media: &self.media,
            compress: self.cache_bytes > 0,
        })
    }
}
