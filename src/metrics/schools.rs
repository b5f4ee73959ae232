//! The per-school label, bounded: the busiest schools get their own series, every other school is
//! counted as `other`, so 100,000 schools do not mean 100,000 series.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long traffic is counted before the busiest schools are chosen again.
const WINDOW: Duration = Duration::from_secs(60);

pub const OTHER: &str = "other";

pub struct SchoolLabels {
    top: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    counts: HashMap<String, u64>,
    named: HashSet<String>,
    /// Distinct names ever handed out; capped at 4 × top, so the series count stays bounded
    /// however often the busiest schools change.
    ever: HashSet<String>,
    window_start: Instant,
}

impl SchoolLabels {
    pub fn new(top: usize) -> Self {
        Self {
            top,
            inner: Mutex::new(Inner {
                counts: HashMap::new(),
                named: HashSet::new(),
                ever: HashSet::new(),
                window_start: Instant::now(),
            }),
        }
    }

    /// Counts a request for `slug` and returns the label to record it under.
    pub fn label(&self, slug: &str) -> String {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.window_start.elapsed() >= WINDOW {
            self.rotate(&mut inner);
        }
        *inner.counts.entry(slug.to_owned()).or_default() += 1;
        if !inner.named.contains(slug)
            && inner.named.len() < self.top
            && self.may_name(&inner, slug)
        {
            inner.named.insert(slug.to_owned());
            inner.ever.insert(slug.to_owned());
        }
        if inner.named.contains(slug) {
            slug.to_owned()
        } else {
            OTHER.to_owned()
        }
    }

    fn may_name(&self, inner: &Inner, slug: &str) -> bool {
        inner.ever.contains(slug) || inner.ever.len() < self.top * 4
    }

    /// The busiest schools of the last window become the named ones for the next.
    fn rotate(&self, inner: &mut Inner) {
        let mut ranked: Vec<(String, u64)> = inner.counts.drain().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut named = HashSet::new();
        for (slug, _) in ranked {
            if named.len() == self.top {
                break;
            }
            if self.may_name(inner, &slug) {
                inner.ever.insert(slug.clone());
                named.insert(slug);
            }
        }
        inner.named = named;
        inner.window_start = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_at_most_top_schools_and_the_rest_are_other() {
        let labels = SchoolLabels::new(2);
        assert_eq!(labels.label("a"), "a");
        assert_eq!(labels.label("b"), "b");
        assert_eq!(labels.label("c"), OTHER);
        assert_eq!(labels.label("a"), "a");
    }

    #[test]
    fn rotation_follows_traffic_within_a_bounded_set_of_names() {
        let labels = SchoolLabels::new(1);
        let mut inner = labels.inner.lock().unwrap();
        for i in 0..10 {
            let busy = format!("s{i}");
            *inner.counts.entry(busy.clone()).or_default() += 5;
            labels.rotate(&mut inner);
            let expected = if i < 4 {
                HashSet::from([busy])
            } else {
                HashSet::new()
            };
            assert_eq!(inner.named, expected, "window {i}");
        }
        assert_eq!(inner.ever.len(), 4);
    }
}
