//! Image variants: a stored image resized (fast_image_resize) to one of a few widths and encoded
//! as AVIF, lossy WebP or JPEG by what the browser accepts. Each variant is computed once: it goes
//! back into the store under its own content address, with a row saying what it is a variant of.
//! Concurrent requests for the same missing variant share one computation.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;

use super::Media;
use super::image::{Format, encode};
use super::inflight::VariantId;
use super::key::MediaKey;
use super::record::NewMedia;
use crate::db::schema::media_variants;
use crate::db::{PgPool, Pools, tenant_tx};
use crate::error::AppError;
use crate::metrics::Metrics;

/// The widths variants come in; nothing else is computed, so URLs cannot ask for endless work.
pub const WIDTHS: &[u32] = &[320, 640, 960, 1280, 1920];

/// Sources EduFlow can decode (AVIF sources are served as they are).
pub const DECODABLE: &[&str] = &["jpg", "png", "webp", "gif"];

/// One size and format of one stored image.
#[derive(Debug, Clone, Copy)]
pub struct Wanted<'a> {
    pub source: &'a MediaKey,
    pub width: u32,
    pub format: Format,
}

impl Wanted<'_> {
    fn id(&self) -> VariantId {
        (self.source.as_str().to_owned(), self.width, self.format)
    }
}

/// The key of the `wanted` variant, computing and storing it on first request. Where this
/// instance may not write (`may_write` false: outside the primary region), a variant not yet
/// recorded sends the request to the primary region.
pub async fn variant(
    media: &Media,
    pools: &Pools,
    metrics: &Metrics,
    wanted: Wanted<'_>,
    may_write: bool,
) -> Result<MediaKey, AppError> {
    // A recorded variant never changes, so a replica's answer is good; a lagging replica only
    // sends the request on to the check on the primary below.
    if let Some(key) = recorded(pools.read(), wanted).await? {
        return Ok(key);
    }
    if !may_write {
        return Err(AppError::NeedsPrimary(anyhow::anyhow!(
            "image variant not computed yet"
        )));
    }
    let id = wanted.id();
    let cell = media.inflight.join(&id);
    let result = cell
        .get_or_init(|| async {
            // A computation that finished just before this one began has recorded its variant.
            match recorded(pools.primary(), wanted).await? {
                Some(key) => Ok(key),
                None => compute(media, pools.primary(), metrics, wanted).await,
            }
        })
        .await;
    let result = match result {
        Ok(key) => Ok(key.clone()),
        Err(e) => Err(e.duplicate()),
    };
    media.inflight.finish(&id);
    result
}

async fn recorded(pool: &PgPool, wanted: Wanted<'_>) -> Result<Option<MediaKey>, AppError> {
    let (tenant, source) = (wanted.source.tenant, wanted.source.as_str().to_owned());
    let (width, format) = (wanted.width as i32, wanted.format.ext());
    let key: Option<String> = tenant_tx(pool, tenant, "media_read", move |conn| {
        Box::pin(async move {
            Ok(media_variants::table
                .filter(media_variants::source_key.eq(&source))
                .filter(media_variants::width.eq(width))
                .filter(media_variants::format.eq(format))
                .select(media_variants::key)
                .first(conn)
                .await
                .optional()?)
        })
    })
    .await?;
    Ok(key.as_deref().and_then(MediaKey::parse))
}

