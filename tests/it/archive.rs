//! Whole-school export and import: a school round-trips through an archive under a new slug with
//! every row and object intact (ids aside); a damaged or unknown archive writes nothing.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, media_dir, post_form, settings, succeeded, tempdir,
};

/// An archive's tables (rows with ids and school prefixes blanked, sorted) and media
/// (path → sha256), read back from the file.
fn contents(path: &std::path::Path) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, String>) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut manifest = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let mut tables = BTreeMap::new();
    let mut media = BTreeMap::new();
    for entry in manifest["entries"].as_array().unwrap() {
        let name = entry["path"].as_str().unwrap().to_owned();
        if let Some(file) = name.strip_prefix("media/") {
            media.insert(
                file.to_owned(),
                entry["sha256"].as_str().unwrap().to_owned(),
            );
            continue;
        }
        let mut text = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let mut rows: Vec<String> = text
            .lines()
            .map(|l| {
                let mut row: serde_json::Value = serde_json::from_str(l).unwrap();
                blank_ids(&mut row);
                row.to_string()
            })
            .collect();
        rows.sort();
        tables.insert(name, rows);
    }
    (tables, media)
}

fn blank_ids(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if uuid::Uuid::parse_str(s).is_ok() {
                *s = "<id>".into();
            } else if let Some((kind, _)) = s
                .split_once(':')
                .filter(|(_, id)| uuid::Uuid::parse_str(id).is_ok())
            {
                // An id named by kind (a gradebook item, an audit subject) moves with the rest.
                *s = format!("{kind}:<id>");
            } else if let Some(rest) = s.strip_prefix("t/") {
                if let Some((_, key)) = rest.split_once('/') {
                    *s = format!("t/<school>/{key}");
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_ids),
        serde_json::Value::Object(map) => {
            // A cache-coherence counter, bumped by the import's own writes: not content.
            map.remove("state_version");
            map.values_mut().for_each(blank_ids)
        }
        _ => {}
    }
}

