//! Single-flight loads: concurrent misses for one key share one load. A load is joinable only by
//! requests that need data no newer than the floor (a version) it was started for; a request that
//! needs newer data starts its own load, and the older one still answers those who joined it.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;

use tokio::sync::oneshot;

use crate::error::AppError;

type Reply<V> = oneshot::Sender<Result<V, AppError>>;

pub struct Flights<K, V> {
    /// Per key, the load new requests may join, with its floor.
    joinable: HashMap<K, (u64, i64)>,
    /// Everyone waiting on each load, by load id.
    waiting: HashMap<u64, Vec<Reply<V>>>,
    next: u64,
}

impl<K, V> Default for Flights<K, V> {
    fn default() -> Self {
        Self {
            joinable: HashMap::new(),
            waiting: HashMap::new(),
            next: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone + Send + 'static> Flights<K, V> {
    /// Waits for `key` at `floor` or newer. Returns the id of a load the caller must now start
    /// (and later [`finish`](Self::finish)), or `None` when it joined one already running.
    pub fn wait(
        &mut self,
        key: &K,
        floor: i64,
    ) -> (
        Option<u64>,
        impl Future<Output = Result<V, AppError>> + 'static,
    ) {
        let (tx, rx) = oneshot::channel();
        let start = match self.joinable.get(key) {
            Some(&(load, at)) if at >= floor => {
                self.waiting.entry(load).or_default().push(tx);
                None
            }
            _ => {
                let load = self.next;
                self.next += 1;
                self.joinable.insert(key.clone(), (load, floor));
                self.waiting.insert(load, vec![tx]);
                Some(load)
            }
        };
        let answer = async move {
            rx.await.unwrap_or_else(|_| {
                Err(AppError::Unavailable(anyhow::anyhow!(
                    "school actor stopped"
                )))
            })
        };
        (start, answer)
    }

    /// Answers everyone waiting on `load`.
    pub fn finish(&mut self, key: &K, load: u64, result: &Result<V, AppError>) {
        if self.joinable.get(key).is_some_and(|(l, _)| *l == load) {
            self.joinable.remove(key);
        }
        for w in self.waiting.remove(&load).unwrap_or_default() {
            let _ = w.send(match result {
                Ok(v) => Ok(v.clone()),
                Err(e) => Err(e.duplicate()),
            });
        }
    }

    /// Loads already running may return data from before a change: let them answer those who
    /// joined, but start fresh loads for everyone after this point.
    pub fn detach_all(&mut self) {
        self.joinable.clear();
    }

    pub fn detach(&mut self, key: &K) {
        self.joinable.remove(key);
    }

    pub fn is_idle(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_only_loads_new_enough() {
        let mut f: Flights<&str, i64> = Flights::default();
        let (first, a) = f.wait(&"k", 3);
        assert!(first.is_some());
        assert!(f.wait(&"k", 2).0.is_none(), "an older floor joins");
        let (newer, b) = f.wait(&"k", 4);
        assert!(newer.is_some(), "a newer floor starts its own load");
        f.finish(&"k", first.unwrap(), &Ok(3));
        f.finish(&"k", newer.unwrap(), &Ok(4));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(a).unwrap(), 3);
        assert_eq!(rt.block_on(b).unwrap(), 4);
        assert!(f.is_idle());
    }
}
