//! A least-recently-used cache bounded by the bytes it holds, not by its entry count: one school's
//! huge pages cannot crowd the instance. A value is weighed once, as it comes in (a page may
//! later keep a plain copy it inflated; that is not counted).

use std::hash::Hash;
use std::sync::Arc;

use lru::LruCache;

/// How many bytes a cached value holds.
pub trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for Arc<crate::catalog::pages::Rendered> {
    fn weight(&self) -> usize {
        self.size()
    }
}

pub struct ByteLru<K: Hash + Eq, V> {
    /// Each value with its weight when stored.
    entries: LruCache<K, (V, usize)>,
    held: usize,
    cap: usize,
    pub evictions: u64,
}

impl<K: Hash + Eq, V: Weight + Clone> ByteLru<K, V> {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: LruCache::unbounded(),
            held: 0,
            cap,
            evictions: 0,
        }
    }

    pub fn get(&mut self, key: &K) -> Option<V> {
        self.entries.get(key).map(|(v, _)| v.clone())
    }

    /// Stores `value`, evicting the least recently used entries to stay under the cap; returns
    /// the keys evicted. A value larger than the whole cap is not stored (`None`).
    pub fn insert(&mut self, key: K, value: V) -> Option<Vec<K>> {
        let mut evicted = Vec::new();
        let weight = value.weight();
        if weight > self.cap {
            return None;
        }
        self.held += weight;
        if let Some((_, old)) = self.entries.put(key, (value, weight)) {
            self.held -= old;
        }
        while self.held > self.cap {
            match self.entries.pop_lru() {
                Some((key, (_, old))) => {
                    self.held -= old;
                    self.evictions += 1;
                    evicted.push(key);
                }
                None => break,
            }
        }
        Some(evicted)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.held = 0;
    }

    pub fn held(&self) -> usize {
        self.held
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Bytes = &'static [u8];

    impl Weight for Bytes {
        fn weight(&self) -> usize {
            self.len()
        }
    }

    #[test]
    fn evicts_least_recently_used_by_bytes() {
        let mut c = ByteLru::new(10);
        c.insert("a", &b"aaaa"[..]);
        c.insert("b", &b"bbbb"[..]);
        assert!(c.get(&"a").is_some()); // a is now the most recent
        assert_eq!(c.insert("c", &b"cccc"[..]), Some(vec!["b"]));
        assert!(c.get(&"b").is_none());
        assert!(c.get(&"a").is_some() && c.get(&"c").is_some());
        assert_eq!((c.held(), c.evictions), (8, 1));
    }

    #[test]
    fn replaces_and_refuses_oversized_values() {
        let mut c = ByteLru::new(4);
        c.insert("a", &b"aa"[..]);
        c.insert("a", &b"aaa"[..]);
        assert_eq!(c.held(), 3);
        assert_eq!(c.insert("big", &b"too large"[..]), None);
        assert!(c.get(&"big").is_none());
        assert_eq!(c.len(), 1);
        let mut off = ByteLru::new(0);
        off.insert("a", &b"a"[..]);
        assert!(off.is_empty());
    }
}
