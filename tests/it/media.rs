//! The media origin: signed, school-scoped, ranged, cacheable.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::Mac;

use crate::harness::{MEDIA_SECRET, Response, TestApp, TestDb, request, settings};

const VIDEO: &[u8] = include_bytes!("../../static/demo/lesson.webm");

/// The signed video URL on a school's free-preview lesson page.
async fn video_url(app: &TestApp, db: &TestDb, school: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        course: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        lesson: String,
    }
    let row: Row = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(format!(
            "SELECT c.slug AS course, l.slug AS lesson FROM lessons l JOIN sections s ON s.id = l.section_id
               JOIN courses c ON c.id = s.course_id JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = '{school}' AND c.published AND l.video_key IS NOT NULL LIMIT 1"
        )),
        &mut db.superuser().await,
    )
    .await
    .unwrap();
    let page = app
        .get(
            &format!("{school}.localhost"),
            &format!("/courses/{}/lessons/{}", row.course, row.lesson),
        )
        .await;
    let src = page
        .body
        .split("<video")
        .nth(1)
        .expect("a video element")
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(page.body.contains("preload=\"metadata\""));
    src.replace("&amp;", "&").replace("&#x2F;", "/")
}

async fn fetch(app: &TestApp, host: &str, url: &str, headers: &[(&str, &str)]) -> Response {
    request(app.port, "GET", host, url, headers).await
}

/// Signs like the server does, for URLs the server would never hand out.
fn sign(key: &str, expires: u64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(MEDIA_SECRET).unwrap();
    mac.update(format!("{key}\n{expires}").as_bytes());
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("/media/{key}?expires={expires}&sig={sig}")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[actix_web::test]
async fn signed_video_is_served_whole_ranged_and_cacheable() {
    let (db, app) = TestApp::two_schools().await;
    let url = video_url(&app, &db, "alpha").await;
    let len = VIDEO.len();
    let whole = fetch(&app, "alpha.localhost", &url, &[]).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-type"), Some("video/webm"));
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(
        whole.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(whole.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        whole.header("content-length"),
        Some(len.to_string().as_str())
    );
    let etag = whole.header("etag").unwrap().to_owned();
    for (range, start, end) in [
        ("bytes=0-1", 0, 1),
        ("bytes=100-4195", 100, 4195),
        ("bytes=20000-", 20000, len - 1),
        ("bytes=-500", len - 500, len - 1),
    ] {
        let part = raw_bytes(&app, &url, range).await;
        assert_eq!(part.0, 206, "{range}");
        assert_eq!(
            part.1.as_deref(),
            Some(format!("bytes {start}-{end}/{len}").as_str()),
            "{range}"
        );
        assert_eq!(part.2, &VIDEO[start..=end], "{range}: wrong bytes");
    }
    let unsatisfiable = fetch(
        &app,
        "alpha.localhost",
        &url,
        &[("Range", &format!("bytes={len}-"))],
    )
    .await;
    assert_eq!(
        (unsatisfiable.status, unsatisfiable.header("content-range")),
        (416, Some(format!("bytes */{len}").as_str()))
    );
    let cached = fetch(&app, "alpha.localhost", &url, &[("If-None-Match", &etag)]).await;
    assert_eq!((cached.status, cached.body.len()), (304, 0));
    // Safari's probe, with curl.
    let out = tokio::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{size_download}",
            "-r",
            "0-1",
            "-H",
            "Host: alpha.localhost",
        ])
        .arg(format!("http://127.0.0.1:{}{url}", app.port))
        .output()
        .await
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "206 2");
}

