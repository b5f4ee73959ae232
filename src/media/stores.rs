//! Each cluster's media store, and which one holds a school's objects: its cluster's (see
//! `db::clusters::MediaHome`), so a school's media stay in its cluster's region with its rows.
//! Every key names its school, and every read and write here is routed by the key, as the pools'
//! door routes a transaction by its school: no caller picks a bucket.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::key::MediaKey;
use super::store::{ByteStream, Store, StoreConfig};
use crate::db::clusters::{ClusterName, Clusters, MediaHome};
use crate::ids::TenantId;

pub struct Stores {
    /// The instances' own store (`EDUFLOW_MEDIA_*`): `main`'s, and any cluster's without a home.
    base: StoreConfig,
    clusters: Arc<Clusters>,
    /// Stores opened so far, with the home each was opened for: a cluster listed again with
    /// another home gets a new one.
    opened: RwLock<HashMap<ClusterName, Opened>>,
}

/// A store, and the home it was opened for.
type Opened = (Option<MediaHome>, Arc<Store>);

impl Stores {
    pub fn new(base: StoreConfig, clusters: Arc<Clusters>) -> Self {
        Self {
            base,
            clusters,
            opened: RwLock::default(),
        }
    }

    /// The store of the cluster `tenant` is on now.
    pub fn of(&self, tenant: TenantId) -> anyhow::Result<Arc<Store>> {
        let cluster = self
            .clusters
            .placement()
            .of(tenant)
            .ok_or_else(|| anyhow::anyhow!("school {tenant} is on no cluster known here"))?;
        let home = self
            .clusters
            .record(&cluster)
            .ok_or_else(|| anyhow::anyhow!("cluster {cluster} is not listed"))?
            .media;
        if let Some((opened_for, store)) = self.opened.read().expect("stores lock").get(&cluster) {
            if *opened_for == home {
                return Ok(store.clone());
            }
        }
        let store = Arc::new(self.base.at(home.as_ref()).open()?);
        self.opened
            .write()
            .expect("stores lock")
            .insert(cluster, (home, store.clone()));
        Ok(store)
    }

    pub async fn put_file(&self, key: &MediaKey, file: &Path, kind: &str) -> anyhow::Result<()> {
        self.of(key.tenant)?.put_file(key, file, kind).await
    }

    pub async fn put_bytes(&self, key: &MediaKey, bytes: &[u8], kind: &str) -> anyhow::Result<()> {
        self.of(key.tenant)?.put_bytes(key, bytes, kind).await
    }

    pub async fn size(&self, key: &MediaKey) -> anyhow::Result<Option<u64>> {
        self.of(key.tenant)?.size(key).await
    }

    pub async fn read(&self, key: &MediaKey, start: u64, count: u64) -> anyhow::Result<ByteStream> {
        self.of(key.tenant)?.read(key, start, count).await
    }

    pub async fn read_all(&self, key: &MediaKey, limit: u64) -> anyhow::Result<Option<Vec<u8>>> {
        self.of(key.tenant)?.read_all(key, limit).await
    }

    pub async fn delete(&self, key: &MediaKey) -> anyhow::Result<()> {
        self.of(key.tenant)?.delete(key).await
    }

    pub async fn presigned(&self, key: &MediaKey, ttl: Duration) -> anyhow::Result<Option<String>> {
        self.of(key.tenant)?.presigned(key, ttl).await
    }
}
