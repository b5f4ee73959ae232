//! Moving a school to another cluster while learners write to it and to a school that stays:
//! nothing acknowledged is lost, nothing lands on the old cluster after the switch, the other
//! school does not notice, and a move that cannot finish leaves everything as it was.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;

use eduflow::db::clusters::MediaHome;
use eduflow::ids::TenantId;

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, local_store, media_dir, refused, request, settings,
    tempdir,
};
use crate::learning::course_with_lessons;
use crate::steady::{Acked, Log, Plan, QUIZ, found, read_steadily, write_steadily};

async fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    eduflow_cli(db, &db.admin_url, &tempdir("moving"), args).await
}

/// Moves take turns: making a logical slot waits for every transaction running on the server,
/// and two moves on the one test server would wait on each other's.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `main` with alpha and beta, and `eu` listed beside it (migrated: a copy of the template),
/// keeping its schools' media in a bucket of its own.
async fn two_clusters() -> (TestDb, TestDb) {
    let db = TestDb::new().await;
    db.two_schools_here().await;
    let eu = TestDb::new().await;
    db.add_cluster("eu", &eu).await;
    db.admin()
        .await
        .batch_execute(&format!(
            "UPDATE clusters SET media_bucket = '{EU_MEDIA}' WHERE name = 'eu'"
        ))
        .await
        .unwrap();
    (db, eu)
}

const EU_MEDIA: &str = "eu-media";

/// The media objects `school` has in the instances' own store and in eu's bucket.
async fn objects_of(db: &TestDb, school: &str) -> (Vec<String>, Vec<String>) {
    let tenant = TenantId(
        db.text(&format!("SELECT id FROM tenants WHERE slug = '{school}'"))
            .await
            .parse()
            .unwrap(),
    );
    let eu = MediaHome {
        bucket: EU_MEDIA.into(),
        region: None,
        endpoint: None,
    };
    let mut found = Vec::new();
    for store in [local_store(), local_store().at(Some(&eu))] {
        let keys = store.open().unwrap().school_keys(tenant).await.unwrap();
        found.push(keys.iter().map(|k| k.as_str().to_owned()).collect());
    }
    let eu = found.pop().unwrap();
    (found.pop().unwrap(), eu)
}

/// `tenants move SLUG --to eu` with the test server's superuser on both ends.
async fn move_to_eu(db: &TestDb, eu: &TestDb, slug: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "tenants",
        "move",
        slug,
        "--to",
        "eu",
        "--publisher-url",
        &db.superuser_url,
        "--subscriber-url",
        &eu.superuser_url,
    ];
    args.extend_from_slice(extra);
    cli(db, &args).await
}

/// A learner's plan of steady writes in `school`: its newest course (enrolled first), its lessons,
/// a quiz added to it, the school's other courses to enroll in.
async fn plan(db: &TestDb, school: &str) -> Arc<Plan> {
    let (course, lessons) = course_with_lessons(db, school).await;
    let (_, quiz) = crate::assessment::import_quiz_at(db, school, &course, QUIZ, &[]).await;
    let others = db
        .text(&format!(
            "SELECT string_agg(c.slug, ',') FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = '{school}' AND c.published AND c.slug <> '{course}'"
        ))
        .await;
    Arc::new(Plan {
        course,
        lessons,
        quiz,
        others: others.split(',').map(str::to_owned).collect(),
    })
}

/// The school's rows per table on `db`, as one comparable text.
async fn rows_of(db: &TestDb, school: &str) -> String {
    let tables = eduflow::tenancy::lifecycle::TABLES
        .iter()
        .map(|t| {
            format!(
                "'{t}=' || (SELECT count(*) FROM {t} WHERE tenant_id = (SELECT id FROM tenants WHERE slug = '{school}'))"
            )
        })
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    db.text(&format!("SELECT {tables}")).await
}

