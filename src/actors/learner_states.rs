//! The learner states one school's actor keeps in memory: copies of committed rows, dropped on
//! every write and change heard of (see `learners` for the messages that use them).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use uuid::Uuid;

use super::flight::Flights;
use crate::ids::UserId;
use crate::learning::LearnerState;

/// In-memory learner state of one school.
pub struct Learners {
    /// With when each was last used: the least recently used are at the tail.
    pub(super) states: lru::LruCache<UserId, (Arc<LearnerState>, Instant)>,
    pub(super) loading: Flights<UserId, Arc<LearnerState>>,
    /// Bumped after every committed write and every change heard of: a load begun before it is
    /// not kept.
    pub(super) writes: u64,
    /// Positions heard since the last flush, by (learner, lesson).
    pub positions: HashMap<(UserId, Uuid), i32>,
}

/// Learners kept in memory per school; the least recently active are dropped first.
pub const LEARNERS_PER_SCHOOL: usize = 2_000;

impl Default for Learners {
    fn default() -> Self {
        Self {
            states: lru::LruCache::new(LEARNERS_PER_SCHOOL.try_into().expect("non-zero")),
            loading: Flights::default(),
            writes: 0,
            positions: HashMap::new(),
        }
    }
}

impl Learners {
    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Forgets learners not seen for `idle`; returns how many.
    pub fn evict_idle(&mut self, idle: std::time::Duration) -> usize {
        let mut evicted = 0;
        while self
            .states
            .peek_lru()
            .is_some_and(|(_, (_, used))| used.elapsed() >= idle)
        {
            self.states.pop_lru();
            evicted += 1;
        }
        evicted
    }
}
