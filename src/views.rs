//! Tera templates, compiled into the binary so one file deploys everywhere. Every template is
//! named `*.html`, so tera escapes whatever it interpolates.

use tera::{Context, Tera};

use crate::error::AppError;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("catalog.html", include_str!("../templates/catalog.html")),
    ("course.html", include_str!("../templates/course.html")),
    ("landing.html", include_str!("../templates/landing.html")),
    ("signup.html", include_str!("../templates/signup.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("lesson.html", include_str!("../templates/lesson.html")),
    ("learn.html", include_str!("../templates/learn.html")),
    (
        "author_index.html",
        include_str!("../templates/author_index.html"),
    ),
    (
        "author_course.html",
        include_str!("../templates/author_course.html"),
    ),
    (
        "author_lesson.html",
        include_str!("../templates/author_lesson.html"),
    ),
    (
        "admin_members.html",
        include_str!("../templates/admin_members.html"),
    ),
];

pub struct Views {
    tera: Tera,
}

impl Views {
    pub fn new() -> anyhow::Result<Self> {
        let mut tera = Tera::default();
        tera.register_filter("markdown", crate::markdown::filter);
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        Ok(Self { tera })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, AppError> {
        self.tera.render(name, ctx).map_err(AppError::internal)
    }
}

/// A redirect after a form (303, so the browser follows it with a GET).
pub fn see_other(location: impl Into<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.into()))
        .finish()
}
