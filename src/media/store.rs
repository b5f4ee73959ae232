//! The media store: one interface, two backends — a local folder (the embedded default) and any
//! S3-compatible bucket through rust-s3. Keys are content addresses, so writing a key that exists
//! is a no-op and an object never changes under its key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use s3::Bucket;
use s3::command::Command;
use s3::creds::Credentials;
use s3::request::Request;
use s3::request::tokio_backend::ReqwestRequest;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::key::MediaKey;
use crate::db::clusters::MediaHome;
use crate::ids::TenantId;

pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// Where an S3-compatible bucket is and how to address it.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    pub region: String,
    /// Empty for AWS itself; e.g. `https://<account>.r2.cloudflarestorage.com` or MinIO's URL.
    pub endpoint: Option<String>,
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO, local servers).
    pub path_style: bool,
    /// Fixed keys (access, secret); `None` reads the environment or the instance's role.
    pub keys: Option<(String, String)>,
}

/// Which backend to open, from the configuration.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    Local(PathBuf),
    S3(S3Config),
}

impl StoreConfig {
    /// Where a cluster's schools' media live: the bucket `home` names (on this store's S3
    /// service, unless it names another region or endpoint), or with a local store the folder
    /// `buckets/<bucket>` in this one; without a home, this store itself.
    pub fn at(&self, home: Option<&MediaHome>) -> Self {
        let Some(home) = home else {
            return self.clone();
        };
        match self {
            Self::Local(root) => Self::Local(root.join("buckets").join(&home.bucket)),
            Self::S3(config) => Self::S3(S3Config {
                bucket: home.bucket.clone(),
                region: home.region.clone().unwrap_or_else(|| config.region.clone()),
                endpoint: home.endpoint.clone().or_else(|| config.endpoint.clone()),
                ..config.clone()
            }),
        }
    }

    pub fn open(&self) -> anyhow::Result<Store> {
        match self {
            Self::Local(root) => Ok(Store::Local(LocalStore::new(root))),
            Self::S3(config) => Store::s3(config),
        }
    }
}

pub enum Store {
    Local(LocalStore),
    S3(Box<Bucket>),
}

impl Store {
    /// The S3 backend; credentials come from the environment (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`) or the instance's role.
    pub fn s3(config: &S3Config) -> anyhow::Result<Self> {
        let region = match &config.endpoint {
            Some(endpoint) => s3::Region::Custom {
                region: config.region.clone(),
                endpoint: endpoint.clone(),
            },
            None => config.region.parse()?,
        };
        let credentials = match &config.keys {
            Some((access, secret)) => {
                Credentials::new(Some(access), Some(secret), None, None, None)?
            }
            None => Credentials::default()?,
        };
        let mut bucket = Bucket::new(&config.bucket, region, credentials)?;
        if config.path_style {
            bucket = bucket.with_path_style();
        }
        Ok(Self::S3(bucket))
    }

    pub fn bucket(&self) -> Option<&Bucket> {
        match self {
            Self::S3(bucket) => Some(bucket),
            Self::Local(_) => None,
        }
    }

    /// Moves a staged file (already hashed into `key`) into the store. The file is read as a
    /// stream, so a large video never sits in memory.
    pub async fn put_file(
        &self,
        key: &MediaKey,
        file: &Path,
        content_type: &str,
    ) -> anyhow::Result<()> {
        match self {
            Self::Local(local) => local.put_file(key, file).await,
            Self::S3(bucket) => {
                if self.size(key).await?.is_some() {
                    return Ok(());
                }
                let mut reader = tokio::fs::File::open(file).await?;
                bucket
                    .put_object_stream_with_content_type(&mut reader, key.as_str(), content_type)
                    .await?;
                Ok(())
            }
        }
    }

    /// Stores small bytes (an image variant, a playlist, demo media).
    pub async fn put_bytes(
        &self,
        key: &MediaKey,
        bytes: &[u8],
        content_type: &str,
    ) -> anyhow::Result<()> {
        match self {
            Self::Local(local) => local.put_bytes(key, bytes).await,
            Self::S3(bucket) => {
                bucket
                    .put_object_with_content_type(key.as_str(), bytes, content_type)
                    .await?;
                Ok(())
            }
        }
    }

