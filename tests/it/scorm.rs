//! SCORM packages imported as lessons: a good package becomes a `scorm`
//! lesson with its files in the media store; a bad one is refused with its reason and leaves
//! nothing behind.

use std::io::Write;

use crate::harness::{TestDb, eduflow_cli, media_dir, refused, succeeded, tempdir};
use crate::learning::course_with_lessons;

const MANIFEST: &str = r#"<manifest identifier="m" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Safety</title>
    <item identifier="i" identifierref="r"><title>Ladders</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
  </organization></organizations>
  <resources><resource identifier="r" adlcp:scormtype="sco" href="index.html"/></resources>
</manifest>"#;

fn package(files: &[(&str, &[u8])]) -> std::path::PathBuf {
    let path = tempdir("scorm").join("package.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    path
}

#[actix_web::test]
async fn a_package_becomes_a_lesson_and_a_bad_one_leaves_nothing() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let import = |file: std::path::PathBuf| {
        let (db, course) = (&db, course.clone());
        async move {
            eduflow_cli(
                db,
                &db.admin_url,
                &tempdir("tenants"),
                &[
                    "scorm",
                    "import",
                    "--school",
                    "alpha",
                    "--course",
                    &course,
                    "--title",
                    "Ladder safety",
                    file.to_str().unwrap(),
                ],
            )
            .await
        }
    };
    let page = b"<html><body>Ladders</body></html>".as_slice();
    let lesson = succeeded(
        &import(package(&[
            ("imsmanifest.xml", MANIFEST.as_bytes()),
            ("index.html", page),
        ]))
        .await,
    )
    .trim()
    .to_owned();
    assert_eq!(
        db.text(&format!(
            "SELECT kind AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await,
        "scorm"
    );
    assert_eq!(
        db.text(&format!("SELECT version || ' ' || (scos->0->>'href') || ' ' || (scos->0->>'mastery') AS t FROM scorm_packages WHERE lesson_id = '{lesson}'")).await,
        "1.2 index.html 80.0"
    );
    let key = db
        .text(&format!(
            "SELECT key AS t FROM scorm_files WHERE lesson_id = '{lesson}' AND path = 'index.html'"
        ))
        .await;
    assert_eq!(std::fs::read(media_dir().join(&key)).unwrap(), page);

    // Refused with the reason, nothing added.
    let lessons = db.count("SELECT count(*) FROM lessons").await;
    let out = import(package(&[
        ("imsmanifest.xml", MANIFEST.as_bytes()),
        ("index.html", page),
        ("../../escape.sh", b"rm"),
    ]))
    .await;
    refused(&out, "outside");
    let out = import(package(&[("imsmanifest.xml", MANIFEST.as_bytes())])).await;
    refused(&out, "which the package does not have");
    assert_eq!(db.count("SELECT count(*) FROM lessons").await, lessons);
    assert_eq!(db.count("SELECT count(*) FROM scorm_packages").await, 1);
}

#[actix_web::test]
async fn a_packages_files_are_served_on_the_schools_host_to_its_learners_only() {
    let (db, app) = crate::harness::TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let page = b"<html><body>Ladders</body></html>".as_slice();
    let file = package(&[
        ("imsmanifest.xml", MANIFEST.as_bytes()),
        ("index.html", page),
    ]);
    let lesson = succeeded(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &tempdir("tenants"),
            &[
                "scorm",
                "import",
                "--school",
                "alpha",
                "--course",
                &course,
                "--title",
                "Ladder safety",
                file.to_str().unwrap(),
            ],
        )
        .await,
    )
    .trim()
    .to_owned();
    let url = format!("/scorm/{lesson}/index.html");
    let mut ada = crate::harness::Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    assert_eq!(
        ada.get(app.port, &url).await.status,
        403,
        "not enrolled yet"
    );
    assert_eq!(
        ada.post(app.port, &format!("/courses/{course}/enroll"), &[])
            .await
            .status,
        303
    );
    let res = ada.get(app.port, &url).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.bytes, page);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(
        res.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    for missing in [
        format!("/scorm/{lesson}/nothing.html"),
        format!("/scorm/{lesson}/../index.html"),
        "/scorm/not-an-id/index.html".to_owned(),
    ] {
        assert_eq!(ada.get(app.port, &missing).await.status, 404, "{missing}");
    }
    // A visitor is asked to sign in; another school's host knows no such lesson.
    assert_eq!(
        crate::harness::request(app.port, "GET", "alpha.localhost", &url, &[])
            .await
            .status,
        303
    );
    let mut bo = crate::harness::Browser::new("beta");
    bo.sign_up(app.port, "bo@example.org").await;
    assert_eq!(bo.get(app.port, &url).await.status, 404);

    // What the runtime commits: kept per learner and SCO; the lesson completes by the package's
    // rules (1.2: passed, the raw score at the mastery score of 80).
    let slug = db
        .text(&format!(
            "SELECT slug AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await;
    ada.get(app.port, &format!("/courses/{course}/lessons/{slug}"))
        .await;
    let commit = |csrf: String, sco: &'static str, body: &'static str, cookie: String| {
        let (course, slug) = (course.clone(), slug.clone());
        async move {
            let path = format!("/courses/{course}/lessons/{slug}/scorm/{sco}/commit?csrf={csrf}");
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nConnection: close\r\n\
                 Cookie: {cookie}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            crate::harness::raw(app.port, head.as_bytes()).await
        }
    };
    let incomplete = r#"{"cmi": {"core": {"lesson_status": "incomplete", "lesson_location": "p1"}, "suspend_data": "x=1"}}"#;
    let passed = r#"{"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "85"}, "lesson_location": "p9"}}}"#;
    let res = commit("wrong".into(), "i", incomplete, ada.cookie_header()).await;
    assert_eq!(res.status, 403, "{}", res.body);
    let res = commit(ada.csrf().to_owned(), "i", incomplete, ada.cookie_header()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["result"], true);
    let done = format!(
        "SELECT count(*) FROM lesson_progress WHERE lesson_id = '{lesson}' AND completed_at IS NOT NULL"
    );
    assert_eq!(db.count(&done).await, 0);
    assert_eq!(
        db.text("SELECT suspend_data || ' ' || location AS t FROM scorm_attempts")
            .await,
        "x=1 p1"
    );
    assert_eq!(
        commit(
            ada.csrf().to_owned(),
            "nope",
            incomplete,
            ada.cookie_header()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        commit(ada.csrf().to_owned(), "i", "not json", ada.cookie_header())
            .await
            .status,
        400
    );
    let res = commit(ada.csrf().to_owned(), "i", passed, ada.cookie_header()).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(db.count(&done).await, 1);

    // The lesson page frames the player; the runtime's state resumes from the last commit.
    let page = ada
        .get(app.port, &format!("/courses/{course}/lessons/{slug}"))
        .await;
    assert!(page.body.contains("id=\"scorm-player\""), "{}", page.body);
    assert!(page.body.contains("/static/vendor/scorm12.min.js"));
    assert!(!page.body.contains(&format!("/lessons/{slug}/complete")));
    let state = ada
        .get(
            app.port,
            &format!("/courses/{course}/lessons/{slug}/scorm/state"),
        )
        .await;
    assert_eq!(state.status, 200, "{}", state.body);
    let state = state.json();
    assert_eq!(state["version"], "1.2");
    assert_eq!(
        state["scos"][0]["launch"],
        format!("/scorm/{lesson}/index.html")
    );
    assert_eq!(state["scos"][0]["cmi"]["core"]["lesson_location"], "p9");
    assert_eq!(state["scos"][0]["completed"], true);
    assert_eq!(
        bo.get(
            app.port,
            &format!("/courses/{course}/lessons/{slug}/scorm/state")
        )
        .await
        .status,
        404
    );
}
