//! How large an upload and an image may be.

use super::sniff::Family;

/// The largest upload of each family, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub image: u64,
    pub video: u64,
    pub hls: u64,
}

impl Limits {
    pub fn of(&self, family: Family) -> u64 {
        match family {
            Family::Image => self.image,
            Family::Video => self.video,
            Family::Hls => self.hls,
        }
    }
}

/// The most pixels a source image may have (a 12 MP photo is well inside).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side an image may have: WebP's limit, the smallest of the variant formats.
pub const MAX_SIDE: u32 = 16_383;
