//! Responsive images: pages link resized variants with srcset; each variant is computed once, in
//! the format the browser accepts, stored, and served immutably.

use crate::harness::{Response, TestApp, request};

/// An attribute of the first course card's cover image, unescaped.
pub fn cover_attr(page: &Response, name: &str) -> String {
    page.body
        .split("<a class=\"cover\"")
        .nth(1)
        .and_then(|c| c.split("<img").nth(1))
        .and_then(|img| img.split('>').next())
        .and_then(|img| img.split(&format!(" {name}=\"")).nth(1))
        .and_then(|v| v.split('"').next())
        .map(|v| v.replace("&amp;", "&").replace("&#x2F;", "/"))
        .unwrap_or_else(|| panic!("no {name} on a cover: {:.2000}", page.body))
}

#[actix_web::test]
async fn covers_are_variants_computed_once_in_the_format_each_browser_takes() {
    let (db, app) = TestApp::two_schools().await;
    let page = app.get("alpha.localhost", "/courses").await;
    assert_eq!(cover_attr(&page, "width"), "1280");
    assert_eq!(cover_attr(&page, "height"), "720");
    assert_eq!(cover_attr(&page, "loading"), "lazy");
    assert!(cover_attr(&page, "sizes").contains("320px"));
    let srcset = cover_attr(&page, "srcset");
    for w in ["320w", "640w", "960w", "1280w"] {
        assert!(srcset.contains(w), "{srcset}");
    }
    assert!(
        !srcset.contains("1920w"),
        "never larger than the source: {srcset}"
    );
    let src = cover_attr(&page, "src");
    assert!(
        src.starts_with("/img/640/t/") && src.contains("&sig="),
        "{src}"
    );

    let avif_computed = || {
        app.state
            .metrics
            .image_variants
            .with_label_values(&["avif"])
            .get_sample_count()
    };
    let before = avif_computed();
    let get = |accept: &'static str| {
        let (app, src) = (&app, src.clone());
        async move {
            request(
                app.port,
                "GET",
                "alpha.localhost",
                &src,
                &[("Accept", accept)],
            )
            .await
        }
    };
    // Four browsers at once miss the same AVIF variant: it is computed once.
    let chrome = "image/avif,image/webp,image/apng,*/*;q=0.8";
    let answers = futures_util::future::join_all((0..4).map(|_| get(chrome))).await;
    for res in &answers {
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("content-type"), Some("image/avif"));
        assert_eq!(res.header("vary"), Some("Accept"));
        assert_eq!(
            res.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(res.header("etag"), answers[0].header("etag"));
    }
    assert_eq!(avif_computed(), before + 1);
    assert_eq!(
        db.count("SELECT count(*) FROM media_variants WHERE format = 'avif' AND width = 640")
            .await,
        1
    );
    // Asked again later: from the store, not recomputed.
    assert_eq!(get(chrome).await.header("content-type"), Some("image/avif"));
    assert_eq!(avif_computed(), before + 1);

    // Other browsers get WebP or JPEG, really resized.
    for (accept, content_type) in [("image/webp,*/*", "image/webp"), ("*/*", "image/jpeg")] {
        let res = get(accept).await;
        assert_eq!(
            res.header("content-type"),
            Some(content_type),
            "{}",
            res.body
        );
        let decoded = image::load_from_memory(&res.bytes).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (640, 360),
            "{content_type}"
        );
    }
    assert_eq!(
        db.count(
            "SELECT count(*) FROM media m JOIN media_variants v ON v.key = m.key AND v.tenant_id = m.tenant_id
              WHERE v.width = 640 AND m.width = 640 AND m.height = 360"
        )
        .await,
        3
    );

    // Widths outside the list, tampered tokens, other schools: refused, nothing computed.
    let at = |path: String, host: &'static str| {
        let app = &app;
        async move {
            request(app.port, "GET", host, &path, &[("Accept", "*/*")])
                .await
                .status
        }
    };
    assert_eq!(
        at(src.replace("/img/640/", "/img/641/"), "alpha.localhost").await,
        400
    );
    assert_eq!(
        at(src.replace("sig=", "sig=A"), "alpha.localhost").await,
        403
    );
    assert_eq!(at(src.clone(), "beta.localhost").await, 404);
    assert_eq!(
        db.count("SELECT count(*) FROM media_variants").await,
        3,
        "nothing more computed"
    );
}