/// Rewrites one entry of a zip (the others copied as they are).
fn rewrite(
    from: &std::path::Path,
    to: &std::path::Path,
    name: &str,
    change: impl Fn(Vec<u8>) -> Vec<u8>,
) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let entry = file.name().to_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if entry == name {
            bytes = change(bytes);
        }
        out.start_file(entry, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

#[actix_web::test]
async fn a_school_round_trips_through_an_archive_under_a_new_slug() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let app = TestApp::spawn(settings(&db)).await;
    // A learner with an enrollment, a completion and a playback position.
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@alpha.test").await;
    let course = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1")
        .await;
    ada.get(app.port, &format!("/courses/{course}")).await;
    assert_eq!(
        ada.post(app.port, &format!("/courses/{course}/enroll"), &[])
            .await
            .status,
        303
    );
    let page = ada.get(app.port, &format!("/courses/{course}")).await;
    let lesson = page
        .body
        .split(&format!("href=\"/courses/{course}/lessons/"))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    ada.get(app.port, &format!("/courses/{course}/lessons/{lesson}"))
        .await;
    let done = ada
        .post(
            app.port,
            &format!("/courses/{course}/lessons/{lesson}/complete"),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);

    // A tool, its lesson, Ada's score on it and an instructor's override of it.
    let tenants = tempdir("archive-tenants");
    succeeded(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &tenants,
            &[
                "lti",
                "add-tool",
                "--school",
                "alpha",
                "--name",
                "Lab",
                "--login-url",
                "https://lab.example/login",
                "--redirect-uri",
                "https://lab.example/launch",
                "--jwks-url",
                "https://lab.example/jwks",
            ],
        )
        .await,
    );
    let lti_lesson = succeeded(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &tenants,
            &[
                "lti",
                "add-lesson",
                "--school",
                "alpha",
                "--course",
                &course,
                "--tool",
                "Lab",
                "--title",
                "Lab work",
                "--url",
                "https://lab.example/launch?item=1",
            ],
        )
        .await,
    )
    .trim()
    .to_owned();
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        &format!(
            "INSERT INTO lti_scores (tenant_id, line_item_id, user_id, score_given, score_maximum,
                                     activity_progress, grading_progress, scored_at)
             SELECT i.tenant_id, i.id, u.id, 7, 10, 'Completed', 'FullyGraded', now()
               FROM lti_line_items i, users u WHERE i.lesson_id = '{lti_lesson}' AND u.email = 'ada@alpha.test';
             INSERT INTO grade_overrides (tenant_id, course_id, user_id, item, score, comment)
             SELECT i.tenant_id, i.course_id, u.id, 'tool:' || i.id, 90, 'Lab redone in class'
               FROM lti_line_items i, users u WHERE i.lesson_id = '{lti_lesson}' AND u.email = 'ada@alpha.test';"
        ),
    )
    .await
    .unwrap();

    let dir = tempdir("archive");
    let first = dir.join("alpha.zip");
    let cli = |args: Vec<String>| {
        let (db, dir) = (&db, &dir);
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            eduflow_cli(db, &db.admin_url, dir, &args).await
        }
    };
    // An owner-side change on the school's audit log, which travels with it.
    succeeded(
        &cli(vec![
            "courses".into(),
            "publish".into(),
            "--school".into(),
            "alpha".into(),
            course.clone(),
        ])
        .await,
    );
    let said = succeeded(
        &cli(vec![
            "tenants".into(),
            "export".into(),
            "alpha".into(),
            "--out".into(),
            first.display().to_string(),
        ])
        .await,
    );
    assert!(said.contains("media objects"), "{said}");
    let tenants_before = db.count("SELECT count(*) FROM tenants").await;
    let said = succeeded(
        &cli(vec![
            "tenants".into(),
            "import".into(),
            first.display().to_string(),
            "--as".into(),
            "alpha-copy".into(),
        ])
        .await,
    );
    assert!(said.contains("as alpha-copy"), "{said}");
    let second = dir.join("copy.zip");
    succeeded(
        &cli(vec![
            "tenants".into(),
            "export".into(),
            "alpha-copy".into(),
            "--out".into(),
            second.display().to_string(),
        ])
        .await,
    );

    let (tables, media) = contents(&first);
    let (copy_tables, copy_media) = contents(&second);
    assert!(media.len() >= 7, "covers and the demo video: {media:?}");
    assert_eq!(copy_media, media, "every object, byte for byte");
    assert_eq!(
        copy_tables.keys().collect::<Vec<_>>(),
        tables.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &tables {
        let mut copied = copy_tables[table].clone();
        if table == "tables/audit_log.ndjson" {
            // The copy's log goes on: its import is on it.
            let imported = copied
                .iter()
                .position(|r| r.contains("\"school.imported\""));
            copied.remove(imported.expect("the import is on the copy's log"));
        }
        assert_eq!(&copied, rows, "{table}");
    }
    for table in [
        "tables/lti_tools.ndjson",
        "tables/lti_links.ndjson",
        "tables/lti_line_items.ndjson",
        "tables/lti_scores.ndjson",
        "tables/grade_overrides.ndjson",
        "tables/enrollments.ndjson",
        "tables/lesson_progress.ndjson",
        "tables/lessons.ndjson",
        "tables/users.ndjson",
        "tables/media.ndjson",
        "tables/audit_log.ndjson",
    ] {
        assert!(!tables[table].is_empty(), "{table} is exported");
    }
    // Nothing shared with the original: new ids, new keys.
    let copy = db
        .text("SELECT id::text FROM tenants WHERE slug = 'alpha-copy'")
        .await;
    // The copy's override names the copy's own line item, and its link the copy's lesson.
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM grade_overrides o JOIN lti_line_items i
               ON i.tenant_id = o.tenant_id AND o.item = 'tool:' || i.id
               JOIN lti_links k ON k.tenant_id = i.tenant_id AND k.lesson_id = i.lesson_id
              WHERE o.tenant_id = '{copy}'"
        ))
        .await,
        1
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM media WHERE tenant_id = '{copy}' AND key NOT LIKE 't/{copy}/%'"
        ))
        .await,
        0
    );
    assert_eq!(
        db.count("SELECT count(*) FROM (SELECT id FROM courses GROUP BY id HAVING count(*) > 1) d")
            .await,
        0
    );
    // The copy is a working school: its catalog, its covers, and Ada's login and progress.
    let catalog = app
        .get("alpha-copy.localhost", "/api/v1/courses?limit=50")
        .await;
    assert_eq!(catalog.status, 200);
    assert_eq!(catalog.json()["items"].as_array().unwrap().len(), 33);
    let login_form =
        crate::harness::request(app.port, "GET", "alpha-copy.localhost", "/login", &[]).await;
    let token = login_form.cookie("eduflow_csrf").unwrap();
    let login = post_form(
        app.port,
        "alpha-copy.localhost",
        "/login",
        &[
            ("email", "ada@alpha.test"),
            ("password", "correct horse battery"),
            ("csrf", &token),
        ],
        &[("Cookie", &format!("eduflow_csrf={token}"))],
    )
    .await;
    assert_eq!(login.status, 303, "{}", login.body);
    assert!(std::fs::read_dir(media_dir().join(format!("t/{copy}"))).is_ok());

    // A damaged archive, or one of an unknown version, writes nothing.
    let damaged = dir.join("damaged.zip");
    rewrite(&second, &damaged, "tables/users.ndjson", |mut b| {
        b.extend_from_slice(b"{}\n");
        b
    });
    let future = dir.join("future.zip");
    rewrite(&second, &future, "manifest.json", |b| {
        String::from_utf8(b)
            .unwrap()
            .replace("\"version\": 1", "\"version\": 99")
            .into_bytes()
    });
    let tenants_now = db.count("SELECT count(*) FROM tenants").await;
    assert_eq!(tenants_now, tenants_before + 1);
    // These imports get a media folder of their own, so nothing they might write is hidden among
    // other tests' objects.
    let private_media = dir.join("media");
    for (file, reason) in [(&damaged, "checksum"), (&future, "version 99")] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
            .args(["tenants", "import", file.to_str().unwrap(), "--as", "gamma"])
            .env("DATABASE_URL", &db.runtime_url)
            .env("DATABASE_ADMIN_URL", &db.admin_url)
            .env("EDUFLOW_MEDIA_DIR", &private_media)
            .output()
            .await
            .unwrap();
        crate::harness::refused(&out, reason);
        assert_eq!(db.count("SELECT count(*) FROM tenants").await, tenants_now);
        assert_eq!(crate::lifecycle::count_files(&private_media), 0);
    }
    // The same archive under its own slug collides with the original, and writes nothing either.
    let out = cli(vec![
        "tenants".into(),
        "import".into(),
        first.display().to_string(),
    ])
    .await;
    crate::harness::refused(&out, "exists already");
    assert_eq!(db.count("SELECT count(*) FROM tenants").await, tenants_now);
    app.stop().await;

    // Another installation takes it under its own slug and domains.
    let other = TestDb::new().await;
    let out = eduflow_cli(
        &other,
        &other.admin_url,
        &dir,
        &["tenants", "import", first.to_str().unwrap()],
    )
    .await;
    succeeded(&out);
    assert_eq!(
        other.count("SELECT count(*) FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha'").await,
        36
    );
    assert_eq!(
        other
            .text("SELECT array_to_string(domains, ',') FROM tenants WHERE slug = 'alpha'")
            .await,
        "learn.alpha.test"
    );
    assert_eq!(other.count("SELECT count(*) FROM enrollments").await, 1);
}

