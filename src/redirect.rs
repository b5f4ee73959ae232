//! The answer to a form that worked.

/// A redirect after a form (303, so the browser follows it with a GET).
pub fn see_other(location: impl Into<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.into()))
        .finish()
}
