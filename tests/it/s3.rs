//! The S3 backend against a real S3 server (s3s-fs on loopback, which checks SigV4 signatures):
//! uploads land in the bucket with their metadata row, the origin streams them back with ranges,
//! presigned GETs work until tampered with, and a missing object is a clean 404.

use eduflow::media::key::MediaKey;
use eduflow::media::store::{Store, StoreConfig};

use diesel_async::SimpleAsyncConnection;

use crate::authoring::{
    LESSON_PAGE, Member, VIDEO, build_course, location, published_course, video_attr,
};
use crate::harness::{TestApp, TestDb, request, s3, s3_config, school_toml, settings};

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

/// A cluster named with a bucket of its own keeps its schools' media there, in its region:
/// an upload to a school on it lands in that bucket and not in the instances' own, pages link
/// presigned GETs into it, and EduFlow's origin reads image sources from it. A school on `main`
/// stays in the instances' bucket.
#[actix_web::test]
async fn a_clusters_schools_keep_their_media_in_its_own_bucket() {
    let server = s3();
    let db = TestDb::new().await;
    let eu = TestDb::new().await;
    db.add_cluster("eu", &eu).await;
    db.admin()
        .await
        .batch_execute(&format!(
            "UPDATE clusters SET media_bucket = '{}' WHERE name = 'eu'",
            server.eu_bucket
        ))
        .await
        .unwrap();
    db.sync_schools(&[("alpha", &school_toml("alpha", &[]))])
        .await;
    eu.sync_schools(&[("beta", &school_toml("beta", &[]))])
        .await;
    let _ = db.eu.set(Box::new(eu));
    let mut s = settings(&db);
    s.media_store = StoreConfig::S3(s3_config(&server.endpoint, &server.bucket));
    s.media_links = eduflow::media::Links::Presigned;
    let app = TestApp::spawn(s).await;
    let eu_bucket = StoreConfig::S3(s3_config(&server.endpoint, &server.eu_bucket))
        .open()
        .unwrap();

    let mut videos = Vec::new();
    for school in ["alpha", "beta"] {
        let ines = Member::new(
            &app,
            &db,
            school,
            &format!("ines@{school}.test"),
            "instructor",
        )
        .await;
        let (course, _) = build_course(&app, &ines).await;
        location(
            &ines
                .post(&app, &format!("{course}/publish"), &[("publish", "1")])
                .await,
        );
        let key = db
            .text(&format!(
                "SELECT l.video_key FROM lessons l JOIN tenants t ON t.id = l.tenant_id
                  WHERE t.slug = '{school}' AND l.slug = 'why-rust'"
            ))
            .await;
        videos.push(MediaKey::parse(&key).unwrap());
    }
    let (alpha, beta) = (&videos[0], &videos[1]);
    // Each object is in its school's cluster's bucket, and only there.
    assert_eq!(
        bucket().size(alpha).await.unwrap(),
        Some(VIDEO.len() as u64)
    );
    assert_eq!(eu_bucket.size(alpha).await.unwrap(), None);
    assert_eq!(
        eu_bucket.size(beta).await.unwrap(),
        Some(VIDEO.len() as u64)
    );
    assert_eq!(bucket().size(beta).await.unwrap(), None);
    assert_eq!(
        eu_bucket.school_keys(beta.tenant).await.unwrap().len(),
        2,
        "beta's cover and video"
    );

    // Pages link presigned GETs into the school's own bucket, and they work.
    for (school, bucket) in [("alpha", &server.bucket), ("beta", &server.eu_bucket)] {
        let page = app.get(&format!("{school}.localhost"), LESSON_PAGE).await;
        let src = video_attr(&page, "src");
        let path = src
            .strip_prefix(&server.endpoint)
            .unwrap_or_else(|| panic!("a link into a bucket: {src}"));
        assert!(
            path.starts_with(&format!("/{bucket}/t/")),
            "{school}: {path}"
        );
        let host = server.endpoint.trim_start_matches("http://");
        let fetched = request(port_of(host), "GET", host, path, &[]).await;
        assert_eq!(fetched.status, 200, "{school}: {}", fetched.body);
        assert_eq!(
            fetched.header("content-length"),
            Some(VIDEO.len().to_string().as_str())
        );
    }

    // Image variants are EduFlow's own: its origin reads beta's cover from eu's bucket.
    let catalog = app.get("beta.localhost", "/courses").await;
    let img = catalog
        .body
        .replace("&#x2F;", "/")
        .split("/img/")
        .nth(1)
        .and_then(|rest| rest.split([' ', '"', ',']).next())
        .map(|rest| format!("/img/{}", rest.replace("&amp;", "&")))
        .unwrap_or_else(|| panic!("a cover in beta's catalog: {}", catalog.body));
    let cover = request(app.port, "GET", "beta.localhost", &img, &[]).await;
    assert_eq!(cover.status, 200, "{img}: {}", cover.body);
    assert!(
        cover
            .header("content-type")
            .unwrap_or_default()
            .starts_with("image/")
    );
}
