//! Media through EduFlow's origin: stored files, rewritten HLS playlists and image variants, each
//! behind a signed link for this school's keys only.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::i18n::Msg;
use crate::learning::store as learning_store;
use crate::media::captions::with_subtitles;
use crate::media::hls::{
    MAX_PLAYLIST, PLAYLIST_TYPE, is_master, playlist_url, rewrite, stored_key,
};
use crate::media::image::Format;
use crate::media::key::MediaKey;
use crate::media::origin::{IMMUTABLE, Range, matches_etag, parse_range, signed_key};
use crate::media::variants::{DECODABLE, WIDTHS, Wanted, variant};
use crate::state::{AppState, OnReplica};
use crate::web::host::School;

/// `/media/<key>?expires=…&sig=…`: a stored file, with ranges and a year-long cache.
pub async fn file(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    // Another school's key is not found here, signed or not.
    let key = signed_key(&req, &state.media, tenant.id, &key, |_| true)?;
    let etag = format!("\"{}\"", key.sha256);
    if matches_etag(req.headers(), &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .finish());
    }
    let store = &state.media.store;
    let len = store
        .size(&key)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .insert_header((header::ACCEPT_RANGES, "bytes"));
    match key.inline_type() {
        Some(content_type) => res.content_type(content_type),
        None => res
            .content_type("application/octet-stream")
            .insert_header((header::CONTENT_DISPOSITION, "attachment")),
    };
    let range = parse_range(
        req.headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok()),
        len,
    );
    let (start, count) = match range {
        Range::Whole => (0, len),
        Range::Part { start, end } => {
            res.status(actix_web::http::StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            (start, end - start + 1)
        }
        Range::Unsatisfiable => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
                .finish());
        }
    };
    let body = store
        .read(&key, start, count)
        .await
        .map_err(AppError::internal)?;
    res.no_chunking(count);
    Ok(res.streaming(body))
}

/// `/hls/<key>?expires=…&sig=…`: a stored playlist with every key in it turned into a signed URL.
pub async fn playlist(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = signed_key(&req, &state.media, tenant.id, &key, |k| k.ext == "m3u8")?;
    let media = &state.media;
    let text = media
        .store
        .read_all(&key, MAX_PLAYLIST * 2)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let mut text = String::from_utf8(text).map_err(AppError::internal)?;
    // A lesson's captions join its ladder as a subtitles rendition.
    if is_master(&text) {
        let (id, master) = (tenant.id, key.as_str().to_owned());
        let tracks = state
            .school_tx(OnReplica(tenant.id), "hls_subtitles", move |conn| {
                Box::pin(async move { learning_store::hls_subtitles(conn, id, &master).await })
            })
            .await?;
        text = with_subtitles(&text, &tracks);
    }
    let mut urls = Vec::new();
    for line in text.lines() {
        if let Some(k) = stored_key(line) {
            urls.push(k);
        }
    }
    let mut signed = HashMap::new();
    for k in urls {
        let parsed = MediaKey::parse(&k)
            .filter(|p| p.tenant == tenant.id)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("foreign key {k} in a playlist")))?;
        let url = if parsed.ext == "m3u8" {
            playlist_url(media, &parsed)
        } else {
            media.url(&parsed).await?
        };
        signed.insert(k, url);
    }
    let body = rewrite(&text, |uri| {
        signed
            .get(uri)
            .cloned()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unsigned {uri}")))
    })?;
    Ok(HttpResponse::Ok()
        .content_type(PLAYLIST_TYPE)
        .insert_header((header::CACHE_CONTROL, "private, max-age=60"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body))
}

/// `/img/<width>/<key>?expires=…&sig=…`: the image at a listed width, in the best format the
/// browser accepts. The token is the source's own: one link opens every size of one image.
pub async fn image(
    req: HttpRequest,
    School(tenant): School,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (width, key) = path.into_inner();
    let width = width
        .parse::<u32>()
        .ok()
        .filter(|w| WIDTHS.contains(w))
        .ok_or_else(|| {
            AppError::bad_request(
                Msg::new("error-image-width").text("widths", format!("{WIDTHS:?}")),
            )
        })?;
    let source = signed_key(&req, &state.media, tenant.id, &key, |k| {
        DECODABLE.contains(&k.ext.as_str())
    })?;
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::negotiate(accept);
    let wanted = Wanted {
        source: &source,
        width,
        format,
    };
    let may_write = state.replay_to(Some(&tenant)).is_none();
    let key = variant(
        &state.media,
        &*state.pools(tenant.id)?,
        &state.metrics,
        wanted,
        may_write,
    )
    .await?;
    let bytes = state
        .media
        .store
        .read_all(&key, state.media.limits.image)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .insert_header((header::VARY, "Accept"))
        .insert_header((header::ETAG, format!("\"{}\"", key.sha256)))
        .body(bytes))
}