    /// The object's size, or `None` when the store has no such key.
    pub async fn size(&self, key: &MediaKey) -> anyhow::Result<Option<u64>> {
        match self {
            Self::Local(local) => match tokio::fs::metadata(local.path(key)).await {
                Ok(meta) => Ok(Some(meta.len())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            Self::S3(bucket) => match bucket.head_object(key.as_str()).await {
                Ok((head, _)) => Ok(head.content_length.map(|n| n.max(0) as u64)),
                Err(s3::error::S3Error::HttpFailWithBody(404, _)) => Ok(None),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// `count` bytes from `start`, as a stream (the caller has checked the range against
    /// [`Store::size`]).
    pub async fn read(&self, key: &MediaKey, start: u64, count: u64) -> anyhow::Result<ByteStream> {
        match self {
            Self::Local(local) => {
                let mut file = tokio::fs::File::open(local.path(key)).await?;
                file.seek(std::io::SeekFrom::Start(start)).await?;
                // Large reads: the default 4 KiB chunks cost a syscall and a body frame each.
                Ok(
                    tokio_util::io::ReaderStream::with_capacity(file.take(count), 256 * 1024)
                        .boxed(),
                )
            }
            Self::S3(bucket) => {
                if count == 0 {
                    return Ok(futures_util::stream::empty().boxed());
                }
                let command = Command::GetObjectRange {
                    start,
                    end: Some(start + count - 1),
                };
                let request = ReqwestRequest::new(bucket, key.as_str(), command).await?;
                let response = request.response_data_to_stream().await?;
                Ok(response
                    .bytes
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed())
            }
        }
    }

    /// A whole (small) object, at most `limit` bytes, or `None` when it is missing.
    pub async fn read_all(&self, key: &MediaKey, limit: u64) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(len) = self.size(key).await? else {
            return Ok(None);
        };
        anyhow::ensure!(
            len <= limit,
            "{} is {len} bytes, over {limit}",
            key.as_str()
        );
        let mut out = Vec::with_capacity(len as usize);
        let mut stream = self.read(key, 0, len).await?;
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(Some(out))
    }

    /// Every object of a school (keys under `t/<school>/`), sorted.
    pub async fn school_keys(&self, tenant: TenantId) -> anyhow::Result<Vec<MediaKey>> {
        let prefix = format!("t/{tenant}/");
        let mut raw = match self {
            Self::Local(local) => local.keys_under(&prefix).await?,
            Self::S3(bucket) => bucket
                .list(prefix, None)
                .await?
                .into_iter()
                .flat_map(|page| page.contents)
                .map(|object| object.key)
                .collect(),
        };
        raw.sort();
        // Anything that is not a key (a half-written `.partial` file) is not an object.
        Ok(raw.iter().filter_map(|k| MediaKey::parse(k)).collect())
    }

    /// Copies `key` into `to` through a file in `staging` (a video may not fit in memory).
    pub async fn copy_to(&self, key: &MediaKey, to: &Store, staging: &Path) -> anyhow::Result<()> {
        let len = self
            .size(key)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{} vanished while being copied", key.as_str()))?;
        tokio::fs::create_dir_all(staging).await?;
        let tmp = staging.join(format!("copy-{}", uuid::Uuid::new_v4().simple()));
        let copied = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            let mut stream = self.read(key, 0, len).await?;
            while let Some(chunk) = stream.next().await {
                file.write_all(&chunk?).await?;
            }
            file.sync_all().await?;
            let content_type = key.inline_type().unwrap_or("application/octet-stream");
            to.put_file(key, &tmp, content_type).await
        }
        .await;
        let _ = tokio::fs::remove_file(&tmp).await;
        copied
    }

    /// Removes an object; a missing one is already gone.
    pub async fn delete(&self, key: &MediaKey) -> anyhow::Result<()> {
        match self {
            Self::Local(local) => match tokio::fs::remove_file(local.path(key)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                _ => Ok(()),
            },
            Self::S3(bucket) => {
                bucket.delete_object(key.as_str()).await?;
                Ok(())
            }
        }
    }

    /// A time-limited direct link to the object (S3 only: a SigV4 presigned GET).
    pub async fn presigned(&self, key: &MediaKey, ttl: Duration) -> anyhow::Result<Option<String>> {
        match self {
            Self::Local(_) => Ok(None),
            Self::S3(bucket) => Ok(Some(
                bucket
                    .presign_get(key.as_str(), ttl.as_secs() as u32, None)
                    .await?,
            )),
        }
    }
}

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

    async fn put_file(&self, key: &MediaKey, file: &Path) -> anyhow::Result<()> {
        let path = self.path(key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        tokio::fs::create_dir_all(path.parent().expect("keys have folders")).await?;
        if tokio::fs::rename(file, &path).await.is_err() {
            // Another filesystem: copy aside, then rename, so readers never see half an object.
            let partial = partial_path(&path);
            tokio::fs::copy(file, &partial).await?;
            tokio::fs::rename(&partial, &path).await?;
        }
        Ok(())
    }

    /// Relative paths of the files under `prefix` (a folder), at any depth.
    async fn keys_under(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let mut keys = Vec::new();
        let mut folders = vec![prefix.trim_end_matches('/').to_owned()];
        while let Some(folder) = folders.pop() {
            let mut entries = match tokio::fs::read_dir(self.root.join(&folder)).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                let name = format!("{folder}/{}", entry.file_name().to_string_lossy());
                if entry.file_type().await?.is_dir() {
                    folders.push(name);
                } else {
                    keys.push(name);
                }
            }
        }
        Ok(keys)
    }

    async fn put_bytes(&self, key: &MediaKey, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        tokio::fs::create_dir_all(path.parent().expect("keys have folders")).await?;
        let partial = partial_path(&path);
        let mut file = tokio::fs::File::create(&partial).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(())
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().expect("keys name files").to_owned();
    name.push(format!(".{}.partial", std::process::id()));
    path.with_file_name(name)
}
