//! The sessions this instance has checked lately, held in memory so that a signed-in request
//! costs no database round trip. A copy, like every cache here:
//! - a fill that began before a forget is not kept, and a replica's word is not taken for an
//!   account changed lately (within twice the replica lag allowed): the primary is asked;
//! - an account's sessions are forgotten when `eduflow_session` announces a change to it — any
//!   writer, any instance: the triggers are in the `live_sessions` migration — and at once when
//!   this instance ends a session itself;
//! - everything is forgotten when the listener reconnects (announcements may have been missed);
//! - expiry is read from the clock on every hit: past the absolute expiry it is refused, and
//!   past the idle one the database decides (another instance may have moved the idle clock).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use lru::LruCache;
use uuid::Uuid;

use super::sessions::{CurrentUser, IDLE, TokenHash};
use crate::ids::{TenantId, UserId};

/// Sessions held per instance; the least recently used are checked in the database again.
pub const LIVE_SESSIONS: usize = 200_000;

/// A session as its last check in the primary found it.
#[derive(Debug, Clone)]
pub struct Live {
    pub tenant: TenantId,
    pub session: Uuid,
    pub user: CurrentUser,
    pub expires_at: DateTime<Utc>,
    /// Its idle clock, as far as this instance knows.
    pub last_seen: DateTime<Utc>,
}

/// A session found in memory.
#[derive(Debug)]
pub struct Hit {
    pub user: CurrentUser,
    pub session: Uuid,
    /// Its idle clock in the database is over a minute old: move it on.
    pub touch: bool,
}

pub struct LiveSessions {
    inner: Mutex<Inner>,
    capacity: usize,
    /// How long after a change a replica may still not show it.
    window: std::time::Duration,
    /// Bumped (under the lock) by every forget: a fill that began before one is not kept.
    generation: AtomicU64,
}

struct Inner {
    by_token: LruCache<TokenHash, Live>,
    by_user: HashMap<UserId, Vec<TokenHash>>,
    /// Accounts forgotten lately, and when; and when everything was.
    forgotten: HashMap<UserId, Instant>,
    cleared: Option<Instant>,
}

impl Inner {
    fn unlink(&mut self, token: &TokenHash, user: UserId) {
        if let Some(tokens) = self.by_user.get_mut(&user) {
            tokens.retain(|t| t != token);
            if tokens.is_empty() {
                self.by_user.remove(&user);
            }
        }
    }
}

