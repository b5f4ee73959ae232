//! Reads go to a streaming replica; whoever just wrote reads their write (the replica once it has
//! replayed it, the primary otherwise), everyone else keeps reading the replica; a dead or lagging
//! replica is skipped.

use std::time::Duration;

use diesel_async::SimpleAsyncConnection;
use eduflow::db::embedded::RUNTIME_ROLE;

use crate::harness::{
    Browser, TestApp, TestDb, eventually, replay, replica_of, replica_turn, settings,
};
use crate::learning::course_with_lessons;

async fn app_with_replica(
    db: &TestDb,
    configure: impl FnOnce(&mut eduflow::startup::Settings),
) -> TestApp {
    let mut s = settings(db);
    s.replica_urls = vec![replica_of(db, RUNTIME_ROLE).await];
    configure(&mut s);
    TestApp::spawn(s).await
}

#[actix_web::test]
async fn reads_use_the_replica_and_fall_back_to_the_primary_when_it_lags() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    let (_, beta) = db.two_schools().await;
    let app = app_with_replica(&db, |_| {}).await;
    let first = app.get("beta.localhost", "/api/v1/courses?limit=50").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.json()["items"].as_array().unwrap().len(),
        eduflow::seed::demo::DEMO_COURSES - eduflow::seed::demo::DEMO_DRAFTS
    );
    replay(&db, false).await;

    // A course written with triggers disabled: no announcement, so the instance keeps trusting
    // the (frozen) replica and cannot see it.
    let mut primary_su = db.superuser().await;
    primary_su
        .batch_execute(&format!(
            "BEGIN; SET LOCAL session_replication_role = replica;
             INSERT INTO courses (tenant_id, slug, title, category, published, published_at)
             VALUES ('{beta}', 'silent', 'Silent', 'data', true, now()); COMMIT;"
        ))
        .await
        .unwrap();
    assert_eq!(
        app.get("beta.localhost", "/api/v1/courses/silent")
            .await
            .status,
        404,
        "read did not come from the replica"
    );

    // An announced change: the replica is behind it, so the primary answers.
    crate::catalog::insert_course(&db, beta, "announced", "now()").await;
    let seen = eventually(Duration::from_secs(1), || async {
        app.get("beta.localhost", "/api/v1/courses/announced")
            .await
            .status
            == 200
    })
    .await;
    replay(&db, true).await;
    assert!(
        seen.is_some(),
        "an announced change was hidden by a lagging replica"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"eduflow_db_replica_lag_seconds{replica="replica-0"}"#),
        "no replica lag series"
    );
    assert!(app.queries("replica-0", "catalog").await > 0);
    let served = eventually(Duration::from_secs(5), || async {
        app.get("beta.localhost", "/api/v1/courses/silent")
            .await
            .status
            == 200
    })
    .await;
    assert!(served.is_some());
}

#[actix_web::test]
async fn the_writer_reads_their_write_while_others_read_the_paused_replica() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    db.two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let app = app_with_replica(&db, |_| {}).await;
    let (mut ada, mut bob) = (Browser::new("alpha"), Browser::new("alpha"));
    ada.sign_up(app.port, "ada@example.org").await;
    bob.sign_up(app.port, "bob@example.org").await;
    // Both accounts have reached the replica; Bob's last write is long enough ago.
    replica_of(&db, RUNTIME_ROLE).await;
    bob.drop_cookie("eduflow_seen");
    replay(&db, false).await;

    let enrolled = ada
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(enrolled.status, 303);
    let lesson = ada
        .get(
            app.port,
            &format!("/courses/{course}/lessons/{}", lessons[1]),
        )
        .await;
    let learn = ada.get(app.port, "/learn").await;
    let bob_before = (
        app.queries("replica-0", "session").await,
        app.queries("primary", "session").await,
    );
    let bobs = bob.get(app.port, "/learn").await;
    let bob_after = (
        app.queries("replica-0", "session").await,
        app.queries("primary", "session").await,
    );
    let lag = eventually(Duration::from_secs(3), || async {
        app.metrics().await.lines().any(|l| {
            l.strip_prefix(r#"eduflow_db_replica_lag_seconds{replica="replica-0"} "#)
                .is_some_and(|v| v.parse::<f64>().unwrap() > 0.0)
        })
    })
    .await;
    replay(&db, true).await;

    assert!(
        lesson.body.contains("lesson-body"),
        "the writer was refused the lesson"
    );
    assert!(
        learn.body.contains(&course),
        "the writer's /learn missed the enrollment"
    );
    assert_eq!(bobs.status, 200);
    assert!(bobs.body.contains("bob@example.org") || bobs.body.contains("Log out"));
    // Bob's session is held in this instance's memory (`accounts::live`); had it not been, the
    // replica would have been asked. Never the primary.
    assert!(
        matches!(
            (bob_after.0 - bob_before.0, bob_after.1 - bob_before.1),
            (0 | 1, 0)
        ),
        "another learner's session was read from the primary: {bob_before:?} → {bob_after:?}"
    );
    assert!(
        lag.is_some(),
        "the paused replica's lag never showed in /metrics"
    );
}

#[actix_web::test]
async fn a_dead_replica_is_skipped() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = nobody.local_addr().unwrap().port();
    drop(nobody);
    let mut s = settings(&db);
    s.replica_urls = vec![format!(
        "postgresql://{RUNTIME_ROLE}@127.0.0.1:{port}/{}",
        db.name
    )];
    s.pool.checkout_timeout = Duration::from_secs(30);
    let app = TestApp::spawn(s).await;
    let started = std::time::Instant::now();
    for limit in 1..=3 {
        let res = app
            .get("alpha.localhost", &format!("/api/v1/courses?limit={limit}"))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    assert_eq!(ada.get(app.port, "/learn").await.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "reads waited for the dead replica's whole checkout timeout"
    );
    assert!(app.queries("primary", "catalog").await >= 3);
    assert_eq!(app.queries("replica-0", "catalog").await, 0);
}

#[actix_web::test]
async fn a_lagging_replica_is_skipped_until_it_catches_up() {
    let _turn = replica_turn().await;
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let app = app_with_replica(&db, |s| s.replica_max_lag = Duration::from_millis(300)).await;
    assert_eq!(
        app.get("alpha.localhost", "/api/v1/courses?limit=1")
            .await
            .status,
        200
    );
    assert_eq!(app.queries("replica-0", "catalog").await, 1);
    replay(&db, false).await;
    crate::catalog::insert_course(&db, alpha, "while-paused", "now()").await;
    // Each check asks for a page not cached yet.
    let next = std::sync::atomic::AtomicUsize::new(2);
    let uncached = || {
        let limit = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = format!("/api/v1/courses?limit={limit}");
        let app = &app;
        async move { app.get("alpha.localhost", &path).await }
    };
    // Once the sampler sees the lag, uncached reads go to the primary.
    let skipped = eventually(Duration::from_secs(5), || async {
        let before = app.queries("primary", "catalog").await;
        uncached().await;
        app.queries("primary", "catalog").await > before
    })
    .await;
    let on_replica = app.queries("replica-0", "catalog").await;
    replay(&db, true).await;
    assert!(skipped.is_some(), "reads kept going to the lagging replica");
    let back = eventually(Duration::from_secs(5), || async {
        uncached().await;
        app.queries("replica-0", "catalog").await > on_replica
    })
    .await;
    assert!(
        back.is_some(),
        "reads never returned to the caught-up replica"
    );
}