/// A school's courses and lessons, counted (lessons by the thousand).
async fn rows(db: &TestDb, slug: &str) -> i64 {
    db.count(&format!(
        "SELECT (SELECT count(*) FROM courses x JOIN tenants t ON t.id = x.tenant_id
                  WHERE t.slug = '{slug}')
              + 1000 * (SELECT count(*) FROM lessons x JOIN tenants t ON t.id = x.tenant_id
                  WHERE t.slug = '{slug}')"
    ))
    .await
}

/// `tenants restore --from-database`: a school taken from an operator's point-in-time copy of
/// their own PostgreSQL (here another database holding the schools as they were), beside the
/// live one and then in its place; the other school never moves.
#[actix_web::test]
async fn a_school_comes_back_from_an_operators_copy_beside_or_in_place_of_the_live_one() {
    let copy = TestDb::new().await;
    copy.two_schools().await;
    let live = TestDb::new().await;
    live.two_schools().await;
    // Since the copy was taken, an operator deleted an alpha course at the live one.
    crate::fleet::psql(
        &live,
        "DELETE FROM courses WHERE id = (SELECT c.id FROM courses c JOIN tenants t
          ON t.id = c.tenant_id WHERE t.slug = 'alpha' ORDER BY c.slug LIMIT 1)",
    )
    .await;
    let then = rows(&copy, "alpha").await;
    let (now, beta) = (rows(&live, "alpha").await, rows(&live, "beta").await);
    assert_ne!(then, now);
    let restore = |extra: &'static [&'static str]| {
        let (live, url) = (&live, copy.admin_url.clone());
        async move {
            let mut args = vec!["tenants", "restore", "alpha", "--from-database", &url];
            args.extend_from_slice(extra);
            eduflow_cli(live, &live.admin_url, &tempdir("tenants"), &args).await
        }
    };

    let said = succeeded(&restore(&[]).await);
    assert!(said.contains("as alpha-restored"), "{said}");
    assert_eq!(rows(&live, "alpha-restored").await, then);
    assert_eq!(rows(&live, "alpha").await, now);
    assert_eq!(rows(&live, "beta").await, beta);

    let said = succeeded(&restore(&["--confirm", "alpha"]).await);
    let retired = crate::harness::replaced_school(&said);
    assert_eq!(rows(&live, "alpha").await, then, "alpha is not the copy's");
    assert_eq!(
        rows(&live, &retired).await,
        now,
        "the replaced alpha is not kept"
    );
    assert_eq!(rows(&live, "beta").await, beta);
    // The address stays the school's: the custom domain went with the slug.
    assert_eq!(
        live.text(&format!(
            "SELECT (SELECT array_to_string(domains, ',') FROM tenants WHERE slug = 'alpha')
                 || '|' || (SELECT array_to_string(domains, ',') || ' ' || (suspended_at IS NOT NULL)
                            FROM tenants WHERE slug = '{retired}')"
        ))
        .await,
        "learn.alpha.test| true"
    );
}
