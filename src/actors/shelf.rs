//! What request workers read without asking the school's actor: its cached pages and learner
//! states, published as the actor loads and drops them. The actor stays the only writer (loads,
//! eviction, invalidation). A page older than the newest catalog version this instance knows of
//! is never handed out, even before the actor has processed that version; nor is a learner state
//! older than the version the request's session names.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::catalog::pages::{PageKey, Rendered};
use crate::ids::UserId;
use crate::learning::LearnerState;

pub struct Shelf {
    pages: RwLock<HashMap<PageKey, Arc<Rendered>>>,
    learners: RwLock<HashMap<UserId, Shelved>>,
    min_version: AtomicI64,
    /// When a worker last took a page, in ms since [`anchor`]: the actor counts it as use.
    last_hit: AtomicU64,
}

struct Shelved {
    state: Arc<LearnerState>,
    /// When a worker last took it, in ms since [`anchor`]: the actor counts it as use.
    hit: AtomicU64,
}

/// How often a hit stamps its time, at most: hits on other cores do not fight over the line, and
/// an actor (whose shortest idle limit is a few hundred milliseconds in tests) never mistakes a
/// busy shelf for an idle one.
const STAMP_EVERY_MS: u64 = 50;

fn anchor() -> Instant {
    static ANCHOR: OnceLock<Instant> = OnceLock::new();
    *ANCHOR.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    anchor().elapsed().as_millis() as u64
}

impl Shelf {
    pub fn new(min_version: i64) -> Self {
        Self {
            pages: RwLock::default(),
            learners: RwLock::default(),
            min_version: AtomicI64::new(min_version),
            last_hit: AtomicU64::new(now_ms()),
        }
    }

    pub fn get(&self, key: &PageKey) -> Option<Arc<Rendered>> {
        let page = self
            .pages
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)?
            .clone();
        if page.version < self.min_version.load(Ordering::Acquire) {
            return None;
        }
        let now = now_ms();
        if now.saturating_sub(self.last_hit.load(Ordering::Relaxed)) >= STAMP_EVERY_MS {
            self.last_hit.store(now, Ordering::Relaxed);
        }
        Some(page)
    }

    /// `user`'s state, if published and at least as new as `version`.
    pub fn learner(&self, user: UserId, version: i64) -> Option<Arc<LearnerState>> {
        let learners = self.learners.read().unwrap_or_else(PoisonError::into_inner);
        let shelved = learners.get(&user)?;
        if shelved.state.version < version {
            return None;
        }
        let now = now_ms();
        if now.saturating_sub(shelved.hit.load(Ordering::Relaxed)) >= STAMP_EVERY_MS {
            shelved.hit.store(now, Ordering::Relaxed);
        }
        Some(shelved.state.clone())
    }

    /// How long since a worker last took `user`'s state (`None`: never, or not published).
    pub(super) fn learner_idle_for(&self, user: UserId) -> Option<Duration> {
        let learners = self.learners.read().unwrap_or_else(PoisonError::into_inner);
        let hit = learners.get(&user)?.hit.load(Ordering::Relaxed);
        Some(Duration::from_millis(now_ms().saturating_sub(hit)))
    }

    pub(super) fn put_learner(&self, user: UserId, state: Arc<LearnerState>) {
        let shelved = Shelved {
            state,
            hit: AtomicU64::new(now_ms()),
        };
        self.learners_mut().insert(user, shelved);
    }

    pub(super) fn remove_learner(&self, user: UserId) {
        self.learners_mut().remove(&user);
    }

    pub(super) fn clear_learners(&self) {
        self.learners_mut().clear();
    }

    fn learners_mut(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<UserId, Shelved>> {
        self.learners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A newer catalog version exists: older pages stop being handed out at once.
    pub fn raise(&self, version: i64) {
        self.min_version.fetch_max(version, Ordering::AcqRel);
    }

    /// How long since a worker last took a page.
    pub fn idle_for(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.last_hit.load(Ordering::Relaxed)))
    }

    pub(super) fn put(&self, key: PageKey, page: Arc<Rendered>) {
        self.write().insert(key, page);
    }

    pub(super) fn remove(&self, keys: &[PageKey]) {
        if !keys.is_empty() {
            let mut pages = self.write();
            for key in keys {
                pages.remove(key);
            }
        }
    }

    pub(super) fn clear(&self) {
        self.write().clear();
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<PageKey, Arc<Rendered>>> {
        self.pages.write().unwrap_or_else(PoisonError::into_inner)
    }
}
