//! Images: the formats variants are encoded in, and decoding and resizing within the upload
//! limits.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use rgb::FromSlice;

use super::limits::{MAX_PIXELS, MAX_SIDE};
use crate::error::AppError;
use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Avif,
    Webp,
    Jpeg,
}

impl Format {
    /// The best format the `Accept` header allows.
    pub fn negotiate(accept: &str) -> Self {
        let allows = |t: &str| {
            accept.split(',').any(|part| {
                let mut bits = part.split(';');
                let name = bits.next().unwrap_or("").trim();
                let refused = bits.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        == Some(0.0)
                });
                name.eq_ignore_ascii_case(t) && !refused
            })
        };
        if allows("image/avif") {
            Self::Avif
        } else if allows("image/webp") {
            Self::Webp
        } else {
            Self::Jpeg
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Avif => "avif",
            Self::Webp => "webp",
            Self::Jpeg => "jpg",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Avif => "image/avif",
            Self::Webp => "image/webp",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Decodes a whole image within the upload limits (every pixel, so a file with a valid header
/// and broken data fails here).
pub fn decode(source: &[u8]) -> image::ImageResult<image::DynamicImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(source)).with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    reader.decode()
}

/// Decodes `source`, resizes it to `width` (never up) and encodes it. CPU-bound: run it off the
/// async threads. Returns the bytes and the variant's size.
pub fn encode(source: &[u8], width: u32, format: Format) -> Result<(Vec<u8>, u32, u32), AppError> {
    let decoded = decode(source)
        .map_err(|_| AppError::Unprocessable(Msg::new("error-the-source-image-cannot-be")))?
        .to_rgb8();
    let (sw, sh) = decoded.dimensions();
    let width = width.min(sw).max(1);
    let height = ((u64::from(sh) * u64::from(width)) / u64::from(sw)).max(1) as u32;
    let src = Image::from_vec_u8(sw, sh, decoded.into_raw(), PixelType::U8x3)
        .map_err(AppError::internal)?;
    let mut dst = Image::new(width, height, PixelType::U8x3);
    Resizer::new()
        .resize(
            &src,
            &mut dst,
            &ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3)),
        )
        .map_err(AppError::internal)?;
    let pixels = dst.into_vec();
    let bytes = match format {
        Format::Avif => {
            ravif::Encoder::new()
                .with_quality(60.0)
                .with_speed(10)
                .encode_rgb(ravif::Img::new(
                    pixels.as_rgb(),
                    width as usize,
                    height as usize,
                ))
                .map_err(AppError::internal)?
                .avif_file
        }
        Format::Webp => webp::Encoder::from_rgb(&pixels, width, height)
            .encode(75.0)
            .to_vec(),
        Format::Jpeg => {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
                .map_err(AppError::internal)?;
            out
        }
    };
    Ok((bytes, width, height))
}
