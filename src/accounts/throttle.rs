//! Login throttling, per (school, email) and per client address: enough to slow credential
//! stuffing, short enough that nobody can lock a learner out for long (the window is 15 minutes).
//! Sign-ups are limited per client address over the same window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_ACCOUNT: u32 = 5;
pub const PER_ADDRESS: u32 = 50;

/// Events per key within the current window of each key.
#[derive(Default)]
struct Counts(Mutex<HashMap<String, (u32, Instant)>>);

impl Counts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Instant)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, key: &str) -> u32 {
        self.lock()
            .get(key)
            .filter(|(_, since)| since.elapsed() < WINDOW)
            .map_or(0, |(n, _)| *n)
    }

    fn add(&self, keys: &[&str]) {
        let mut counts = self.lock();
        if counts.len() > 100_000 {
            counts.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        for key in keys {
            let entry = counts
                .entry((*key).to_owned())
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    fn remove(&self, key: &str) {
        self.lock().remove(key);
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Counts,
}

impl LoginThrottle {
    /// `Some(seconds to wait)` when either key has failed too often.
    pub fn blocked(&self, account: &str, address: &str) -> Option<u64> {
        (self.failures.get(account) >= PER_ACCOUNT || self.failures.get(address) >= PER_ADDRESS)
            .then_some(WINDOW.as_secs())
    }

    pub fn failed(&self, account: &str, address: &str) {
        self.failures.add(&[account, address]);
    }

    pub fn succeeded(&self, account: &str) {
        self.failures.remove(account);
    }
}

/// Sign-ups per client address and window, across schools: account creation costs a password
/// hash and a row, and is what a spam bot repeats. 0 turns the limit off (a load generator).
pub struct SignupLimit {
    per_address: u32,
    attempts: Counts,
}

impl SignupLimit {
    pub fn new(per_address: u32) -> Self {
        Self {
            per_address,
            attempts: Counts::default(),
        }
    }

    /// Counts an attempt from `address`; `Some(seconds to wait)` once there were too many.
    pub fn attempt(&self, address: &str) -> Option<u64> {
        if self.per_address == 0 {
            return None;
        }
        if self.attempts.get(address) >= self.per_address {
            return Some(WINDOW.as_secs());
        }
        self.attempts.add(&[address]);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_repeated_failures_per_account_and_address() {
        let t = LoginThrottle::default();
        for _ in 0..PER_ACCOUNT {
            assert!(t.blocked("s/a@x", "1.2.3.4").is_none());
            t.failed("s/a@x", "1.2.3.4");
        }
        assert!(t.blocked("s/a@x", "5.6.7.8").is_some());
        assert!(t.blocked("s/b@x", "5.6.7.8").is_none());
        t.succeeded("s/a@x");
        assert!(t.blocked("s/a@x", "5.6.7.8").is_none());
        for i in 0..PER_ADDRESS {
            t.failed(&format!("s/{i}@x"), "9.9.9.9");
        }
        assert!(t.blocked("s/new@x", "9.9.9.9").is_some());
    }

    #[test]
    fn limits_sign_ups_per_address() {
        let limit = SignupLimit::new(3);
        for _ in 0..3 {
            assert!(limit.attempt("1.2.3.4").is_none());
        }
        assert!(limit.attempt("1.2.3.4").is_some());
        assert!(limit.attempt("5.6.7.8").is_none());
        let off = SignupLimit::new(0);
        assert!((0..100).all(|_| off.attempt("1.2.3.4").is_none()));
    }
}
