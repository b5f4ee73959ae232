//! Media: bytes in a store (a local folder or an S3 bucket), metadata in the tenant-scoped `media`
//! table, and short-lived signed URLs — for EduFlow's own origin, a CDN, or the bucket itself.

pub mod bunny;
pub mod captions;
pub mod cloudfront;
pub mod hls;
pub mod image;
pub mod inflight;
pub mod key;
pub mod limits;
pub mod origin;
pub mod probe;
pub mod record;
pub mod signing;
pub mod sniff;
pub mod store;
pub mod stores;
pub mod upload;
pub mod variants;

use self::inflight::Inflight;
use self::key::MediaKey;
use self::limits::Limits;
use crate::error::AppError;

/// The stores and the signers, shared by every request.
pub struct Media {
    /// Each cluster's store, picked by the school each key names.
    pub store: stores::Stores,
    /// Tokens for EduFlow's own `/media` origin.
    pub signer: signing::Signer,
    /// Where pages send browsers: the origin itself, a CDN in front of it, or the bucket.
    pub links: Links,
    /// What a CDN sends in [`origin::ORIGIN_SECRET_HEADER`] when it pulls from `/media`.
    pub cdn_origin_secret: Option<String>,
    /// Where uploads are written while they stream in and are checked.
    pub staging: std::path::PathBuf,
    pub limits: Limits,
    /// Image variants being computed, so concurrent requests for one share the work.
    pub inflight: Inflight,
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
