//! SCORM packages imported as lessons: a good package becomes a `scorm`
//! lesson with its files in the media store; a bad one is refused with its reason and leaves
//! nothing behind.

use std::io::Write;

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, media_dir, raw, refused, shared, succeeded, tempdir,
};
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

/// `eduflow scorm import` of `file` into alpha's `course`, titled `title`.
async fn import(
    db: &TestDb,
    course: &str,
    title: &str,
    file: &std::path::Path,
) -> std::process::Output {
    let args = [
        "scorm", "import", "--school", "alpha", "--course", course, "--title", title,
    ];
    let file = file.to_str().unwrap();
    let args: Vec<&str> = args.into_iter().chain([file]).collect();
    eduflow_cli(db, &db.admin_url, &tempdir("tenants"), &args).await
}

#[actix_web::test]
async fn a_package_becomes_a_lesson_and_a_bad_one_leaves_nothing() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let ladders = |file: std::path::PathBuf| {
        let (db, course) = (&db, course.clone());
        async move { import(db, &course, "Ladder safety", &file).await }
    };
    let page = b"<html><body>Ladders</body></html>".as_slice();
    let lesson = succeeded(
        &ladders(package(&[
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
    let out = ladders(package(&[
        ("imsmanifest.xml", MANIFEST.as_bytes()),
        ("index.html", page),
        ("../../escape.sh", b"rm"),
    ]))
    .await;
    refused(&out, "outside");
    let out = ladders(package(&[("imsmanifest.xml", MANIFEST.as_bytes())])).await;
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
    let lesson = succeeded(&import(&db, &course, "Ladder safety", &file).await)
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
    // Passed and left without suspending: that attempt is over, the next launch starts afresh.
    assert_eq!(state["scos"][0]["attempt"], 2);
    assert!(state["scos"][0]["cmi"].is_null(), "{state}");
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

/// A package of two SCOs (the first with a mastery score of 80), imported at alpha.
const TWO_SCOS: &str = r#"<manifest identifier="m" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Forklifts</title>
    <item identifier="drive" identifierref="r1"><title>Driving</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
    <item identifier="load" identifierref="r2"><title>Loading</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" adlcp:scormtype="sco" href="drive.html"/>
    <resource identifier="r2" adlcp:scormtype="sco" href="load.html"/></resources>
</manifest>"#;

/// What the runtime is told of the lesson `page` for `who`.
async fn state_of(app: &TestApp, who: &mut Browser, page: &str) -> serde_json::Value {
    who.get(app.port, &format!("{page}/scorm/state"))
        .await
        .json()
}

/// `who`'s commit of `body` to attempt `attempt` of SCO `sco`, as the runtime sends it.
async fn commit_as(
    app: &TestApp,
    who: &Browser,
    page: &str,
    (sco, attempt): (&str, u32),
    body: &str,
) -> crate::harness::Response {
    let path = format!("{page}/scorm/{sco}/commit?attempt={attempt}");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\nConnection: close\r\n\
         Cookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        who.cookie_header(),
        who.csrf(),
        body.len()
    );
    raw(app.port, head.as_bytes()).await
}

/// Attempts: a suspended attempt resumes where it was left; a completed one that was not
/// suspended is over, and the next launch is the next attempt (none may be skipped). The lesson
/// completes when every SCO has been completed in some attempt. The gradebook shows the
/// package's scores and verdict, and a learner whose package never set a status as such; a
/// learner's first commit launches the lesson and the package's verdicts go to the school's LRS.
#[actix_web::test]
async fn attempts_resume_or_start_over_and_the_gradebook_shows_what_packages_reported() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "UPDATE tenants SET lrs_endpoint = 'http://127.0.0.1:9/xapi/' WHERE slug = 'alpha'",
    )
    .await
    .unwrap();
    let file = package(&[
        ("imsmanifest.xml", TWO_SCOS.as_bytes()),
        ("drive.html", b"<p>drive</p>"),
        ("load.html", b"<p>load</p>"),
    ]);
    let lesson = succeeded(&import(&db, &course, "Forklifts", &file).await)
        .trim()
        .to_owned();
    let slug = db
        .text(&format!(
            "SELECT slug AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await;
    let page = format!("/courses/{course}/lessons/{slug}");
    let enrolled = |email: &'static str| {
        let course = course.clone();
        let app = &app;
        async move {
            let mut who = Browser::new("alpha");
            who.sign_up(app.port, email).await;
            who.post(app.port, &format!("/courses/{course}/enroll"), &[])
                .await;
            who
        }
    };
    let mut ada = enrolled("ada@example.org").await;
    ada.get(app.port, &page).await;
    let s = state_of(&app, &mut ada, &page).await;
    assert_eq!(s["scos"].as_array().unwrap().len(), 2);
    assert_eq!(s["scos"][1]["title"], "Loading");
    assert_eq!(s["scos"][0]["attempt"], 1);

    let suspended = r#"{"cmi": {"core": {"lesson_status": "incomplete", "lesson_location": "bay 3", "exit": "suspend"}, "suspend_data": "s=1"}}"#;
    let res = commit_as(&app, &ada, &page, ("drive", 1), suspended).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let s = state_of(&app, &mut ada, &page).await;
    assert_eq!(s["scos"][0]["attempt"], 1, "a suspended attempt goes on");
    assert_eq!(s["scos"][0]["cmi"]["suspend_data"], "s=1");
    let res = commit_as(&app, &ada, &page, ("drive", 3), suspended).await;
    assert_eq!(res.status, 422, "attempt 2 comes first: {}", res.body);
    let passed =
        r#"{"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "90"}, "exit": ""}}}"#;
    let res = commit_as(&app, &ada, &page, ("drive", 1), passed).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let s = state_of(&app, &mut ada, &page).await;
    assert_eq!(
        s["scos"][0]["attempt"], 2,
        "passed and left: the next is a new attempt"
    );
    assert!(s["scos"][0]["cmi"].is_null());
    assert_eq!(s["scos"][0]["completed"], true);
    let completed = format!(
        "SELECT count(*) FROM lesson_progress WHERE lesson_id = '{lesson}' AND completed_at IS NOT NULL"
    );
    assert_eq!(db.count(&completed).await, 0, "Loading is not done yet");
    // A second attempt that scores lower: the best stays, and the SCO stays completed.
    let lower = r#"{"cmi": {"core": {"lesson_status": "failed", "score": {"raw": "40"}}}}"#;
    let res = commit_as(&app, &ada, &page, ("drive", 2), lower).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let done = r#"{"cmi": {"core": {"lesson_status": "completed"}}}"#;
    let res = commit_as(&app, &ada, &page, ("load", 1), done).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(db.count(&completed).await, 1, "both SCOs completed once");

    // Bo plays the package, which never sets a status.
    let mut bo = enrolled("bo@example.org").await;
    bo.get(app.port, &page).await;
    let silent = r#"{"cmi": {"core": {"lesson_status": "not attempted", "lesson_location": "1"}}}"#;
    let res = commit_as(&app, &bo, &page, ("drive", 1), silent).await;
    assert_eq!(res.status, 200, "{}", res.body);

    let course_id = db.course_id(&course).await;
    let mut head = Browser::member(app.port, &db, "alpha", "head@example.org", "admin").await;
    let book = head
        .get(app.port, &format!("/author/courses/{course_id}/grades"))
        .await;
    assert_eq!(book.status, 200, "{}", book.body);
    let row = |who: &str| crate::gradebook::learner_row(&book.body, who);
    let (ada_id, bo_id) = (
        db.text("SELECT id::text AS t FROM users WHERE email = 'ada@example.org'")
            .await,
        db.text("SELECT id::text AS t FROM users WHERE email = 'bo@example.org'")
            .await,
    );
    assert!(row(&ada_id).contains("90"), "{}", row(&ada_id));
    assert!(!row(&ada_id).contains("no-status"), "{}", row(&ada_id));
    assert!(row(&bo_id).contains("no-status"), "{}", row(&bo_id));
    let token = crate::api_tokens::cli_token(&db, "alpha", &["grades:read"]).await;
    let api = crate::harness::request(
        app.port,
        "GET",
        "alpha.localhost",
        &format!("/api/v1/courses/{course}/grades"),
        &[("Authorization", &format!("Bearer {token}"))],
    )
    .await
    .json();
    let column = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i["key"] == format!("scorm:{lesson}"))
        .expect("the package is a column");
    let cell = |who: &str| {
        api["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user"] == who)
            .map(|r| r["cells"][column].clone())
            .unwrap()
    };
    assert_eq!(cell(&ada_id)["best"], 90.0);
    assert_eq!(cell(&ada_id)["latest"], 40.0);
    assert_eq!(cell(&ada_id)["passed"], true);
    assert_eq!(cell(&ada_id)["completed"], true);
    assert_eq!(cell(&bo_id)["no_status"], true);
    assert_eq!(cell(&bo_id)["completed"], false);
    let reported = db
        .text(&format!(
            "SELECT string_agg(verb || ' ' || coalesce(result->>'score', '-') || ' ' || (result->>'success'), ', ' ORDER BY created_at) AS t
               FROM xapi_statements WHERE lesson_id = '{lesson}' AND verb IN ('passed', 'failed')"
        ))
        .await;
    assert_eq!(reported, "passed 90 true, failed 40 false");
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM xapi_statements WHERE lesson_id = '{lesson}' AND verb = 'launched'"
        ))
        .await,
        2,
        "one launch each for Ada and Bo, whatever their commits"
    );
}

