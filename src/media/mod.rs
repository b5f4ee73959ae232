//! Media: bytes in a store (a local folder or an S3 bucket), metadata in the tenant-scoped `media`
//! table, and short-lived signed URLs — for EduFlow's own origin, a CDN, or the bucket itself.

pub mod bunny;
pub mod cloudfront;
pub mod hls;
pub mod origin;
pub mod probe;
pub mod signing;
pub mod sniff;
pub mod store;
pub mod upload;
pub mod variants;

use std::time::Duration;

use crate::error::AppError;
use crate::ids::TenantId;

/// What may be served inline, by extension. Anything else (HTML, SVG, …) is never served inline.
pub const INLINE_TYPES: &[(&str, &str)] = &[
    ("webm", "video/webm"),
    ("mp4", "video/mp4"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("gif", "image/gif"),
    ("ts", "video/mp2t"),
    ("m4s", "video/iso.segment"),
    ("m4a", "audio/mp4"),
    ("aac", "audio/aac"),
    ("vtt", "text/vtt"),
];

/// A store key: `t/<school id>/<kind>/<sha256>.<ext>`, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaKey {
    pub tenant: TenantId,
    pub sha256: String,
    pub ext: String,
    raw: String,
}

impl MediaKey {
    pub fn new(tenant: TenantId, kind: &str, sha256: &str, ext: &str) -> Self {
        Self {
            tenant,
            sha256: sha256.to_owned(),
            ext: ext.to_owned(),
            raw: format!("t/{tenant}/{kind}/{sha256}.{ext}"),
        }
    }

