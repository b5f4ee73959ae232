//! The time rules are judged by (drip schedules, quiz and certificate dates). Production reads
//! the system clock; tests move an adjustable one forward instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Seconds added to the system clock (`None`: the system clock itself).
    offset: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that starts at the system's time and moves on with it, plus whatever
    /// [`Clock::advance`] added.
    pub fn adjustable() -> Self {
        Self {
            offset: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let offset = self
            .offset
            .as_ref()
            .map_or(0, |o| o.load(Ordering::Relaxed));
        Utc::now() + chrono::Duration::seconds(offset)
    }

    /// Moves an adjustable clock forward (every copy sees it).
    ///
    /// # Panics
    /// On the system clock, which no one may move.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset
            .as_ref()
            .expect("only an adjustable clock moves")
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
