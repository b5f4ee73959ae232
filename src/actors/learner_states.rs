//! The learner states one school's actor keeps in memory: copies of committed rows, dropped on
//! every write and change heard of (see `learners` for the messages that use them), and
//! published on the school's shelf for request workers to read without a message.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use uuid::Uuid;

use super::flight::Flights;
use super::shelf::Shelf;
use crate::ids::UserId;
use crate::learning::LearnerState;

/// In-memory learner state of one school.
pub struct Learners {
    /// With when each was last used: the least recently used are at the tail.
    states: lru::LruCache<UserId, (Arc<LearnerState>, Instant)>,
    shelf: Arc<Shelf>,
    pub(super) loading: Flights<UserId, Arc<LearnerState>>,
    /// Bumped after every committed write and every change heard of: a load begun before it is
    /// not kept.
    pub(super) writes: u64,
    /// Positions heard since the last flush, by (learner, lesson).
    pub positions: HashMap<(UserId, Uuid), i32>,
}

/// Learners kept in memory per school; the least recently active are dropped first.
pub const LEARNERS_PER_SCHOOL: usize = 2_000;

impl Learners {
    pub fn new(shelf: Arc<Shelf>) -> Self {
        Self {
            // Grown as learners come: ten thousand mostly idle schools must not each reserve
            // room for their busiest day.
            states: lru::LruCache::unbounded(),
            shelf,
            loading: Flights::default(),
            writes: 0,
            positions: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// `user`'s state if held, marked as used now.
    pub(super) fn get(&mut self, user: UserId) -> Option<Arc<LearnerState>> {
        let (state, used) = self.states.get_mut(&user)?;
        *used = Instant::now();
        Some(state.clone())
    }

    pub(super) fn peek(&self, user: UserId) -> Option<&Arc<LearnerState>> {
        self.states.peek(&user).map(|(state, _)| state)
    }

    /// Holds and publishes `state`; the least recently used learner may make room.
    pub(super) fn put(&mut self, user: UserId, state: Arc<LearnerState>) {
        self.shelf.put_learner(user, state.clone());
        self.states.push(user, (state, Instant::now()));
        if self.states.len() > LEARNERS_PER_SCHOOL {
            if let Some((evicted, _)) = self.states.pop_lru() {
                self.shelf.remove_learner(evicted);
            }
        }
    }

    /// Changes a held state in place (a flushed playback position) and publishes the result.
    pub(super) fn update(&mut self, user: UserId, change: impl FnOnce(&mut LearnerState)) {
        if let Some((state, _)) = self.states.peek_mut(&user) {
            change(Arc::make_mut(state));
            self.shelf.put_learner(user, state.clone());
        }
    }

    /// Drops `user`'s state; `true` if it was held.
    pub(super) fn remove(&mut self, user: UserId) -> bool {
        self.shelf.remove_learner(user);
        self.states.pop(&user).is_some()
    }

    pub(super) fn clear(&mut self) {
        self.shelf.clear_learners();
        self.states.clear();
    }

    /// Forgets learners not seen for `idle`, here or on the shelf; returns how many.
    pub fn evict_idle(&mut self, idle: std::time::Duration) -> usize {
        let mut evicted = 0;
        while let Some((&user, (_, used))) = self.states.peek_lru() {
            if used.elapsed() < idle {
                break;
            }
            match self.shelf.learner_idle_for(user).filter(|d| *d < idle) {
                // Taken from the shelf lately: as recent as that.
                Some(since) => {
                    let (_, used) = self.states.get_mut(&user).expect("just peeked");
                    *used = Instant::now() - since;
                }
                None => {
                    self.remove(user);
                    evicted += 1;
                }
            }
        }
        evicted
    }
}
