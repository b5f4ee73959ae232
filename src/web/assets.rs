//! `/static/…`: the files built into the binary (see `crate::assets`).

use actix_web::{HttpResponse, web};

use crate::assets::find;
use crate::error::AppError;

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (content_type, body) = find(path.as_str()).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body))
}
