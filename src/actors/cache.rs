//! A least-recently-used cache bounded by the bytes it holds, not by its entry count: one school's
//! huge pages cannot crowd the instance.

use std::hash::Hash;

use actix_web::web::Bytes;
use lru::LruCache;

pub struct ByteLru<K: Hash + Eq> {
    entries: LruCache<K, Bytes>,
    held: usize,
    cap: usize,
    pub evictions: u64,
}

impl<K: Hash + Eq> ByteLru<K> {
    pub fn new(cap: usize) -> Self {
        Self {
            entries: LruCache::unbounded(),
            held: 0,
            cap,
            evictions: 0,
        }
    }

    pub fn get(&mut self, key: &K) -> Option<Bytes> {
        self.entries.get(key).cloned()
    }

    /// Stores `value`, evicting the least recently used entries to stay under the cap. A value
    /// larger than the whole cap is not stored.
    pub fn insert(&mut self, key: K, value: Bytes) {
        if value.len() > self.cap {
            return;
        }
        self.held += value.len();
        if let Some(old) = self.entries.put(key, value) {
            self.held -= old.len();
        }
        while self.held > self.cap {
            match self.entries.pop_lru() {
                Some((_, old)) => {
                    self.held -= old.len();
                    self.evictions += 1;
                }
                None => break,
            }
        }
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

    #[test]
    fn evicts_least_recently_used_by_bytes() {
        let mut c = ByteLru::new(10);
        c.insert("a", Bytes::from_static(b"aaaa"));
        c.insert("b", Bytes::from_static(b"bbbb"));
        assert!(c.get(&"a").is_some()); // a is now the most recent
        c.insert("c", Bytes::from_static(b"cccc"));
        assert!(c.get(&"b").is_none());
        assert!(c.get(&"a").is_some() && c.get(&"c").is_some());
        assert_eq!((c.held(), c.evictions), (8, 1));
    }

    #[test]
    fn replaces_and_refuses_oversized_values() {
        let mut c = ByteLru::new(4);
        c.insert("a", Bytes::from_static(b"aa"));
        c.insert("a", Bytes::from_static(b"aaa"));
        assert_eq!(c.held(), 3);
        c.insert("big", Bytes::from_static(b"too large"));
        assert!(c.get(&"big").is_none());
        assert_eq!(c.len(), 1);
        let mut off = ByteLru::new(0);
        off.insert("a", Bytes::from_static(b"a"));
        assert!(off.is_empty());
    }
}
