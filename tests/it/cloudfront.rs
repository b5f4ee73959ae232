//! CloudFront canned-policy URLs, compared byte for byte with botocore's `CloudFrontSigner`
//! (PyPI) for the same freshly generated RSA key, URL and expiry — including the URLs a lesson
//! page really links.

use std::path::PathBuf;
use std::process::Command;

use eduflow::media::cloudfront::CloudFrontSigner;

use crate::authoring::{LESSON_PAGE, published_course, video_attr};
use crate::harness::shared;
use crate::images::cover_attr;

fn tool() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tools/cloudfront_sign.py")
}

fn python(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(tool())
        .args(args)
        .output()
        .expect("python3 runs (botocore and cryptography from PyPI; .ci/run installs them)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh key pair for this test, as PEM text and its file.
fn fresh_key(name: &str) -> (String, String) {
    let path = shared().root.join(format!("{name}.pem"));
    let path = path.to_str().unwrap().to_owned();
    python(&["genkey", &path]);
    (std::fs::read_to_string(&path).unwrap(), path)
}

const KEY_ID: &str = "K2JCJMDEHXQW5F";

#[test]
fn signed_urls_match_botocore_byte_for_byte() {
    let (pem, path) = fresh_key("cf-unit");
    let signer = CloudFrontSigner::new(KEY_ID, &pem).unwrap();
    let urls = [
        "https://d111111abcdef8.cloudfront.net/t/6f1c/video/ab12.webm",
        "https://media.example.edu/t/6f1c/image/cd34.png?w=640",
        "https://d111111abcdef8.cloudfront.net/t/x/hls/segment%2000.ts",
    ];
    for expires in ["1767225600", "2000000000"] {
        let mut args = vec!["sign", path.as_str(), KEY_ID, expires];
        args.extend(urls);
        let expected: Vec<String> = python(&args).lines().map(str::to_owned).collect();
        let ours: Vec<String> = urls
            .iter()
            .map(|u| signer.sign(u, expires.parse().unwrap()))
            .collect();
        assert_eq!(ours, expected);
    }
    assert!(CloudFrontSigner::new(KEY_ID, "not a key").is_err());
    assert!(CloudFrontSigner::new("bad id!", &pem).is_err());
}

#[actix_web::test]
async fn lesson_pages_link_cloudfront_urls_botocore_would_sign() {
    let (pem, path) = fresh_key("cf-app");
    let base = "https://d111111abcdef8.cloudfront.net";
    let (_db, app, _) = published_course(|s| {
        s.media_links = eduflow::media::Links::CloudFront {
            base: base.into(),
            signer: Box::new(CloudFrontSigner::new(KEY_ID, &pem).unwrap()),
        };
    })
    .await;
    let page = app.get("alpha.localhost", LESSON_PAGE).await;
    // The lesson's video and poster, and a catalog cover's resized variant (CloudFront pulls
    // `/img/…` from EduFlow, which computes it): every one a canned-policy URL.
    let catalog = app.get("alpha.localhost", "/courses").await;
    let links = [
        video_attr(&page, "src"),
        video_attr(&page, "poster"),
        cover_attr(&catalog, "src"),
    ];
    assert!(
        links[2].starts_with(&format!("{base}/img/640/t/")),
        "{}",
        links[2]
    );
    for link in links {
        let (url, query) = link.split_once('?').unwrap();
        assert!(url.starts_with(base), "{link}");
        let expires = query
            .split('&')
            .find_map(|p| p.strip_prefix("Expires="))
            .unwrap();
        let expected = python(&["sign", &path, KEY_ID, expires, url]);
        assert_eq!(link, expected.trim_end());
    }
}
