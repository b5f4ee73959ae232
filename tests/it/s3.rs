//! The S3 backend against a real S3 server (s3s-fs on loopback, which checks SigV4 signatures):
//! uploads land in the bucket with their metadata row, the origin streams them back with ranges,
//! presigned GETs work until tampered with, and a missing object is a clean 404.

use eduflow::media::key::MediaKey;
use eduflow::media::store::{Store, StoreConfig};

use crate::authoring::{LESSON_PAGE, Member, VIDEO, published_course, video_attr};
use crate::harness::{TestApp, TestDb, request, s3, s3_config};

async fn app_on_s3(links: eduflow::media::Links) -> (TestDb, TestApp, Member) {
    let server = s3();
    published_course(|s| {
        s.media_store = StoreConfig::S3(s3_config(&server.endpoint, &server.bucket));
        s.media_links = links;
    })
    .await
}

fn port_of(host: &str) -> u16 {
    host.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("host:port")
}

fn bucket() -> Store {
    let server = s3();
    StoreConfig::S3(s3_config(&server.endpoint, &server.bucket))
        .open()
        .unwrap()
}

#[actix_web::test]
async fn uploads_land_in_the_bucket_and_stream_back_with_ranges() {
    let (db, app, _) = app_on_s3(eduflow::media::Links::Origin).await;
    let key = db
        .text(
            "SELECT l.video_key FROM lessons l JOIN tenants t ON t.id = l.tenant_id
              WHERE t.slug = 'alpha' AND l.slug = 'why-rust'",
        )
        .await;
    let key = MediaKey::parse(&key).unwrap();
    let store = bucket();
    // The object is in the bucket, whole, under its content address.
    assert_eq!(store.size(&key).await.unwrap(), Some(VIDEO.len() as u64));
    assert_eq!(
        store.read_all(&key, 1 << 20).await.unwrap().as_deref(),
        Some(VIDEO)
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM media WHERE key = '{}' AND size_bytes = {} AND sha256 = '{}'",
            key.as_str(),
            VIDEO.len(),
            key.sha256
        ))
        .await,
        1
    );

    // The origin streams it from the bucket: whole, Safari's probe, a suffix, past the end.
    let page = app.get("alpha.localhost", LESSON_PAGE).await;
    let src = video_attr(&page, "src");
    let get = |range: Option<&'static str>| {
        let (app, src) = (&app, src.clone());
        async move {
            let headers: Vec<(&str, &str)> = range.map(|r| ("Range", r)).into_iter().collect();
            request(app.port, "GET", "alpha.localhost", &src, &headers).await
        }
    };
    let whole = get(None).await;
    assert_eq!(whole.status, 200);
    assert_eq!(
        whole.header("content-length"),
        Some(VIDEO.len().to_string().as_str())
    );
    let probe = get(Some("bytes=0-1")).await;
    assert_eq!(probe.status, 206);
    assert_eq!(
        probe.header("content-range"),
        Some(format!("bytes 0-1/{}", VIDEO.len()).as_str())
    );
    assert_eq!(probe.body.as_bytes(), &VIDEO[..2]);
    let tail = get(Some("bytes=-4")).await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.header("content-length"), Some("4"));
    assert_eq!(get(Some("bytes=999999999-")).await.status, 416);

    // Gone from the bucket: a clean 404, not a 500.
    let missing = MediaKey::new(key.tenant, "video", &"0".repeat(64), "webm");
    assert_eq!(store.size(&missing).await.unwrap(), None);
    let signed = app.state.media.url(&missing).await.unwrap();
    assert_eq!(
        request(app.port, "GET", "alpha.localhost", &signed, &[])
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn without_a_cdn_pages_link_presigned_gets_that_refuse_tampering() {
    let (_db, app, _) = app_on_s3(eduflow::media::Links::Presigned).await;
    let server = s3();
    let page = app.get("alpha.localhost", LESSON_PAGE).await;
    let src = video_attr(&page, "src");
    let host = server.endpoint.trim_start_matches("http://");
    let path = src
        .strip_prefix(&server.endpoint)
        .unwrap_or_else(|| panic!("a link into the bucket: {src}"));
    assert!(
        path.starts_with(&format!("/{}/t/", server.bucket)),
        "{path}"
    );
    assert!(path.contains("X-Amz-Signature="), "{path}");
    let fetched = request(port_of(host), "GET", host, path, &[]).await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    assert_eq!(
        fetched.header("content-length"),
        Some(VIDEO.len().to_string().as_str())
    );
    let ranged = request(port_of(host), "GET", host, path, &[("Range", "bytes=0-1")]).await;
    assert_eq!(ranged.status, 206);
    // Another key under the same signature, or a changed signature: refused by S3 itself.
    let other = path.replacen("/video/", "/image/", 1);
    assert_eq!(
        request(port_of(host), "GET", host, &other, &[])
            .await
            .status,
        403
    );
    let sig_at = path.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut tampered = path.to_owned();
    let flipped = if &tampered[sig_at..=sig_at] == "0" {
        "1"
    } else {
        "0"
    };
    tampered.replace_range(sig_at..=sig_at, flipped);
    assert_eq!(
        request(port_of(host), "GET", host, &tampered, &[])
            .await
            .status,
        403
    );
}
