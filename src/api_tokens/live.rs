//! The tokens this instance has checked lately, and each token's request budget. A copy, like
//! every cache here:
//! - a school's tokens are forgotten when `eduflow_api_token` announces a change to any of them
//!   (any writer: the trigger is in the `api_tokens` migration) and at once when this instance
//!   revokes one itself; a fill that began before a forget is not kept;
//! - everything is forgotten when the listener reconnects;
//! - expiry is read from the clock on every hit.
//!
//! The budget is per token and per instance: a token used through N instances gets up to N
//! times the rate (docs/integration.md says so).

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use lru::LruCache;
use uuid::Uuid;

use super::Grant;
use crate::accounts::sessions::TokenHash;
use crate::ids::TenantId;

/// Tokens held per instance.
pub const LIVE_TOKENS: usize = 10_000;

pub struct LiveTokens {
    grants: Mutex<LruCache<TokenHash, Grant>>,
    /// Bumped (under the lock) by every forget: a fill that began before one is not kept.
    generation: AtomicU64,
    budgets: Mutex<HashMap<Uuid, Budget>>,
    per_minute: u32,
}

/// A token bucket: up to a minute's requests at once, refilled continuously.
#[derive(Debug, Clone, Copy)]
struct Budget {
    left: f64,
    at: Instant,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LiveTokens {
    /// Holds up to `capacity` tokens; each may make `per_minute` requests a minute here.
    pub fn new(capacity: usize, per_minute: u32) -> Self {
        Self {
            grants: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity.max(1)).expect("positive"),
            )),
            generation: AtomicU64::new(0),
            budgets: Mutex::new(HashMap::new()),
            per_minute: per_minute.max(1),
        }
    }

    /// The grant held for `hash` at `tenant`. Another school's token is not this school's.
    pub fn get(&self, hash: &TokenHash, tenant: TenantId) -> Option<Grant> {
        lock(&self.grants)
            .get(hash)
            .filter(|g| g.tenant == tenant)
            .cloned()
    }

    /// Where forgets stand: pass it to [`insert`](Self::insert) after reading the database.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what the database said of `hash`, unless something was forgotten since `since`.
    pub fn insert(&self, hash: TokenHash, grant: Grant, since: u64) {
        let mut grants = lock(&self.grants);
        if self.generation.load(Ordering::Acquire) == since {
            grants.put(hash, grant);
        }
    }

    /// Forgets `tenant`'s tokens (one of them changed).
    pub fn forget_school(&self, tenant: TenantId) {
        let mut grants = lock(&self.grants);
        self.generation.fetch_add(1, Ordering::AcqRel);
        let gone: Vec<TokenHash> = grants
            .iter()
            .filter(|(_, g)| g.tenant == tenant)
            .map(|(h, _)| *h)
            .collect();
        for hash in gone {
            grants.pop(&hash);
        }
    }

    /// Forgets every token (announcements may have been missed).
    pub fn clear(&self) {
        let mut grants = lock(&self.grants);
        self.generation.fetch_add(1, Ordering::AcqRel);
        grants.clear();
    }

    /// Spends one request of `token`'s budget; `Err(seconds)` when it has none left.
    pub fn admit(&self, token: Uuid) -> Result<(), u64> {
        let rate = f64::from(self.per_minute) / 60.0;
        let full = f64::from(self.per_minute);
        let now = Instant::now();
        let mut budgets = lock(&self.budgets);
        if budgets.len() > 4 * LIVE_TOKENS {
            budgets.retain(|_, b| now.duration_since(b.at).as_secs() < 60);
        }
        let budget = budgets.entry(token).or_insert(Budget {
            left: full,
            at: now,
        });
        budget.left = (budget.left + now.duration_since(budget.at).as_secs_f64() * rate).min(full);
        budget.at = now;
        if budget.left >= 1.0 {
            budget.left -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - budget.left) / rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(tenant: TenantId) -> Grant {
        Grant {
            token: Uuid::new_v4(),
            tenant,
            name: "sis".into(),
            scopes: vec![super::super::Scope::UsersRead],
            expires_at: None,
        }
    }

    #[test]
    fn a_token_is_only_its_schools_and_a_forget_beats_a_slow_fill() {
        let live = LiveTokens::new(10, 60);
        let (a, b) = (TenantId::new(), TenantId::new());
        let since = live.generation();
        live.insert([1; 32], grant(a), since);
        assert!(live.get(&[1; 32], a).is_some());
        assert!(live.get(&[1; 32], b).is_none());
        // A fill read before this forget must not bring the token back.
        let since = live.generation();
        live.forget_school(a);
        live.insert([1; 32], grant(a), since);
        assert!(live.get(&[1; 32], a).is_none());
        // Another school's tokens stay.
        live.insert([2; 32], grant(b), live.generation());
        live.forget_school(a);
        assert!(live.get(&[2; 32], b).is_some());
        live.clear();
        assert!(live.get(&[2; 32], b).is_none());
    }

    #[test]
    fn a_token_gets_a_minutes_budget_then_waits() {
        let live = LiveTokens::new(10, 3);
        let token = Uuid::new_v4();
        for _ in 0..3 {
            assert_eq!(live.admit(token), Ok(()));
        }
        let wait = live.admit(token).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        // Another token has its own budget.
        assert_eq!(live.admit(Uuid::new_v4()), Ok(()));
    }
}
