//! HLS ladders. An instructor uploads a zip of playlists and segments; every segment is stored
//! under its own content address, and every playlist is stored with its references rewritten to
//! store keys. When a player asks for a playlist (through a signed `/hls/…` URL), each key in it
//! becomes a signed URL, so the ladder plays through the same short-lived links as everything else.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Component, Path};

use super::Media;
use super::key::{Hashing, MediaKey};
use super::record::NewMedia;
use super::sniff::{Family, Sniffed};
use super::upload::{self, Staged};
use crate::db::PgPool;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};

pub const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";
const MAX_ENTRIES: usize = 5_000;
pub const MAX_PLAYLIST: u64 = 1 << 20;

/// What a ladder may contain besides playlists (each served as its `INLINE_TYPES` type).
const SEGMENT_EXTS: &[&str] = &["ts", "m4s", "mp4", "m4a", "aac", "vtt"];

fn bad(msg: Msg) -> AppError {
    AppError::Unprocessable(msg)
}

/// The archive's files: segments staged on disk, playlists as text, by their path in the zip.
#[derive(Default)]
struct Unpacked {
    segments: Vec<(String, Staged)>,
    playlists: Vec<(String, String)>,
}

/// Unpacks the zip (blocking), stopping at `limit` uncompressed bytes, so a zip bomb costs
/// nothing but the attempt.
fn unpack(zip: &Path, staging: &Path, limit: u64) -> Result<Unpacked, AppError> {
    let file = std::fs::File::open(zip).map_err(AppError::internal)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|_| bad(Msg::new("error-hls-not-zip")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(bad(
            Msg::new("error-hls-too-many-files").number("max", MAX_ENTRIES as u32)
        ));
    }
    std::fs::create_dir_all(staging).map_err(AppError::internal)?;
    let mut out = Unpacked::default();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|_| bad(Msg::new("error-hls-damaged")))?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry.enclosed_name().and_then(|p| path_name(&p)) else {
            return Err(bad(
                Msg::new("error-hls-unsafe-path").text("name", entry.name())
            ));
        };
        if name.starts_with("__MACOSX/")
            || name.rsplit('/').next().is_some_and(|f| f.starts_with('.'))
        {
            continue;
        }
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let remaining = limit.saturating_sub(total);
        if ext == "m3u8" {
            let mut text = String::new();
            (&mut entry)
                .take(MAX_PLAYLIST.min(remaining) + 1)
                .read_to_string(&mut text)
                .map_err(|_| bad(Msg::new("error-hls-not-text").text("name", name.clone())))?;
            total += text.len() as u64;
            if text.len() as u64 > MAX_PLAYLIST {
                return Err(bad(
                    Msg::new("error-hls-playlist-too-large").text("name", name.clone())
                ));
            }
            out.playlists.push((name, text));
            continue;
        }
        let Some((ext, content_type)) = super::key::INLINE_TYPES
            .iter()
            .find(|(e, _)| *e == ext && SEGMENT_EXTS.contains(e))
        else {
            return Err(AppError::Unsupported(
                Msg::new("error-hls-stray-file").text("name", name.clone()),
            ));
        };
        let path = staging.join(format!("hls-{}", uuid::Uuid::new_v4()));
        let file = std::fs::File::create(&path).map_err(AppError::internal)?;
        let mut writer = Hashing::new(std::io::BufWriter::new(file));
        let copied = std::io::copy(&mut (&mut entry).take(remaining + 1), &mut writer);
        let staged = Staged::new(
            path,
            writer.sha256(),
            copied.as_ref().copied().unwrap_or(0),
            Sniffed {
                content_type,
                ext,
                family: Family::Hls,
            },
            &name,
        );
        let len =
            copied.map_err(|_| bad(Msg::new("error-hls-unpack").text("name", name.clone())))?;
        writer.flush().map_err(AppError::internal)?;
        total += len;
        if total > limit {
            return Err(AppError::TooLarge(
                Msg::new("error-hls-too-large").number("mib", (limit >> 20) as u32),
            ));
        }
        out.segments.push((name, staged));
    }
    Ok(out)
}

/// A zip path as `a/b/c`, with no parent or root parts.
fn path_name(p: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = p
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join("/")).filter(|s| !s.is_empty())
}

