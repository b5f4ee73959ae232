//! Login throttling, per (school, email) and per client address: enough to slow credential
//! stuffing, short enough that nobody can lock a learner out for long (the window is 15 minutes).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PER_ACCOUNT: u32 = 5;
pub const PER_ADDRESS: u32 = 50;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    fn count(&self, key: &str) -> u32 {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        failures
            .get(key)
            .filter(|(_, since)| since.elapsed() < WINDOW)
            .map_or(0, |(n, _)| *n)
    }

    /// `Some(seconds to wait)` when either key has failed too often.
    pub fn blocked(&self, account: &str, address: &str) -> Option<u64> {
        (self.count(account) >= PER_ACCOUNT || self.count(address) >= PER_ADDRESS)
            .then_some(WINDOW.as_secs())
    }

    pub fn failed(&self, account: &str, address: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        for key in [account, address] {
            let entry = failures
                .entry(key.to_owned())
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    pub fn succeeded(&self, account: &str) {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(account);
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
}