#[actix_web::test]
async fn a_school_moves_under_steady_writes_losing_nothing() {
    let _turn = TURN.lock().await;
    let (db, eu) = two_clusters().await;
    let (alpha_plan, beta_plan) = (plan(&db, "alpha").await, plan(&db, "beta").await);
    let spawn = || {
        let mut s = settings(&db);
        s.signups_per_address = 0;
        TestApp::spawn(s)
    };
    let (one, two) = (spawn().await, spawn().await);
    // The moving school's learners and the staying one's, through both instances.
    let (alpha_log, beta_log) = (
        Arc::new(Mutex::new(Log::default())),
        Arc::new(Mutex::new(Log::default())),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..4 {
        let (school, plan, log) = if i < 2 {
            ("alpha", alpha_plan.clone(), alpha_log.clone())
        } else {
            ("beta", beta_plan.clone(), beta_log.clone())
        };
        let port = [one.port, two.port][i % 2];
        let email = format!("steady{i}@{school}.test");
        let mut me = Browser::new(school);
        me.sign_up(port, &email).await;
        let enrolled = me
            .post(port, &format!("/courses/{}/enroll", plan.course), &[])
            .await;
        assert_eq!(enrolled.status, 303, "{}", enrolled.body);
        tasks.push(actix_web::rt::spawn(write_steadily(
            port,
            me,
            email,
            plan,
            log,
            stop.clone(),
        )));
    }
    for port in [one.port, two.port] {
        tasks.push(actix_web::rt::spawn(read_steadily(
            port,
            "alpha.localhost",
            alpha_log.clone(),
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (media_before, none) = objects_of(&db, "alpha").await;
    assert!(!media_before.is_empty() && none.is_empty());

    let started = Instant::now();
    let out = move_to_eu(&db, &eu, "alpha", &[]).await;
    let switched = Instant::now();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("moved alpha from main to eu"), "{said}");
    let left_behind = rows_of(&db, "alpha").await;
    // Both instances learn of the switch and write to eu.
    for app in [&one, &two] {
        let learned = crate::harness::eventually(Duration::from_secs(2), || async {
            app.state
                .directory
                .all()
                .iter()
                .any(|t| t.slug == "alpha" && t.cluster.as_str() == "eu")
        })
        .await;
        assert!(learned.is_some(), "an instance still routes alpha to main");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }

    // Every acknowledged write of alpha is on eu; those sent after the switch are not on main;
    // alpha's rows on main did not change after the switch (the freeze holds there).
    let alpha = std::mem::take(&mut *alpha_log.lock().unwrap());
    let acked: Vec<Acked> = alpha.acked.iter().map(|(_, _, a)| a.clone()).collect();
    let (have, all) = found(&eu, &acked).await;
    assert_eq!(
        have, all,
        "acknowledged writes of the moved school are missing on eu"
    );
    let after: Vec<Acked> = alpha
        .acked
        .iter()
        .filter(|(sent, _, _)| *sent > switched)
        .map(|(_, _, a)| a.clone())
        .collect();
    assert!(
        !after.is_empty(),
        "no write was acknowledged after the switch"
    );
    let late_attempts: Vec<Acked> = after
        .iter()
        .filter(|a| matches!(a, Acked::Attempt(_)))
        .cloned()
        .collect();
    assert_eq!(
        found(&db, &late_attempts).await.0,
        0,
        "a write landed on main after the switch"
    );
    assert_eq!(
        rows_of(&db, "alpha").await,
        left_behind,
        "alpha's rows on main changed"
    );
    assert_eq!(alpha.hung, 0);
    assert_eq!(alpha.without_retry_after, 0);
    let refused_writes = alpha.statuses.get(&503).copied().unwrap_or(0);
    assert!(
        alpha
            .statuses
            .keys()
            .all(|s| (200..400).contains(s) || *s == 503),
        "{:?}",
        alpha.statuses
    );
    assert!(
        alpha.pages.iter().all(|(_, status)| *status == 200),
        "alpha's cached page failed during the move: {:?}",
        alpha
            .pages
            .iter()
            .filter(|(_, status)| *status != 200)
            .map(|(at, status)| (*status, at.saturating_duration_since(started)))
            .collect::<Vec<_>>()
    );
    // The freeze window as learners saw it: the longest stretch without an acknowledged write.
    let mut answered: Vec<Instant> = alpha.acked.iter().map(|(_, at, _)| *at).collect();
    answered.sort();
    let longest = answered
        .windows(2)
        .filter(|w| w[1] > started)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();

    // beta, on the same source, wrote throughout: every write acknowledged and on main.
    let beta = std::mem::take(&mut *beta_log.lock().unwrap());
    assert_eq!(
        beta.statuses
            .keys()
            .filter(|s| !(200..400).contains(*s))
            .count(),
        0,
        "beta's writes failed during alpha's move: {:?}",
        beta.statuses
    );
    let acked: Vec<Acked> = beta.acked.iter().map(|(_, _, a)| a.clone()).collect();
    let (have, all) = found(&db, &acked).await;
    assert_eq!(have, all);
    assert_eq!(
        eu.count("SELECT count(*) FROM tenants WHERE slug = 'beta'")
            .await,
        0
    );
    println!(
        "move of alpha under steady writes: {} acknowledged ({} after the switch), {refused_writes} \
         answered 503; longest stretch without an acknowledged write {:.0} ms; the command: {}",
        alpha.acked.len(),
        after.len(),
        longest.as_secs_f64() * 1000.0,
        said.trim()
    );

    // Nothing of the move is left running; the old rows go with purge-moved, beta's stay.
    assert_eq!(eu.count("SELECT count(*) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())").await, 0);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")
            .await,
        0
    );
    assert_eq!(db.count("SELECT count(*) FROM pg_publication").await, 0);
    // Its media went with it, into eu's bucket, and are served from there.
    let (kept, copied) = objects_of(&eu, "alpha").await;
    assert_eq!(kept, media_before);
    assert_eq!(
        copied, media_before,
        "alpha's media were not copied to eu's bucket"
    );
    let video = eu
        .text(
            "SELECT l.video_key FROM lessons l JOIN tenants t ON t.id = l.tenant_id
                WHERE t.slug = 'alpha' AND l.video_key IS NOT NULL LIMIT 1",
        )
        .await;
    let link = one
        .state
        .media
        .edge_url(&eduflow::media::key::MediaKey::parse(&video).unwrap());
    let served = request(one.port, "GET", "alpha.localhost", &link, &[]).await;
    assert_eq!(served.status, 200, "{link}");

    let beta_rows = rows_of(&db, "beta").await;
    let beta_media = objects_of(&db, "beta").await;
    let out = cli(&db, &["tenants", "purge-moved", "--older-than-hours", "0"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.count("SELECT count(*) FROM tenants WHERE slug = 'alpha'")
            .await,
        0
    );
    assert_eq!(
        db.count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'eduflow_move_%'")
            .await,
        0
    );
    assert_eq!(rows_of(&db, "beta").await, beta_rows);
    assert_eq!(objects_of(&db, "beta").await, beta_media);
    // The purge took alpha's objects out of the store it left, not out of eu's bucket.
    assert_eq!(objects_of(&eu, "alpha").await, (vec![], media_before));
    assert_eq!(one.get("alpha.localhost", "/courses").await.status, 200);
    assert_eq!(
        request(one.port, "GET", "alpha.localhost", &link, &[])
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn a_move_that_cannot_finish_leaves_everything_as_it_was() {
    let _turn = TURN.lock().await;
    let (db, eu) = two_clusters().await;
    let app = TestApp::spawn(settings(&db)).await;
    let before = rows_of(&db, "alpha").await;

    // Refused before anything changes: a replica identity without tenant_id, a publisher role
    // under row-level security.
    db.superuser()
        .await
        .batch_execute("ALTER TABLE courses REPLICA IDENTITY DEFAULT")
        .await
        .unwrap();
    refused(
        &move_to_eu(&db, &eu, "alpha", &[]).await,
        "the replica identity of courses lacks tenant_id",
    );
    db.superuser()
        .await
        .batch_execute("ALTER TABLE courses REPLICA IDENTITY USING INDEX courses_school_key")
        .await
        .unwrap();
    let out = cli(
        &db,
        &[
            "tenants",
            "move",
            "alpha",
            "--to",
            "eu",
            "--publisher-url",
            &db.admin_url,
            "--subscriber-url",
            &eu.superuser_url,
        ],
    )
    .await;
    refused(&out, "must bypass row-level security");

    // Its media cannot all be copied (eu's bucket refuses its videos, after its images): rolled
    // back, and the images it did copy are removed from eu's bucket again.
    let alpha = db.text("SELECT id FROM tenants WHERE slug = 'alpha'").await;
    let blocker = media_dir()
        .join("buckets")
        .join(EU_MEDIA)
        .join("t")
        .join(&alpha);
    std::fs::create_dir_all(&blocker).unwrap();
    std::fs::write(blocker.join("video"), "a file where eu's videos would go").unwrap();
    let (media, _) = objects_of(&db, "alpha").await;
    assert!(
        media.iter().any(|k| k.contains("/image/")) && media.iter().any(|k| k.contains("/video/"))
    );
    let out = move_to_eu(&db, &eu, "alpha", &[]).await;
    refused(&out, "copying the school's media");
    refused(
        &out,
        "the move was rolled back; the school stays where it was",
    );
    assert_eq!(objects_of(&db, "alpha").await, (media, vec![]));
    assert_eq!(eu.count("SELECT count(*) FROM tenants").await, 0);
    std::fs::remove_file(blocker.join("video")).unwrap();

    // No time to copy: rolled back.
    let out = move_to_eu(&db, &eu, "alpha", &["--patience-secs", "0"]).await;
    refused(
        &out,
        "the move was rolled back; the school stays where it was",
    );
    assert_eq!(rows_of(&db, "alpha").await, before);
    assert_eq!(eu.count("SELECT count(*) FROM tenants").await, 0);
    assert_eq!(eu.count("SELECT count(*) FROM users").await, 0);
    assert_eq!(eu.count("SELECT count(*) FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())").await, 0);
    assert_eq!(eu.count("SELECT count(*) FROM school_moves").await, 0);
    assert_eq!(db.count("SELECT count(*) FROM school_moves").await, 0);
    assert_eq!(db.count("SELECT count(*) FROM pg_publication").await, 0);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")
            .await,
        0
    );
    assert_eq!(
        db.count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'eduflow_move_%'")
            .await,
        0
    );
    // Still served from main, and writable.
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'ada@example.org'")
            .await,
        1
    );
    assert_eq!(
        app.state
            .pools(
                app.state
                    .directory
                    .all()
                    .iter()
                    .find(|t| t.slug == "alpha")
                    .unwrap()
                    .id
            )
            .unwrap()
            .primary()
            .label(),
        "primary"
    );
}

/// The figure for a large school (1,000 courses, 1,000 learners with 3 enrollments each) while
/// learners sign up to it steadily: `cargo test --test it moving::a_large -- --ignored --nocapture`.
#[actix_web::test]
#[ignore = "a benchmark: run by hand for the figures"]
async fn a_large_school_moves() {
    let _turn = TURN.lock().await;
    let (db, eu) = two_clusters().await;
    let pool = db.admin_pools();
    eduflow::seed::bench::generate(pool.primary(), 1, 1_000, 7, 2)
        .await
        .unwrap();
    eduflow::seed::bench::generate_learners(pool.primary(), 1, 1_000, 3, 7)
        .await
        .unwrap();
    let of_school = |table: &str| {
        format!(
            "SELECT count(*) FROM {table} x JOIN tenants t ON t.id = x.tenant_id WHERE t.slug = 'bench-00001'"
        )
    };
    let courses = db.count(&of_school("courses")).await;
    let learners = db.count(&of_school("users")).await;
    let app = TestApp::spawn({
        let mut s = settings(&db);
        s.signups_per_address = 0;
        s
    })
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let signups = {
        let stop = stop.clone();
        let port = app.port;
        actix_web::rt::spawn(async move {
            let (mut acked, mut refused) = (Vec::new(), 0);
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let email = format!("late{i}@bench.test");
                let mut b = Browser::new("bench-00001");
                let page = b.get(port, "/signup").await;
                let res = if page.status == 200 {
                    b.post(
                        port,
                        "/signup",
                        &[
                            ("name", "Late"),
                            ("email", &email),
                            ("password", "a long enough passphrase"),
                        ],
                    )
                    .await
                } else {
                    page
                };
                match res.status {
                    200..=399 => acked.push(email),
                    _ => refused += 1,
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (acked, refused)
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let out = move_to_eu(&db, &eu, "bench-00001", &[]).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let (acked, refused) = signups.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = acked
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        eu.count(&format!(
            "SELECT count(*) FROM users WHERE email IN ({list})"
        ))
        .await,
        acked.len() as i64
    );
    println!(
        "large school ({courses} courses, {learners} learners): {}; sign-ups meanwhile: {} acknowledged, all on eu, {refused} refused",
        String::from_utf8_lossy(&out.stdout).trim(),
        acked.len()
    );
}