/// Status, Content-Range and the exact body bytes of a ranged request.
async fn raw_bytes(app: &TestApp, url: &str, range: &str) -> (u16, Option<String>, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    s.write_all(format!("GET {url} HTTP/1.1\r\nHost: alpha.localhost\r\nRange: {range}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_range = head
        .lines()
        .find_map(|l| l.strip_prefix("content-range: ").map(str::to_owned));
    (status, content_range, buf[split + 4..].to_vec())
}

#[actix_web::test]
async fn bad_expired_foreign_and_missing_media_are_refused() {
    let (db, app) = TestApp::two_schools().await;
    let url = video_url(&app, &db, "alpha").await;
    let key = url
        .trim_start_matches("/media/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // Tampered token, tampered expiry, no token, an expired token: 403.
    let tampered = url.replace("sig=", "sig=x");
    let longer = url.replace("expires=", "expires=9");
    for bad in [
        tampered,
        longer,
        format!("/media/{key}"),
        sign(&key, now() - 10),
    ] {
        let res = fetch(&app, "alpha.localhost", &bad, &[]).await;
        assert_eq!(res.status, 403, "{bad}");
        assert!(!res.body.as_bytes().starts_with(&VIDEO[..4]));
    }
    // Alpha's object asked for at beta, even with a valid token: not found.
    assert_eq!(fetch(&app, "beta.localhost", &url, &[]).await.status, 404);
    // A well-formed, validly signed key of nothing: not found.
    let missing = key.replace(&key[key.len() - 69..key.len() - 5], &"0".repeat(64));
    assert_eq!(
        fetch(&app, "alpha.localhost", &sign(&missing, now() + 60), &[])
            .await
            .status,
        404
    );
    // Traversal and junk keys: not found.
    for junk in [
        "/media/../../etc/passwd",
        "/media/t/x/y.webm",
        "/media/t/%2e%2e/%2e%2e/secret",
    ] {
        assert_eq!(
            fetch(&app, "alpha.localhost", junk, &[]).await.status,
            404,
            "{junk}"
        );
    }
}

/// Behind a Bunny.net pull zone: pages link to the CDN with a token for the school's prefix, and
/// the origin serves the zone's pulls (by the shared origin header) but nobody else's.
#[actix_web::test]
async fn behind_a_bunny_cdn_links_are_cdn_tokens_for_the_schools_prefix() {
    const ORIGIN_SECRET: &str = "origin secret shared with the pull zone";
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let mut s = settings(&db);
    s.media_links = eduflow::media::Links::Bunny {
        base: "https://cdn.example.test".into(),
        key: b"zone token key".to_vec(),
    };
    s.cdn_origin_secret = Some(ORIGIN_SECRET.into());
    let app = TestApp::spawn(s).await;
    let url = video_url(&app, &db, "alpha").await;
    let prefix = format!("/t/{alpha}/");
    assert!(
        url.starts_with(&format!("https://cdn.example.test{prefix}video/")),
        "{url}"
    );
    // The token is Bunny's, for the school's whole prefix (what the pull zone will check).
    let query: std::collections::HashMap<String, String> =
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(query["token_path"], prefix);
    let path = url
        .trim_start_matches("https://cdn.example.test")
        .split('?')
        .next()
        .unwrap();
    let grant = eduflow::media::bunny::Grant {
        path,
        expires: query["expires"].parse().unwrap(),
        path_allowed: Some(&prefix),
        ..Default::default()
    };
    assert_eq!(
        eduflow::media::bunny::sign(b"zone token key", "https://cdn.example.test", &grant).1,
        url
    );
    // The zone's pull reaches the origin; a wrong secret or none does not.
    let key = path.trim_start_matches('/');
    let origin = format!("/media/{key}");
    assert_eq!(
        fetch(
            &app,
            "alpha.localhost",
            &origin,
            &[("X-EduFlow-Origin-Secret", ORIGIN_SECRET)]
        )
        .await
        .status,
        200
    );
    assert_eq!(
        fetch(
            &app,
            "alpha.localhost",
            &origin,
            &[("X-EduFlow-Origin-Secret", "guess")]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        fetch(&app, "alpha.localhost", &origin, &[]).await.status,
        403
    );
    // Another school's host still finds nothing, secret or not.
    assert_eq!(
        fetch(
            &app,
            "beta.localhost",
            &origin,
            &[("X-EduFlow-Origin-Secret", ORIGIN_SECRET)]
        )
        .await
        .status,
        404
    );
    // Cover variants go through the zone too, each with a token for its own path; the zone's
    // pull of `/img/…` is computed by EduFlow.
    let catalog = app.get("alpha.localhost", "/courses").await;
    let cover = crate::images::cover_attr(&catalog, "src");
    let (cover_path, query) = cover
        .strip_prefix("https://cdn.example.test")
        .and_then(|c| c.split_once('?'))
        .unwrap_or_else(|| panic!("a CDN link: {cover}"));
    assert!(cover_path.starts_with("/img/640/t/"), "{cover}");
    let expires = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "expires")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let grant = eduflow::media::bunny::Grant {
        path: cover_path,
        expires,
        ..Default::default()
    };
    assert_eq!(
        eduflow::media::bunny::sign(b"zone token key", "https://cdn.example.test", &grant).1,
        cover
    );
    let pulled = fetch(
        &app,
        "alpha.localhost",
        cover_path,
        &[
            ("X-EduFlow-Origin-Secret", ORIGIN_SECRET),
            ("Accept", "image/webp"),
        ],
    )
    .await;
    assert_eq!(
        (pulled.status, pulled.header("content-type")),
        (200, Some("image/webp"))
    );
}

#[actix_web::test]
async fn without_a_cdn_the_origin_header_opens_nothing() {
    let (db, app) = TestApp::two_schools().await;
    let url = video_url(&app, &db, "alpha").await;
    let bare = url.split('?').next().unwrap();
    assert_eq!(
        fetch(
            &app,
            "alpha.localhost",
            bare,
            &[("X-EduFlow-Origin-Secret", "anything at all, of any length")]
        )
        .await
        .status,
        403
    );
}
