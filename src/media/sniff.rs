//! What an upload really is, from its first bytes. The browser's declared type must agree with
//! it; nothing else (HTML, SVG, scripts, archives of other things) is accepted.

use crate::bytes::find;

/// A family of uploads with its own size limit and key folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Image,
    Video,
    /// An HLS ladder: a zip of playlists and segments.
    Hls,
}

impl Family {
    pub fn folder(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Hls => "hls",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub ext: &'static str,
    pub family: Family,
}

const fn sniffed(content_type: &'static str, ext: &'static str, family: Family) -> Sniffed {
    Sniffed {
        content_type,
        ext,
        family,
    }
}

/// How many leading bytes [`sniff`] needs.
pub const HEAD: usize = 64;

/// The type of a file starting with `head`, if it is one EduFlow accepts.
pub fn sniff(head: &[u8]) -> Option<Sniffed> {
    use Family::*;
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(sniffed("image/jpeg", "jpg", Image));
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(sniffed("image/png", "png", Image));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(sniffed("image/gif", "gif", Image));
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(sniffed("image/webp", "webp", Image));
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && find(head, b"\x42\x82\x84webm").is_some() {
        return Some(sniffed("video/webm", "webm", Video));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(sniffed("application/zip", "zip", Hls));
    }
    iso_media(head)
}

/// ISO base media files (`....ftyp<brand>…`): AVIF images and MP4 video share the container and
/// differ by brand.
fn iso_media(head: &[u8]) -> Option<Sniffed> {
    if head.len() < 16 || &head[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes(head[..4].try_into().ok()?) as usize;
    let end = size.clamp(16, head.len());
    let major = &head[8..12];
    let compatible = head[16..end].chunks_exact(4);
    let brands = || std::iter::once(major).chain(compatible.clone());
    if brands().any(|b| b == b"avif" || b == b"avis") {
        return Some(sniffed("image/avif", "avif", Family::Image));
    }
    const MP4: &[&[u8; 4]] = &[
        b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ",
    ];
    brands()
        .any(|b| MP4.iter().any(|m| b == *m))
        .then(|| sniffed("video/mp4", "mp4", Family::Video))
}

/// Whether the browser's declared type names the sniffed one (a few common aliases allowed).
pub fn declared_matches(declared: &str, actual: &Sniffed) -> bool {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    declared == actual.content_type
        || matches!(
            (declared.as_str(), actual.content_type),
            ("image/jpg" | "image/pjpeg", "image/jpeg")
                | (
                    "application/x-zip-compressed" | "application/x-zip",
                    "application/zip"
                )
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut v = (size as u32).to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(major);
        v.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            v.extend_from_slice(*c);
        }
        v.extend_from_slice(&[0; 8]);
        v
    }

    #[test]
    fn accepted_types_are_told_by_their_bytes() {
        let webm = include_bytes!("../../static/demo/lesson.webm");
        assert_eq!(sniff(&webm[..HEAD]).unwrap().content_type, "video/webm");
        assert_eq!(
            sniff(&ftyp(b"isom", &[b"isom", b"mp41"])).unwrap(),
            sniffed("video/mp4", "mp4", Family::Video)
        );
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"mif1", b"avif"])).unwrap().ext,
            "avif"
        );
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF").unwrap().ext, "jpg");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().ext, "webp");
        assert_eq!(sniff(b"PK\x03\x04rest").unwrap().family, Family::Hls);
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"[..],
            b"<!doctype html><html>",
            b"%PDF-1.7",
            b"\x1A\x45\xDF\xA3\x42\x82\x88matroska",
            b"RIFF\0\0\0\0WAVEfmt ",
            &ftyp(b"heic", &[b"mif1", b"heic"]),
            b"",
        ] {
            assert_eq!(sniff(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_declared_type_must_name_the_real_one() {
        let jpeg = sniff(b"\xFF\xD8\xFF\xE0").unwrap();
        assert!(declared_matches("image/jpeg", &jpeg));
        assert!(declared_matches("image/JPG", &jpeg));
        assert!(!declared_matches("image/png", &jpeg));
        assert!(!declared_matches("text/html", &jpeg));
        assert!(!declared_matches("", &jpeg));
    }
}