async fn compute(
    media: &Media,
    pool: &PgPool,
    metrics: &Metrics,
    Wanted {
        source,
        width,
        format,
    }: Wanted<'_>,
) -> Result<MediaKey, AppError> {
    let bytes = media
        .store
        .read_all(source, media.limits.image)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let _permit = media.encoding.acquire().await.map_err(AppError::internal)?;
    let started = std::time::Instant::now();
    let (encoded, w, h) = tokio::task::spawn_blocking(move || encode(&bytes, width, format))
        .await
        .map_err(AppError::internal)??;
    metrics
        .image_variants
        .with_label_values(&[format.ext()])
        .observe(started.elapsed().as_secs_f64());
    let key = MediaKey::of_bytes(source.tenant, "variant", &encoded, format.ext());
    media
        .store
        .put_bytes(&key, &encoded, format.content_type())
        .await
        .map_err(AppError::internal)?;
    let row = NewMedia {
        key: key.clone(),
        content_type: format.content_type().to_owned(),
        len: encoded.len() as u64,
        info: super::probe::MediaInfo {
            width: Some(w as i32),
            height: Some(h as i32),
            duration_seconds: None,
        },
        original_name: format!("{width}w variant"),
        uploader: None,
    };
    let source_key = source.as_str().to_owned();
    tenant_tx(pool, source.tenant, "media_write", move |conn| {
        Box::pin(async move {
            row.insert(conn).await?;
            diesel::insert_into(media_variants::table)
                .values((
                    media_variants::tenant_id.eq(row.key.tenant.0),
                    media_variants::source_key.eq(&source_key),
                    media_variants::width.eq(width as i32),
                    media_variants::format.eq(format.ext()),
                    media_variants::key.eq(row.key.as_str()),
                    media_variants::height.eq(h as i32),
                    media_variants::size_bytes.eq(row.len as i64),
                ))
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await?;
    Ok(key)
}

/// What a page needs to show a stored image responsively.
#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    pub src: String,
    pub srcset: String,
    pub width: i32,
    pub height: i32,
}

/// A picture of the stored image `key` (`width`×`height`): variant links for every listed
/// width up to the image's own, or the original where it cannot be resized.
pub fn picture(media: &Media, key: &MediaKey, width: i32, height: i32) -> Picture {
    let widths: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|w| i64::from(*w) <= i64::from(width))
        .collect();
    if !DECODABLE.contains(&key.ext.as_str()) || widths.is_empty() {
        return Picture {
            src: media.edge_url(key),
            srcset: String::new(),
            width,
            height,
        };
    }
    let src_width = widths
        .iter()
        .copied()
        .find(|w| *w >= 640)
        .unwrap_or(widths[widths.len() - 1]);
    Picture {
        src: media.image_url(key, src_width),
        srcset: widths
            .iter()
            .map(|w| format!("{} {w}w", media.image_url(key, *w)))
            .collect::<Vec<_>>()
            .join(", "),
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_accepted_format_wins() {
        assert_eq!(
            Format::negotiate("image/avif,image/webp,image/apng,*/*;q=0.8"),
            Format::Avif
        );
        assert_eq!(Format::negotiate("image/webp,*/*"), Format::Webp);
        assert_eq!(
            Format::negotiate("image/avif;q=0, image/webp"),
            Format::Webp
        );
        assert_eq!(Format::negotiate("*/*"), Format::Jpeg);
        assert_eq!(Format::negotiate(""), Format::Jpeg);
    }

    #[test]
    fn variants_are_resized_and_really_encoded() {
        let img = image::RgbImage::from_fn(800, 450, |x, y| image::Rgb([x as u8, y as u8, 90]));
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let png = png.into_inner();
        for (format, magic) in [
            (Format::Webp, &b"RIFF"[..]),
            (Format::Jpeg, &[0xFF, 0xD8, 0xFF][..]),
        ] {
            let (bytes, w, h) = encode(&png, 320, format).unwrap();
            assert_eq!((w, h), (320, 180));
            assert!(bytes.starts_with(magic), "{format:?}");
            let back = image::load_from_memory(&bytes).unwrap();
            assert_eq!((back.width(), back.height()), (320, 180));
        }
        let (avif, w, h) = encode(&png, 320, Format::Avif).unwrap();
        assert_eq!((w, h), (320, 180));
        assert_eq!(
            crate::media::sniff::sniff(&avif[..64])
                .unwrap()
                .content_type,
            "image/avif"
        );
        // Never enlarged; garbage is a clean 422.
        assert_eq!(encode(&png, 1920, Format::Jpeg).unwrap().1, 800);
        assert!(matches!(
            encode(b"\x89PNG\r\n\x1a\nnot really", 320, Format::Jpeg),
            Err(AppError::Unprocessable(_))
        ));
    }
}
