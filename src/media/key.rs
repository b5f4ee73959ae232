//! A store key: `t/<school id>/<kind>/<sha256>.<ext>`, parsed once, and what may be served inline.

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
        Self::new(tenant, kind, &hex(&sha2::Sha256::digest(bytes)), ext)
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

/// Lower-case hex, as content addresses are written.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes through to a file (or any writer), hashing what it writes: the content address of
/// something unpacked as it is written.
pub struct Hashing<W> {
    inner: W,
    hasher: sha2::Sha256,
}

impl<W: std::io::Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        use sha2::Digest;
        Self {
            inner,
            hasher: sha2::Sha256::new(),
        }
    }

    /// The SHA-256 of what was written so far, in hex.
    pub fn sha256(&self) -> String {
        use sha2::Digest;
        hex(&self.hasher.clone().finalize())
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

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
