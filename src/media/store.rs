//! The media store's local-folder backend (the embedded default). Keys are content-addressed, so
//! writing an object that exists is a no-op and an object never changes under its key.

use std::path::PathBuf;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::MediaKey;
use crate::ids::TenantId;

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Keys are parsed (no `..`, no absolute parts), so the path stays inside the root.
    fn path(&self, key: &MediaKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    /// Stores `bytes` under their content address; returns the key.
    pub async fn put(
        &self,
        tenant: TenantId,
        kind: &str,
        ext: &str,
        bytes: &[u8],
    ) -> std::io::Result<MediaKey> {
        let sha256 = hex(&Sha256::digest(bytes));
        let key = MediaKey::new(tenant, kind, &sha256, ext);
        let path = self.path(&key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(key);
        }
        let dir = path.parent().expect("keys have folders");
        tokio::fs::create_dir_all(dir).await?;
        // Write aside, then rename: readers never see half an object.
        let partial = dir.join(format!(".{sha256}.{}.partial", std::process::id()));
        let mut file = tokio::fs::File::create(&partial).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(key)
    }

    /// The object and its size, or `None` when the store has no such key.
    pub async fn open(&self, key: &MediaKey) -> std::io::Result<Option<(tokio::fs::File, u64)>> {
        match tokio::fs::File::open(self.path(key)).await {
            Ok(file) => {
                let len = file.metadata().await?.len();
                Ok(Some((file, len)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
