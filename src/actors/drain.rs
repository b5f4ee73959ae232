//! Work an actor leaves behind when it stops (its unsaved playback positions). An actor stops
//! with its worker's arbiter at shutdown, when nothing spawned there would run any more, so the
//! work goes to the runtime that built the application, and `run_until_stopped` waits for it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

pub struct Drain {
    runtime: tokio::runtime::Handle,
    pending: Arc<(AtomicUsize, Notify)>,
}

impl Drain {
    /// Captures the current runtime: call it from the one that outlives the HTTP workers.
    pub fn here() -> Self {
        Self {
            runtime: tokio::runtime::Handle::current(),
            pending: Arc::default(),
        }
    }

    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let pending = self.pending.clone();
        pending.0.fetch_add(1, Ordering::SeqCst);
        self.runtime.spawn(async move {
            work.await;
            if pending.0.fetch_sub(1, Ordering::SeqCst) == 1 {
                pending.1.notify_waiters();
            }
        });
    }

    /// Waits until everything handed over has finished, or `limit` passes. Returns how many
    /// pieces of work were still running then.
    pub async fn wait(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.pending.1.notified();
            let left = self.pending.0.load(Ordering::SeqCst);
            if left == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return left;
            }
        }
    }
}