/// `uri` from the playlist at `from`, as a path in the archive.
fn resolve(from: &str, uri: &str) -> Option<String> {
    if uri.contains("://") || uri.starts_with('/') || uri.contains('?') || uri.contains('#') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in uri.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Rewrites every URI of a playlist (URI lines and `URI="…"` attributes) with `map`.
pub fn rewrite(
    text: &str,
    mut map: impl FnMut(&str) -> Result<String, AppError>,
) -> Result<String, AppError> {
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let line = line.trim();
        match uri_span(line).map_err(|()| bad(Msg::new("error-hls-unterminated-uri")))? {
            Some(uri) => {
                out.push_str(&line[..uri.start]);
                out.push_str(&map(&line[uri.clone()])?);
                out.push_str(&line[uri.end..]);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out)
}

/// Where a trimmed playlist line names a URI: the whole line, or its `URI="…"` attribute.
/// `Err` for an attribute that never ends.
fn uri_span(line: &str) -> Result<Option<std::ops::Range<usize>>, ()> {
    if line.is_empty() {
        return Ok(None);
    }
    if !line.starts_with('#') {
        return Ok(Some(0..line.len()));
    }
    let Some(at) = line.find("URI=\"") else {
        return Ok(None);
    };
    let start = at + 5;
    let end = start + line[start..].find('"').ok_or(())?;
    Ok(Some(start..end))
}

pub fn is_master(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("#EXT-X-STREAM-INF"))
}

/// Stores a ladder from its staged zip; returns the master playlist's key.
pub async fn ingest(
    media: &Media,
    pool: &PgPool,
    tenant: TenantId,
    uploader: Option<UserId>,
    zip: Staged,
) -> Result<MediaKey, AppError> {
    let (path, staging, limit) = (
        zip.path().to_owned(),
        media.staging.clone(),
        media.limits.hls,
    );
    let unpacked = tokio::task::spawn_blocking(move || unpack(&path, &staging, limit))
        .await
        .map_err(AppError::internal)??;
    let masters: Vec<_> = unpacked
        .playlists
        .iter()
        .filter(|(_, t)| is_master(t))
        .collect();
    let [(master_name, master_text)] = masters.as_slice() else {
        return Err(bad(Msg::new("error-hls-one-master")));
    };
    for (name, text) in &unpacked.playlists {
        if !text.starts_with("#EXTM3U") {
            return Err(bad(
                Msg::new("error-hls-not-playlist").text("name", name.clone())
            ));
        }
    }
    // Objects first, rows at the end in one transaction: a ladder can hold thousands of segments.
    let mut rows = Vec::with_capacity(unpacked.segments.len() + unpacked.playlists.len());
    let mut keys: HashMap<String, MediaKey> = HashMap::new();
    for (name, staged) in unpacked.segments {
        let row = upload::store(media, tenant, uploader, staged, Family::Hls).await?;
        keys.insert(name, row.key.clone());
        rows.push(row);
    }
    let store_playlist = async |name: &str, text: &str, keys: &HashMap<String, MediaKey>| {
        let rewritten = rewrite(text, |uri| {
            resolve(name, uri)
                .and_then(|p| keys.get(&p))
                .map(|k| k.as_str().to_owned())
                .ok_or_else(|| {
                    bad(Msg::new("error-hls-missing-file")
                        .text("name", name)
                        .text("uri", uri))
                })
        })?;
        let key = MediaKey::of_bytes(tenant, "hls", rewritten.as_bytes(), "m3u8");
        media
            .store
            .put_bytes(&key, rewritten.as_bytes(), PLAYLIST_TYPE)
            .await
            .map_err(AppError::internal)?;
        Ok::<_, AppError>(NewMedia {
            key,
            content_type: PLAYLIST_TYPE.to_owned(),
            len: rewritten.len() as u64,
            info: Default::default(),
            original_name: name.to_owned(),
            uploader,
        })
    };
    for (name, text) in unpacked.playlists.iter().filter(|(_, t)| !is_master(t)) {
        let row = store_playlist(name, text, &keys).await?;
        keys.insert(name.clone(), row.key.clone());
        rows.push(row);
    }
    let master = store_playlist(master_name, master_text, &keys).await?;
    let key = master.key.clone();
    rows.push(master);
    NewMedia::record_all(pool, tenant, rows).await?;
    drop(zip);
    Ok(key)
}

/// The signed app URL of a stored playlist (playlists are rewritten per request, so they are
/// always served by EduFlow, whatever serves the segments).
pub fn playlist_url(media: &Media, key: &MediaKey) -> String {
    let url = media.signer.url(key, media.signer.expiry());
    url.replacen("/media/", "/hls/", 1)
}

/// The store key a stored playlist line refers to, if any.
pub fn stored_key(line: &str) -> Option<String> {
    let line = line.trim();
    let uri = uri_span(line).ok().flatten()?;
    Some(line[uri].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_resolve_inside_the_archive_only() {
        assert_eq!(
            resolve("hls/master.m3u8", "720p/index.m3u8").as_deref(),
            Some("hls/720p/index.m3u8")
        );
        assert_eq!(
            resolve("hls/720p/index.m3u8", "../seg/0.ts").as_deref(),
            Some("hls/seg/0.ts")
        );
        assert_eq!(resolve("master.m3u8", "../../etc/passwd"), None);
        assert_eq!(resolve("master.m3u8", "https://evil.test/x.ts"), None);
        assert_eq!(resolve("master.m3u8", "/abs.ts"), None);
    }

    #[test]
    fn playlists_are_rewritten_line_and_attribute_uris() {
        let text =
            "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4.0,\nseg0.m4s\n\n#EXT-X-ENDLIST\n";
        let out = rewrite(text, |u| Ok(format!("K({u})"))).unwrap();
        assert_eq!(
            out,
            "#EXTM3U\n#EXT-X-MAP:URI=\"K(init.mp4)\"\n#EXTINF:4.0,\nK(seg0.m4s)\n\n#EXT-X-ENDLIST\n"
        );
        assert_eq!(stored_key("#EXT-X-MAP:URI=\"t/x\"").as_deref(), Some("t/x"));
        assert_eq!(stored_key("#EXTINF:4.0,"), None);
    }
}
