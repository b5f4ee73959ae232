//! Uploads: a multipart form is read as a stream. Each file goes to a staging file while it is
//! hashed, counted against its type's limit and sniffed; only then does it reach the store under
//! its content address, with its metadata row. A refused upload leaves nothing behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use actix_multipart::Multipart;
use actix_web::http::header::HeaderMap;
use actix_web::web;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::Media;
use super::key::{MediaKey, hex};
use super::limits::{Limits, MAX_PIXELS, MAX_SIDE};
use super::probe::{self, MediaInfo};
use super::record::NewMedia;
use super::sniff::{self, Family, Sniffed};
use crate::db::PgPool;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};

/// Text fields of an upload form are short; anything longer is refused.
const MAX_FIELD: usize = 256 * 1024;
const MAX_PARTS: usize = 40;

/// A file that arrived and passed the checks, waiting in staging. Dropping it removes the file.
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    pub sha256: String,
    pub len: u64,
    pub kind: Sniffed,
    pub original_name: String,
}

impl Staged {
    /// Takes charge of a file already written to staging.
    pub fn new(
        path: PathBuf,
        sha256: String,
        len: u64,
        kind: Sniffed,
        original_name: &str,
    ) -> Self {
        Self {
            path,
            sha256,
            len,
            kind,
            original_name: original_name.chars().take(200).collect(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A staging file being written; removed unless it becomes a [`Staged`].
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The most a text file of a form (WebVTT captions) may weigh; it is read into memory.
pub const MAX_TEXT_FILE: usize = 512 * 1024;

/// The text fields and files of a multipart form.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, Staged>,
    /// Small text files (WebVTT captions), kept in memory for their own checks.
    pub texts: HashMap<String, Vec<u8>>,
}

impl UploadForm {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

fn bad_form(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(Msg::new("error-form-unreadable").text("reason", e.to_string()))
}

/// Reads a `multipart/form-data` body. Files with no name and no bytes (an empty file input) are
/// skipped; any other file must be one of the accepted types, within its limit.
pub async fn read_form(
    headers: &HeaderMap,
    payload: web::Payload,
    staging: &Path,
    limits: &Limits,
) -> Result<UploadForm, AppError> {
    let mut parts = Multipart::new(headers, payload);
    let mut form = UploadForm::default();
    let mut count = 0;
    while let Some(mut field) = parts.try_next().await.map_err(bad_form)? {
        count += 1;
        if count > MAX_PARTS {
            return Err(AppError::bad_request(Msg::new(
                "error-the-form-has-too-many",
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        match filename {
            None => {
                let value = text_field(&mut field, &name).await?;
                form.fields.insert(name, value);
            }
            Some(filename) => {
                let declared = field
                    .content_type()
                    .map(|m| m.essence_str().to_owned())
                    .unwrap_or_default();
                if declared == "text/vtt" || filename.to_ascii_lowercase().ends_with(".vtt") {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = field.try_next().await.map_err(bad_form)? {
                        bytes.extend_from_slice(&chunk);
                        if bytes.len() > MAX_TEXT_FILE {
                            return Err(AppError::TooLarge(
                                Msg::new("error-captions-too-large")
                                    .number("kib", (MAX_TEXT_FILE / 1024) as u32),
                            ));
                        }
                    }
                    if !bytes.is_empty() {
                        form.texts.insert(name, bytes);
                    }
                    continue;
                }
                if let Some(staged) =
                    stage(&mut field, &filename, &declared, staging, limits).await?
                {
                    form.files.insert(name, staged);
                }
            }
        }
    }
    Ok(form)
}

/// A text field's value: UTF-8, storable, at most 64 KiB.
async fn text_field(field: &mut actix_multipart::Field, name: &str) -> Result<String, AppError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(bad_form)? {
        value.extend_from_slice(&chunk);
        if value.len() > MAX_FIELD {
            return Err(AppError::TooLarge(
                Msg::new("error-field-too-long").text("field", name),
            ));
        }
    }
    let value = String::from_utf8(value)
        .map_err(|_| AppError::bad_request(Msg::new("error-the-form-is-not-valid")))?;
    if !crate::input::is_storable(&value) || !crate::input::is_storable(name) {
        return Err(crate::input::unstorable());
    }
    Ok(value)
}

/// A multipart form with text fields and one small file kept in memory (a CSV to import): its
/// fields, and the file's bytes (`None` when no file was chosen).
pub async fn read_small_form(
    headers: &HeaderMap,
    payload: web::Payload,
    max_file: usize,
) -> Result<(HashMap<String, String>, Option<Vec<u8>>), AppError> {
    let mut parts = Multipart::new(headers, payload);
    let (mut fields, mut file) = (HashMap::new(), None);
    let mut count = 0;
    while let Some(mut field) = parts.try_next().await.map_err(bad_form)? {
        count += 1;
        if count > MAX_PARTS {
            return Err(AppError::bad_request(Msg::new(
                "error-the-form-has-too-many",
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .is_none()
        {
            let value = text_field(&mut field, &name).await?;
            fields.insert(name, value);
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(bad_form)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > max_file {
                return Err(AppError::TooLarge(
                    Msg::new("error-file-too-large").number("kib", (max_file / 1024) as u32),
                ));
            }
        }
        if !bytes.is_empty() {
            file = Some(bytes);
        }
    }
    Ok((fields, file))
}

async fn stage(
    field: &mut actix_multipart::Field,
    filename: &str,
    declared: &str,
    staging: &Path,
    limits: &Limits,
) -> Result<Option<Staged>, AppError> {
    let mut head = Vec::new();
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut kind: Option<Sniffed> = None;
    let mut partial = Partial(None);
    let mut file: Option<tokio::fs::File> = None;
    while let Some(chunk) = field.try_next().await.map_err(bad_form)? {
        len += chunk.len() as u64;
        hasher.update(&chunk);
        if kind.is_none() {
            // Bytes wait in `head` until there are enough to tell the type.
            head.extend_from_slice(&chunk);
            if head.len() < sniff::HEAD {
                continue;
            }
            kind = Some(check_type(&head[..sniff::HEAD], declared)?);
            let (mut f, path) = open_staging(staging).await?;
            partial.0 = Some(path);
            f.write_all(&head).await.map_err(AppError::internal)?;
            file = Some(f);
        } else if let Some(f) = file.as_mut() {
            f.write_all(&chunk).await.map_err(AppError::internal)?;
        }
        if let Some(k) = kind
            && len > limits.of(k.family)
        {
            return Err(too_large(k.family, limits));
        }
    }
    if len == 0 && filename.is_empty() {
        return Ok(None);
    }
    if len == 0 {
        return Err(AppError::Unprocessable(
            Msg::new("error-file-empty").text("name", filename),
        ));
    }
    let kind = match kind {
        Some(k) => k,
        // A file shorter than the sniffing window: sniff what there is, then write it.
        None => {
            let k = check_type(&head, declared)?;
            let (mut f, path) = open_staging(staging).await?;
            partial.0 = Some(path);
            f.write_all(&head).await.map_err(AppError::internal)?;
            file = Some(f);
            k
        }
    };
    if let Some(mut f) = file {
        f.flush().await.map_err(AppError::internal)?;
    }
    Ok(Some(Staged {
        path: partial.0.take().expect("a staged file has a path"),
        sha256: hex(&hasher.finalize()),
        len,
        kind,
        original_name: filename.chars().take(200).collect(),
    }))
}

fn too_large(family: Family, limits: &Limits) -> AppError {
    AppError::TooLarge(
        Msg::new("error-media-too-large")
            .text("kind", family_name(family))
            .number("mib", (limits.of(family) >> 20) as u32),
    )
}

fn family_name(family: Family) -> &'static str {
    match family {
        Family::Image => "image",
        Family::Video => "video",
        Family::Hls => "hls",
    }
}

fn check_type(head: &[u8], declared: &str) -> Result<Sniffed, AppError> {
    let sniffed = sniff::sniff(head)
        .ok_or_else(|| AppError::Unsupported(Msg::new("error-only-jpeg-png-webp-avif")))?;
    if !sniff::declared_matches(declared, &sniffed) {
        let msg = if declared.is_empty() {
            Msg::new("error-type-undeclared")
        } else {
            Msg::new("error-type-mismatch").text("declared", declared)
        };
        return Err(AppError::Unsupported(
            msg.text("actual", sniffed.content_type),
        ));
    }
    Ok(sniffed)
}

/// Removes staged files older than `age`: what a crash or a kill left half-written. Younger ones
/// may belong to another instance sharing the folder, mid-upload.
pub fn sweep_staging(staging: &Path, age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(staging) else {
        return 0;
    };
    let stale = |entry: &std::fs::DirEntry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        (name.starts_with("upload-") || name.starts_with("hls-"))
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|e| e > age))
    };
    entries
        .flatten()
        .filter(stale)
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

async fn open_staging(staging: &Path) -> Result<(tokio::fs::File, PathBuf), AppError> {
    tokio::fs::create_dir_all(staging)
        .await
        .map_err(AppError::internal)?;
    let path = staging.join(format!("upload-{}", uuid::Uuid::new_v4()));
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(AppError::internal)?;
    Ok((file, path))
}

/// A stored object as pages and lessons refer to it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: MediaKey,
    pub info: MediaInfo,
}

/// Checks a staged file of `family` further (images must decode their size within limits), moves
/// it to the store and records its metadata row.
pub async fn ingest(
    media: &Media,
    pool: &PgPool,
    tenant: TenantId,
    uploader: Option<UserId>,
    staged: Staged,
    family: Family,
) -> Result<Stored, AppError> {
    let row = store(media, tenant, uploader, staged, family).await?;
    let stored = Stored {
        key: row.key.clone(),
        info: row.info,
    };
    row.record(pool).await?;
    Ok(stored)
}

/// Checks a staged file of `family` and moves it to the store; returns its metadata row, for the
/// caller to record (alone, or with others in one transaction).
pub async fn store(
    media: &Media,
    tenant: TenantId,
    uploader: Option<UserId>,
    staged: Staged,
    family: Family,
) -> Result<NewMedia, AppError> {
    if staged.kind.family != family {
        return Err(AppError::Unsupported(
            Msg::new("error-wrong-media-kind")
                .text("name", staged.original_name.clone())
                .text("kind", family_name(family)),
        ));
    }
    let info = match family {
        Family::Image => {
            let (w, h) = image_size(media, &staged).await?;
            MediaInfo {
                width: Some(w as i32),
                height: Some(h as i32),
                duration_seconds: None,
            }
        }
        Family::Video => video_info(&staged).await?,
        Family::Hls => MediaInfo::default(),
    };
    let key = MediaKey::new(tenant, family.folder(), &staged.sha256, staged.kind.ext);
    media
        .store
        .put_file(&key, staged.path(), staged.kind.content_type)
        .await
        .map_err(AppError::internal)?;
    Ok(NewMedia {
        key,
        content_type: staged.kind.content_type.to_owned(),
        len: staged.len,
        info,
        original_name: staged.original_name.clone(),
        uploader,
    })
}

/// Frame size and duration from the video's container headers, at either end of the file.
async fn video_info(staged: &Staged) -> Result<MediaInfo, AppError> {
    use std::io::{Read, Seek, SeekFrom};
    let (path, len, ext) = (staged.path().to_owned(), staged.len, staged.kind.ext);
    tokio::task::spawn_blocking(move || -> std::io::Result<MediaInfo> {
        let mut file = std::fs::File::open(path)?;
        let window = (probe::WINDOW as u64).min(len) as usize;
        let mut head = vec![0; window];
        file.read_exact(&mut head)?;
        let mut tail = vec![0; window];
        file.seek(SeekFrom::Start(len - window as u64))?;
        file.read_exact(&mut tail)?;
        Ok(probe::video_info(ext, &head, &tail))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// Width and height of an image that every variant can be made from: within the size limits
/// (checked on the header first, for a clear message) and decoded in full, so a file whose
/// data is broken is refused now rather than failing every variant later. AVIF is refused: it
/// can be served as a variant but not decoded here.
async fn image_size(media: &Media, staged: &Staged) -> Result<(u32, u32), AppError> {
    let name = staged.original_name.clone();
    if staged.kind.ext == "avif" {
        return Err(AppError::Unsupported(
            Msg::new("error-avif-source").text("name", name.clone()),
        ));
    }
    let unreadable =
        || AppError::Unprocessable(Msg::new("error-image-unreadable").text("name", name.clone()));
    let path = staged.path().to_owned();
    let header = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            image::ImageReader::open(&path)
                .ok()?
                .with_guessed_format()
                .ok()?
                .into_dimensions()
                .ok()
        })
        .await
        .map_err(AppError::internal)?
    };
    let (w, h) = header.ok_or_else(unreadable)?;
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_PIXELS || w.max(h) > MAX_SIDE {
        return Err(AppError::Unprocessable(
            Msg::new("error-image-too-big")
                .text("name", name.clone())
                .number("width", w)
                .number("height", h)
                .number("side", MAX_SIDE),
        ));
    }
    // Decoding costs what a variant does: it takes one of the same per-core permits.
    let _permit = media.encoding.acquire().await.map_err(AppError::internal)?;
    let decoded = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(&path).ok()?;
        super::image::decode(&bytes)
            .ok()
            .map(|img| (img.width(), img.height()))
    })
    .await
    .map_err(AppError::internal)?;
    decoded.filter(|d| *d == (w, h)).ok_or_else(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_staged_files_are_swept() {
        let dir = std::env::temp_dir().join(format!("eduflow-sweep-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["upload-a", "hls-b", "keep.txt"] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        assert_eq!(sweep_staging(&dir, std::time::Duration::from_secs(3600)), 0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(sweep_staging(&dir, std::time::Duration::from_millis(10)), 2);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["keep.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
