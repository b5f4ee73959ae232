//! Image variants being computed, so concurrent requests for one share the work.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::image::Format;
use super::key::MediaKey;
use crate::error::AppError;

pub type Computed = Arc<OnceCell<Result<MediaKey, AppError>>>;

/// Variant computations in progress, by (source key, width, format).
#[derive(Default)]
pub struct Inflight(Mutex<HashMap<VariantId, Computed>>);

pub type VariantId = (String, u32, Format);

impl Inflight {
    /// The computation of `id`: a running one, or a new one to run.
    pub fn join(&self, id: &VariantId) -> Computed {
        self.lock().entry(id.clone()).or_default().clone()
    }

    /// Forgets `id`'s computation once it has answered (its result is in the store by then).
    pub fn finish(&self, id: &VariantId) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<VariantId, Computed>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
