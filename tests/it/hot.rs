//! The hot path: cached pages are taken by workers without a message to the school's actor, sent
//! already compressed in the encoding the browser prefers, and revalidated with a strong ETag;
//! other text is compressed per response, media never.

use std::io::Read;

use crate::harness::{Browser, TestApp, request};

fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[actix_web::test]
async fn cached_pages_go_out_compressed_once_with_strong_etags() {
    let (db, app) = TestApp::two_schools().await;
    let get = |headers: Vec<(&'static str, String)>| {
        let port = app.port;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            request(port, "GET", "alpha.localhost", "/courses", &headers).await
        }
    };
    let plain = get(vec![]).await;
    assert_eq!(plain.status, 200);
    assert!(plain.header("content-encoding").is_none());
    let br = get(vec![("Accept-Encoding", "br, gzip".into())]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(
        br.header("vary"),
        Some("Accept-Encoding, Accept-Language, Cookie")
    );
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut &br.bytes[..], &mut decoded).unwrap();
    assert_eq!(decoded, plain.bytes, "the brotli copy is another page");
    assert!(
        br.bytes.len() * 4 < plain.bytes.len(),
        "{} vs {}",
        br.bytes.len(),
        plain.bytes.len()
    );
    let gz = get(vec![("Accept-Encoding", "gzip".into())]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.bytes);

    // Hits are taken from the shelf: no message reaches the actor, nothing is compressed again.
    let metrics = app.metrics().await;
    let (hits, waits) = (
        metric(&metrics, "eduflow_page_cache_hits_total"),
        metric(&metrics, "eduflow_actor_mailbox_wait_seconds_count"),
    );
    for _ in 0..5 {
        assert_eq!(
            get(vec![("Accept-Encoding", "br".into())]).await.bytes,
            br.bytes
        );
    }
    let metrics = app.metrics().await;
    assert_eq!(
        metric(&metrics, "eduflow_page_cache_hits_total"),
        hits + 5.0
    );
    assert_eq!(
        metric(&metrics, "eduflow_actor_mailbox_wait_seconds_count"),
        waits
    );

    // Revalidation: the same page is a 304 in any encoding; a changed page is not.
    let etag = br.header("etag").unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with("-br\""), "{etag}");
    let again = get(vec![
        ("Accept-Encoding", "gzip".into()),
        ("If-None-Match", etag.clone()),
    ])
    .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(again.header("etag"), gz.header("etag"));
    let alpha = db
        .text("SELECT id::text AS v FROM tenants WHERE slug = 'alpha'")
        .await;
    crate::catalog::insert_course(&db, alpha.parse().unwrap(), "brand-new", "now()").await;
    let changed = crate::harness::eventually(std::time::Duration::from_secs(1), || async {
        get(vec![
            ("Accept-Encoding", "br".into()),
            ("If-None-Match", etag.clone()),
        ])
        .await
        .status
            == 200
    })
    .await;
    assert!(
        changed.is_some(),
        "a changed page still revalidated as unchanged"
    );
}

#[actix_web::test]
async fn signed_in_pages_are_their_own_and_other_text_is_compressed_but_media_is_not() {
    let (_db, app) = TestApp::two_schools().await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    let anonymous = request(app.port, "GET", "alpha.localhost", "/courses", &[]).await;
    let etag = anonymous.header("etag").unwrap().to_owned();
    let mine = request(
        app.port,
        "GET",
        "alpha.localhost",
        "/courses",
        &[
            ("Cookie", &ada.cookie_header()),
            ("If-None-Match", &etag),
            ("Accept-Encoding", "gzip"),
        ],
    )
    .await;
    assert_eq!(
        mine.status, 200,
        "a signed-in page revalidated as the anonymous one"
    );
    assert!(mine.header("etag").is_none());
    assert_eq!(mine.header("cache-control"), Some("private, no-cache"));
    assert_eq!(
        mine.header("content-encoding"),
        Some("gzip"),
        "compressed per response"
    );
    let plain = ada.get(app.port, "/courses").await;
    assert!(plain.body.contains("Ada Lovelace") && plain.body.contains("Log out"));

    let css = request(
        app.port,
        "GET",
        "alpha.localhost",
        "/static/app.css",
        &[("Accept-Encoding", "br")],
    )
    .await;
    assert_eq!(css.header("content-encoding"), Some("br"));
    let page = request(app.port, "GET", "alpha.localhost", "/courses", &[]).await;
    let src = crate::images::cover_attr(&page, "src");
    let image = request(
        app.port,
        "GET",
        "alpha.localhost",
        &src,
        &[("Accept-Encoding", "gzip, br"), ("Accept", "image/webp")],
    )
    .await;
    assert_eq!(image.status, 200);
    assert!(image.header("content-encoding").is_none());
    let healthz = request(
        app.port,
        "GET",
        "alpha.localhost",
        "/healthz",
        &[("Accept-Encoding", "br")],
    )
    .await;
    assert!(healthz.header("content-encoding").is_none());
}
