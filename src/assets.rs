//! Static files, compiled into the binary.

use actix_web::{HttpResponse, web};

use crate::error::AppError;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "player.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/player.js"),
    ),
    (
        "upload.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/upload.js"),
    ),
    (
        "vendor/hls.light.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/hls.light.min.js"),
    ),
    (
        "logos/northwind.svg",
        "image/svg+xml",
        include_bytes!("../static/logos/northwind.svg"),
    ),
    (
        "logos/riverside.svg",
        "image/svg+xml",
        include_bytes!("../static/logos/riverside.svg"),
    ),
];

/// A static file's content type and bytes, by its path under `/static/`.
pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .map(|(_, content_type, body)| (*content_type, *body))
}

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (content_type, body) = find(path.as_str()).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body))
}