/// `who` sends the course editor's package form at `target`: `zip`, into `section`, as `title`.
async fn upload(
    app: &TestApp,
    who: &mut Browser,
    target: &str,
    (section, title): (&str, &str),
    zip: &[u8],
) -> crate::harness::Response {
    let fields = [("section", section), ("title", title)];
    let file = ("package", "package.zip", "application/zip", zip);
    who.upload_files(app.port, target, &fields, &[file]).await
}

/// The lesson whose editor `res` sends the browser to.
fn edited(res: &crate::harness::Response) -> String {
    let to = res.header("location").unwrap();
    to.rsplit('/').next().unwrap().to_owned()
}

/// An instructor uploads a package from the course editor: it becomes a lesson at the end of
/// the chosen section, titled by the package when the title is left blank. A bad package gets
/// its reason and leaves nothing: no lesson, no package, no file stored or staged. A learner
/// may not upload, nor another school's instructor to this course.
#[actix_web::test]
async fn an_instructor_uploads_a_package_and_a_bad_one_leaves_nothing() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let course_id = db.course_id(&course).await;
    let section = db
        .text(&format!(
            "SELECT id::text AS t FROM sections WHERE course_id = '{course_id}' ORDER BY position LIMIT 1"
        ))
        .await;
    let mut head = Browser::member(app.port, &db, "alpha", "head@example.org", "admin").await;
    let editor = head
        .get(app.port, &format!("/author/courses/{course_id}"))
        .await;
    assert!(
        editor
            .body
            .contains(&format!("action=\"/author/courses/{course_id}/scorm\"")),
        "{}",
        editor.body
    );
    let zip = |files: &[(&str, &[u8])]| std::fs::read(package(files)).unwrap();
    let good = zip(&[
        ("imsmanifest.xml", MANIFEST.as_bytes()),
        ("index.html", b"<p>Ladders</p>"),
    ]);
    let target = format!("/author/courses/{course_id}/scorm");
    let res = upload(&app, &mut head, &target, (&section, ""), &good).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let lesson = edited(&res);
    assert_eq!(
        db.text(&format!(
            "SELECT kind || ' ' || title || ' ' || (section_id::text = '{section}') AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await,
        "scorm Safety true"
    );
    let key = db
        .text(&format!(
            "SELECT key AS t FROM scorm_files WHERE lesson_id = '{lesson}' AND path = 'index.html'"
        ))
        .await;
    assert_eq!(
        std::fs::read(media_dir().join(&key)).unwrap(),
        b"<p>Ladders</p>"
    );
    // The lesson editor changes the words around a package, never what the lesson plays.
    let res = head
        .upload_files(
            app.port,
            &format!("/author/courses/{course_id}/lessons/{lesson}"),
            &[("title", "Ladders, revised"), ("body", "Read this first.")],
            &[],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        db.text(&format!(
            "SELECT kind || ' ' || title AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await,
        "scorm Ladders, revised"
    );

    // A SCORM 2004 package of one SCO, with a mastery measure of 0.75: a learner's scaled score of
    // 0.8 with completion passes it (the package leaves success unknown), and the lesson completes.
    let scorm2004 = r#"<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
        xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
      <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>Hazards</title>
        <item identifier="h" identifierref="r"><title>Hazards</title>
          <imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
            <imsss:minNormalizedMeasure>0.75</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives></imsss:sequencing>
        </item></organization></organizations>
      <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="h.html"/></resources>
    </manifest>"#;
    let bytes = zip(&[
        ("imsmanifest.xml", scorm2004.as_bytes()),
        ("h.html", b"<p>Hazards</p>"),
    ]);
    let res = upload(&app, &mut head, &target, (&section, ""), &bytes).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let hazards = edited(&res);
    assert_eq!(
        db.text(&format!(
            "SELECT version || ' ' || (scos->0->>'mastery') AS t FROM scorm_packages WHERE lesson_id = '{hazards}'"
        ))
        .await,
        "2004 75.0"
    );
    let mut cy = Browser::new("alpha");
    cy.sign_up(app.port, "cy@example.org").await;
    cy.post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    let slug = db
        .text(&format!(
            "SELECT slug AS t FROM lessons WHERE id = '{hazards}'"
        ))
        .await;
    let page = format!("/courses/{course}/lessons/{slug}");
    cy.get(app.port, &page).await;
    let scaled = r#"{"cmi": {"completion_status": "completed", "success_status": "unknown", "score": {"scaled": "0.8"}, "session_time": "PT2M30S"}}"#;
    let res = commit_as(&app, &cy, &page, ("h", 1), scaled).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        db.text(&format!(
            "SELECT a.score || ' ' || a.passed || ' ' || a.session_seconds || ' ' || (p.completed_at IS NOT NULL) AS t
               FROM scorm_attempts a JOIN lesson_progress p ON p.lesson_id = a.lesson_id AND p.user_id = a.user_id
              WHERE a.lesson_id = '{hazards}'"
        ))
        .await,
        "80 true 150 true"
    );

    let counts = async || {
        (
            db.count("SELECT count(*) FROM lessons").await,
            db.count("SELECT count(*) FROM scorm_packages").await,
            db.count("SELECT count(*) FROM scorm_files").await,
        )
    };
    let before = counts().await;
    let staged = || {
        std::fs::read_dir(shared().root.join("staging"))
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with("upload-scorm-"))
                    .count()
            })
            .unwrap_or(0)
    };
    let bomb = vec![0u8; 4 << 20];
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "traversal",
            zip(&[
                ("imsmanifest.xml", MANIFEST.as_bytes()),
                ("index.html", b"x"),
                ("../../escape.sh", b"rm -rf /"),
            ]),
            "would land outside it",
        ),
        (
            "bomb",
            zip(&[
                ("imsmanifest.xml", MANIFEST.as_bytes()),
                ("index.html", &bomb),
            ]),
            "a zip bomb?",
        ),
        (
            "entities",
            zip(&[
                (
                    "imsmanifest.xml",
                    format!("<!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{MANIFEST}")
                        .as_bytes(),
                ),
                ("index.html", b"x"),
            ]),
            "entities are not allowed",
        ),
        (
            "absolute launch",
            zip(&[
                (
                    "imsmanifest.xml",
                    MANIFEST
                        .replace("index.html", "https://evil.example/x.html")
                        .as_bytes(),
                ),
                ("index.html", b"x"),
            ]),
            "outside the package",
        ),
    ];
    for (what, bytes, reason) in cases {
        let res = upload(&app, &mut head, &target, (&section, "Bad"), &bytes).await;
        assert_eq!(res.status, 422, "{what}: {}", res.body);
        assert!(res.body.contains(reason), "{what}: {}", res.body);
        assert_eq!(counts().await, before, "{what} added something");
        assert_eq!(staged(), 0, "{what} left staging files");
    }
    let res = head
        .upload_files(app.port, &target, &[("section", &section)], &[])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);

    let mut ada = Browser::member(app.port, &db, "alpha", "ada@example.org", "learner").await;
    let res = upload(&app, &mut ada, &target, (&section, ""), &good).await;
    assert!(matches!(res.status, 403 | 404), "{}", res.status);
    let mut bo = Browser::member(app.port, &db, "beta", "bo@example.org", "admin").await;
    let res = upload(&app, &mut bo, &target, (&section, ""), &good).await;
    assert_eq!(res.status, 404, "{}", res.body);
    assert_eq!(counts().await, before);
}
