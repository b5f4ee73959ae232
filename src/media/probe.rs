//! What a video says about itself: frame size and duration, read from the container headers
//! (MP4's `tkhd`/`mvhd` boxes, WebM's `PixelWidth`/`PixelHeight`/`Duration` elements) without
//! decoding anything. MP4 files often keep these at the end, so callers pass both ends of the file.

use crate::bytes::find;

/// Size (images and video) and whole seconds (video), where the headers tell them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaInfo {
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_seconds: Option<i32>,
}

/// How many bytes from each end of the file [`video_info`] looks at.
pub const WINDOW: usize = 1 << 20;

pub fn video_info(ext: &str, head: &[u8], tail: &[u8]) -> MediaInfo {
    match ext {
        "mp4" => mp4(head).or_else(|| mp4(tail)).unwrap_or_default(),
        "webm" => webm(head),
        _ => MediaInfo::default(),
    }
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |n, b| (n << 8) | u64::from(*b))
}

fn seconds(value: f64) -> Option<i32> {
    (value.is_finite() && value >= 0.0 && value < f64::from(i32::MAX)).then(|| value.round() as i32)
}

/// `mvhd` (timescale, duration) and the first `tkhd` with a picture (16.16 width and height).
fn mp4(data: &[u8]) -> Option<MediaInfo> {
    let at = find(data, b"mvhd")? + 4;
    let version = *data.get(at)?;
    let (timescale, duration) = if version == 1 {
        (
            be(data.get(at + 20..at + 24)?),
            be(data.get(at + 24..at + 32)?),
        )
    } else {
        (
            be(data.get(at + 12..at + 16)?),
            be(data.get(at + 16..at + 20)?),
        )
    };
    let mut info = MediaInfo {
        duration_seconds: (timescale > 0)
            .then(|| seconds(duration as f64 / timescale as f64))
            .flatten(),
        ..MediaInfo::default()
    };
    let mut from = 0;
    while let Some(found) = find(&data[from..], b"tkhd") {
        let at = from + found + 4;
        // Width and height end the box: 76/88 bytes after its version byte (v0/v1).
        let size_at = if data.get(at) == Some(&1) {
            at + 88
        } else {
            at + 76
        };
        let (w, h) = match data.get(size_at..size_at + 8) {
            Some(b) => (be(&b[..4]) >> 16, be(&b[4..]) >> 16),
            None => break,
        };
        if w > 0 && h > 0 {
            info.width = i32::try_from(w).ok();
            info.height = i32::try_from(h).ok();
            break;
        }
        from = at;
    }
    Some(info)
}

/// An EBML unsigned element `id` with a 1–4 byte value, the first after `from`.
fn ebml_uint(data: &[u8], id: &[u8], from: usize) -> Option<(u64, usize)> {
    let mut at = from;
    loop {
        let found = at + find(data.get(at..)?, id)?;
        let size_at = found + id.len();
        let marker = *data.get(size_at)?;
        if (0x81..=0x84).contains(&marker) {
            let len = usize::from(marker - 0x80);
            return Some((
                be(data.get(size_at + 1..size_at + 1 + len)?),
                size_at + 1 + len,
            ));
        }
        at = found + 1;
    }
}

fn webm(data: &[u8]) -> MediaInfo {
    let scale = ebml_uint(data, &[0x2A, 0xD7, 0xB1], 0).map_or(1_000_000, |(s, _)| s);
    let duration = find(data, &[0x44, 0x89]).and_then(|at| {
        let value = match *data.get(at + 2)? {
            0x84 => f64::from(f32::from_bits(be(data.get(at + 3..at + 7)?) as u32)),
            0x88 => f64::from_bits(be(data.get(at + 3..at + 11)?)),
            _ => return None,
        };
        seconds(value * scale as f64 / 1e9)
    });
    // The picture's size sits in the Video element (0xE0) of the track.
    let video = find(data, &[0x16, 0x54, 0xAE, 0x6B]).unwrap_or(0);
    let width = ebml_uint(data, &[0xB0], video);
    let height = width.and_then(|(_, after)| ebml_uint(data, &[0xBA], after));
    MediaInfo {
        width: width.and_then(|(w, _)| i32::try_from(w).ok()),
        height: height.and_then(|(h, _)| i32::try_from(h).ok()),
        duration_seconds: duration,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_webm_is_320_by_180_for_6_seconds() {
        let webm = include_bytes!("../../static/demo/lesson.webm");
        assert_eq!(
            video_info("webm", webm, &[]),
            MediaInfo {
                width: Some(320),
                height: Some(180),
                duration_seconds: Some(6)
            }
        );
    }

    fn mp4_boxes(version: u8) -> Vec<u8> {
        let mut mvhd = vec![0, 0, 0, 0];
        mvhd.extend_from_slice(b"mvhd");
        mvhd.extend_from_slice(&[version, 0, 0, 0]);
        if version == 1 {
            mvhd.extend_from_slice(&[0; 16]);
            mvhd.extend_from_slice(&1000u32.to_be_bytes());
            mvhd.extend_from_slice(&90_500u64.to_be_bytes());
        } else {
            mvhd.extend_from_slice(&[0; 8]);
            mvhd.extend_from_slice(&1000u32.to_be_bytes());
            mvhd.extend_from_slice(&90_500u32.to_be_bytes());
        }
        mvhd.extend_from_slice(&[0; 80]);
        let tkhd = |w: u32, h: u32| {
            let mut b = vec![0, 0, 0, 0];
            b.extend_from_slice(b"tkhd");
            b.push(version);
            b.extend_from_slice(&[0; 3]);
            b.extend_from_slice(&vec![0; if version == 1 { 84 } else { 72 }]);
            b.extend_from_slice(&(w << 16).to_be_bytes());
            b.extend_from_slice(&(h << 16).to_be_bytes());
            b
        };
        let mut file = mvhd;
        file.extend(tkhd(0, 0)); // an audio track first
        file.extend(tkhd(1280, 720));
        file
    }

    #[test]
    fn a_real_mp4_with_its_moov_at_the_end() {
        let clip = include_bytes!("../../tests/fixtures/clip.mp4");
        let tail = &clip[clip.len() / 2..];
        assert_eq!(
            video_info("mp4", &clip[..64], tail),
            MediaInfo {
                width: Some(320),
                height: Some(180),
                duration_seconds: Some(3)
            }
        );
    }

    #[test]
    fn mp4_headers_are_read_at_either_end() {
        for version in [0, 1] {
            let moov = mp4_boxes(version);
            let want = MediaInfo {
                width: Some(1280),
                height: Some(720),
                duration_seconds: Some(91),
            };
            assert_eq!(
                video_info("mp4", &moov, &[]),
                want,
                "v{version} at the head"
            );
            assert_eq!(
                video_info("mp4", b"ftypisom....mdat", &moov),
                want,
                "v{version} at the tail"
            );
        }
        assert_eq!(
            video_info("mp4", b"nothing here", b""),
            MediaInfo::default()
        );
        assert_eq!(
            video_info("webm", b"\x1a\x45\xdf\xa3", b""),
            MediaInfo::default()
        );
    }
}
