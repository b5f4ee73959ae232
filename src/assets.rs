//! Static files, compiled into the binary.

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "autopost.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/autopost.js"),
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
        "scorm.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/scorm.js"),
    ),
    (
        "vendor/scorm12.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/scorm12.min.js"),
    ),
    (
        "vendor/scorm2004.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/scorm2004.min.js"),
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
