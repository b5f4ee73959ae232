//! What every school actor needs, shared by all of them.

use std::sync::Arc;
use std::time::Duration;

use super::drain::Drain;
use crate::catalog::pages::Renderer;
use crate::db::Pools;
use crate::media::Media;
use crate::metrics::Metrics;
use crate::views::Views;

pub struct SchoolContext {
    pub pools: Pools,
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
    /// What rendering a page takes, from this context.
    pub fn renderer(&self) -> Renderer<'_> {
        Renderer {
            pools: &self.pools,
            views: &self.views,
            media: &self.media,
            compress: self.cache_bytes > 0,
        }
    }
}