    /// The content address of `bytes` (a file streamed in is hashed as it arrives instead).
    pub fn of_bytes(tenant: TenantId, kind: &str, bytes: &[u8], ext: &str) -> Self {
        use sha2::Digest;
        Self::new(tenant, kind, &store::hex(&sha2::Sha256::digest(bytes)), ext)
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split('/');
        let (Some("t"), Some(tenant), Some(kind), Some(file), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let (sha256, ext) = file.split_once('.')?;
        let valid = kind.bytes().all(|b| b.is_ascii_lowercase())
            && !kind.is_empty()
            && sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && !ext.is_empty()
            && ext.bytes().all(|b| b.is_ascii_alphanumeric());
        let tenant = TenantId(tenant.parse().ok()?);
        valid.then(|| Self {
            tenant,
            sha256: sha256.to_owned(),
            ext: ext.to_owned(),
            raw: raw.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The inline content type, or `None` for anything that must be downloaded instead.
    pub fn inline_type(&self) -> Option<&'static str> {
        INLINE_TYPES
            .iter()
            .find(|(ext, _)| *ext == self.ext)
            .map(|(_, t)| *t)
    }
}

/// The store and the signers, shared by every request.
pub struct Media {
    pub store: store::Store,
    /// Tokens for EduFlow's own `/media` origin.
    pub signer: signing::Signer,
    /// Where pages send browsers: the origin itself, a CDN in front of it, or the bucket.
    pub links: Links,
    /// What a CDN sends in [`ORIGIN_SECRET_HEADER`] when it pulls from `/media`.
    pub cdn_origin_secret: Option<String>,
    /// Where uploads are written while they stream in and are checked.
    pub staging: std::path::PathBuf,
    pub limits: upload::Limits,
    /// Image variants being computed, so concurrent requests for one share the work.
    pub inflight: variants::Inflight,
    /// Image encodes running at once (one per core).
    pub encoding: tokio::sync::Semaphore,
}

/// How media URLs in pages are made.
pub enum Links {
    /// EduFlow's own `/media/…` origin with its HMAC tokens (the default).
    Origin,
    /// A Bunny.net pull zone with token authentication. Tokens open the school's whole prefix.
    Bunny { base: String, key: Vec<u8> },
    /// A CloudFront distribution with canned-policy signed URLs, one per object.
    CloudFront {
        base: String,
        signer: Box<cloudfront::CloudFrontSigner>,
    },
    /// The S3 bucket itself, through SigV4 presigned GETs (S3 store and no CDN).
    Presigned,
}

/// The header a CDN sends when pulling from the `/media` origin.
pub const ORIGIN_SECRET_HEADER: &str = "x-eduflow-origin-secret";

impl Media {
    /// The URL a page should use for `key`.
    pub async fn url(&self, key: &MediaKey) -> Result<String, AppError> {
        if let Links::Presigned = self.links {
            return self
                .store
                .presigned(key, self.signer.ttl())
                .await
                .map_err(AppError::internal)?
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("presigned links need S3")));
        }
        Ok(self.edge_url(key))
    }

    /// `key` through the configured CDN, or EduFlow's own origin (never the bucket: this needs
    /// no network, so cached pages can be rendered with it).
    pub fn edge_url(&self, key: &MediaKey) -> String {
        let expires = self.signer.expiry();
        let path = format!("/{}", key.as_str());
        let prefix = format!("/t/{}/", key.tenant);
        self.cdn_url(&path, Some(&prefix), expires)
            .unwrap_or_else(|| self.signer.url(key, expires))
    }

    /// The image `key` resized to `width` (`/img/<width>/<key>`), through the configured CDN or
    /// EduFlow's own origin: variants are computed by EduFlow, never served by the bucket alone.
    pub fn image_url(&self, key: &MediaKey, width: u32) -> String {
        let expires = self.signer.expiry();
        let path = format!("/img/{width}/{}", key.as_str());
        self.cdn_url(&path, None, expires).unwrap_or_else(|| {
            let signed = self.signer.url(key, expires);
            let (_, query) = signed.split_once('?').expect("signed URLs have a query");
            format!("{path}?{query}")
        })
    }

    /// `path` on the CDN, signed until `expires` (for everything under `prefix` where the CDN
    /// allows it); `None` when pages link EduFlow's origin or the bucket.
    fn cdn_url(&self, path: &str, prefix: Option<&str>, expires: u64) -> Option<String> {
        match &self.links {
            Links::Bunny { base, key } => {
                let grant = bunny::Grant {
                    path,
                    expires,
                    path_allowed: prefix,
                    ..Default::default()
                };
                Some(bunny::sign(key, base, &grant).1)
            }
            Links::CloudFront { base, signer } => {
                Some(signer.sign(&format!("{base}{path}"), expires))
            }
            Links::Origin | Links::Presigned => None,
        }
    }

    /// Whether a request without a URL token comes from the configured CDN.
    pub fn from_cdn(&self, header: Option<&str>) -> bool {
        match (&self.cdn_origin_secret, header) {
            (Some(secret), Some(given)) => {
                given.len() == secret.len()
                    && given
                        .bytes()
                        .zip(secret.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            }
            _ => false,
        }
    }
}

/// How media URLs are signed and how long they live (never over 7 days).
pub const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_only_in_their_one_shape() {
        let t = TenantId::new();
        let sha = "a".repeat(64);
        let key = MediaKey::new(t, "video", &sha, "webm");
        assert_eq!(MediaKey::parse(key.as_str()), Some(key.clone()));
        assert_eq!(key.inline_type(), Some("video/webm"));
        for bad in [
            format!("t/{t}/video/{sha}"),
            format!("t/{t}/../{sha}.webm"),
            format!("t/{t}/video/x/{sha}.webm"),
            format!("t/not-a-uuid/video/{sha}.webm"),
            format!("t/{t}/video/{}.webm", "A".repeat(64)),
            format!("/t/{t}/video/{sha}.webm"),
        ] {
            assert_eq!(MediaKey::parse(&bad), None, "{bad}");
        }
        assert_eq!(MediaKey::new(t, "file", &sha, "html").inline_type(), None);
    }
}