impl LiveSessions {
    /// Holds up to `capacity` sessions, over replicas that may lag up to `replica_lag`.
    pub fn new(capacity: usize, replica_lag: std::time::Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                by_token: LruCache::unbounded(),
                by_user: HashMap::new(),
                forgotten: HashMap::new(),
                cleared: None,
            }),
            capacity,
            window: replica_lag * 2,
            generation: AtomicU64::new(0),
        }
    }

    /// Whether a replica's copy of `user`'s sessions can be kept: nothing of theirs changed
    /// within the window.
    pub fn trust_replica(&self, user: UserId) -> bool {
        let inner = self.lock();
        let recent = |at: &Instant| at.elapsed() < self.window;
        !inner.cleared.as_ref().is_some_and(recent)
            && !inner.forgotten.get(&user).is_some_and(recent)
    }

    fn remember(&self, inner: &mut Inner, user: UserId) {
        if inner.forgotten.len() >= 4_096 {
            let window = self.window;
            inner.forgotten.retain(|_, at| at.elapsed() < window);
        }
        inner.forgotten.insert(user, Instant::now());
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session behind `token` at `tenant`, if held and neither expired nor idle at `now`.
    /// A session of another school is not this school's: the database answers for it.
    pub fn get(&self, token: &TokenHash, tenant: TenantId, now: DateTime<Utc>) -> Option<Hit> {
        let mut inner = self.lock();
        let live = inner.by_token.get_mut(token)?;
        if live.tenant != tenant {
            return None;
        }
        if live.expires_at <= now || live.last_seen <= now - IDLE {
            let user = live.user.id;
            inner.by_token.pop(token);
            inner.unlink(token, user);
            return None;
        }
        let touch = live.last_seen < now - Duration::minutes(1);
        if touch {
            live.last_seen = now;
        }
        Some(Hit {
            user: live.user.clone(),
            session: live.session,
            touch,
        })
    }

    /// Where forgets stand: pass it to [`insert`](Self::insert) after reading the primary.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what the primary said of `token`, unless something was forgotten since `since`.
    pub fn insert(&self, token: TokenHash, live: Live, since: u64) {
        let mut inner = self.lock();
        if self.generation.load(Ordering::Acquire) != since {
            return;
        }
        let user = live.user.id;
        if let Some((old_token, old)) = inner.by_token.push(token, live) {
            inner.unlink(&old_token, old.user.id);
        }
        inner.by_user.entry(user).or_default().push(token);
        if inner.by_token.len() > self.capacity {
            if let Some((old_token, old)) = inner.by_token.pop_lru() {
                inner.unlink(&old_token, old.user.id);
            }
        }
    }

    fn forgetting(&self) -> MutexGuard<'_, Inner> {
        let inner = self.lock();
        self.generation.fetch_add(1, Ordering::AcqRel);
        inner
    }

    /// One session ended here (a logout).
    pub fn forget(&self, token: &TokenHash) {
        let mut inner = self.forgetting();
        if let Some(live) = inner.by_token.pop(token) {
            inner.unlink(token, live.user.id);
            self.remember(&mut inner, live.user.id);
        }
    }

    /// Every session of an account: it ended, or what it grants changed.
    pub fn forget_user(&self, user: UserId) {
        let mut inner = self.forgetting();
        for token in inner.by_user.remove(&user).unwrap_or_default() {
            inner.by_token.pop(&token);
        }
        self.remember(&mut inner, user);
    }

    /// The account's learner state reached `version`: its sessions ask for at least that.
    pub fn learner_changed(&self, user: UserId, version: i64) {
        let mut inner = self.forgetting();
        let tokens = inner.by_user.get(&user).cloned().unwrap_or_default();
        for token in tokens {
            if let Some(live) = inner.by_token.peek_mut(&token) {
                live.user.state_version = live.user.state_version.max(version);
            }
        }
    }

    /// Announcements may have been missed: everything is checked again.
    pub fn clear(&self) {
        let mut inner = self.forgetting();
        inner.by_token.clear();
        inner.by_user.clear();
        inner.cleared = Some(Instant::now());
    }

    pub fn len(&self) -> usize {
        self.lock().by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::sessions::Role;

    const LAG: std::time::Duration = std::time::Duration::from_secs(10);

    fn live(tenant: TenantId, user: UserId, now: DateTime<Utc>) -> Live {
        Live {
            tenant,
            session: Uuid::new_v4(),
            user: CurrentUser {
                id: user,
                name: "Ada".into(),
                email: "ada@example.org".into(),
                role: Role::Learner,
                csrf: "c".into(),
                state_version: 1,
                verified: true,
                locale: crate::i18n::Locale::SOURCE,
            },
            expires_at: now + Duration::days(30),
            last_seen: now,
        }
    }

    #[test]
    fn holds_sessions_until_their_account_is_forgotten() {
        let (live_sessions, now) = (LiveSessions::new(10, LAG), Utc::now());
        let (school, other, ada, bob) = (
            TenantId::new(),
            TenantId::new(),
            UserId::new(),
            UserId::new(),
        );
        let since = live_sessions.generation();
        live_sessions.insert([1; 32], live(school, ada, now), since);
        live_sessions.insert([2; 32], live(school, ada, now), since);
        live_sessions.insert([3; 32], live(school, bob, now), since);
        assert!(live_sessions.get(&[1; 32], school, now).is_some());
        assert!(
            live_sessions.get(&[1; 32], other, now).is_none(),
            "another school's cookie"
        );
        live_sessions.learner_changed(ada, 5);
        assert_eq!(
            live_sessions
                .get(&[2; 32], school, now)
                .unwrap()
                .user
                .state_version,
            5
        );
        live_sessions.forget_user(ada);
        assert!(live_sessions.get(&[1; 32], school, now).is_none());
        assert!(live_sessions.get(&[2; 32], school, now).is_none());
        assert!(live_sessions.get(&[3; 32], school, now).is_some());
        live_sessions.forget(&[3; 32]);
        assert!(live_sessions.is_empty());
        // Lately changed: a replica may not show it yet.
        assert!(!live_sessions.trust_replica(ada) && !live_sessions.trust_replica(bob));
        assert!(live_sessions.trust_replica(UserId::new()));
        live_sessions.clear();
        assert!(!live_sessions.trust_replica(UserId::new()));
        let quick = LiveSessions::new(10, std::time::Duration::ZERO);
        quick.forget_user(ada);
        assert!(quick.trust_replica(ada));
    }

    #[test]
    fn a_fill_that_began_before_a_forget_is_not_kept() {
        let (live_sessions, now) = (LiveSessions::new(10, LAG), Utc::now());
        let (school, ada) = (TenantId::new(), UserId::new());
        let since = live_sessions.generation();
        live_sessions.forget_user(ada);
        live_sessions.insert([1; 32], live(school, ada, now), since);
        assert!(live_sessions.is_empty());
    }

    #[test]
    fn expiry_is_read_from_the_clock() {
        let (live_sessions, now) = (LiveSessions::new(10, LAG), Utc::now());
        let (school, ada) = (TenantId::new(), UserId::new());
        let mut ending = live(school, ada, now);
        ending.expires_at = now + Duration::seconds(5);
        live_sessions.insert([1; 32], ending, 0);
        let mut idle = live(school, ada, now - Duration::minutes(2));
        idle.last_seen = now - Duration::minutes(2);
        live_sessions.insert([2; 32], idle, 0);
        assert!(live_sessions.get(&[2; 32], school, now).unwrap().touch);
        assert!(!live_sessions.get(&[2; 32], school, now).unwrap().touch);
        assert!(live_sessions.get(&[1; 32], school, now).is_some());
        let later = now + Duration::seconds(6);
        assert!(live_sessions.get(&[1; 32], school, later).is_none());
        assert!(
            live_sessions
                .get(&[2; 32], school, now + IDLE + Duration::seconds(1))
                .is_none()
        );
        assert!(live_sessions.is_empty());
    }

    #[test]
    fn the_least_recently_used_make_room() {
        let (live_sessions, now) = (LiveSessions::new(2, LAG), Utc::now());
        let school = TenantId::new();
        for n in 0..3u8 {
            live_sessions.insert([n; 32], live(school, UserId::new(), now), 0);
        }
        assert_eq!(live_sessions.len(), 2);
        assert!(live_sessions.get(&[0; 32], school, now).is_none());
        assert_eq!(live_sessions.lock().by_user.len(), 2);
    }
}
