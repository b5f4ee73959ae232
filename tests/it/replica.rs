//! Catalog reads go to a read replica, except when it has not yet caught up with a change the
//! instance was told about: then the primary answers (read-your-writes across instances).

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use eduflow::db::embedded::{RUNTIME_ROLE, SUPERUSER};

use crate::harness::{TestApp, TestDb, eventually, replica, settings};

#[actix_web::test]
async fn reads_use_the_replica_and_fall_back_to_the_primary_when_it_lags() {
    let standby = replica();
    let db = TestDb::new().await;
    let (_, beta) = db.two_schools().await;
    let replica_url = standby.url(RUNTIME_ROLE, &db.name);
    let caught_up = eventually(Duration::from_secs(10), || async {
        AsyncPgConnection::establish(&replica_url).await.is_ok()
    })
    .await;
    assert!(
        caught_up.is_some(),
        "the replica never received the test database"
    );
    let mut s = settings(&db);
    s.replica_urls = vec![replica_url];
    let app = TestApp::spawn(s).await;
    // The instance started while the replica may still be replaying the seed: it must never
    // serve (or cache) an older catalog than the primary had at start.
    let mut standby_su = AsyncPgConnection::establish(&standby.url(SUPERUSER, &db.name))
        .await
        .unwrap();
    let first = app.get("beta.localhost", "/api/v1/courses?limit=50").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        first.json()["items"].as_array().unwrap().len(),
        eduflow::seed::DEMO_COURSES - eduflow::seed::DEMO_DRAFTS
    );
    // Wait until the replica has replayed everything up to the primary's current catalog version.
    let version_sql = format!("SELECT catalog_version AS n FROM tenants WHERE id = '{beta}'");
    let primary_version = db.count(&version_sql).await;
    let replayed = eventually(Duration::from_secs(10), || async {
        #[derive(diesel::QueryableByName)]
        struct V {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = AsyncPgConnection::establish(&standby.url(SUPERUSER, &db.name))
            .await
            .unwrap();
        let rows: Vec<V> =
            diesel_async::RunQueryDsl::load(diesel::sql_query(&version_sql), &mut conn)
                .await
                .unwrap();
        rows.first().is_some_and(|v| v.n >= primary_version)
    })
    .await;
    assert!(replayed.is_some(), "the replica never replayed the seed");
    standby_su
        .batch_execute("SELECT pg_wal_replay_pause()")
        .await
        .unwrap();

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
    standby_su
        .batch_execute("SELECT pg_wal_replay_resume()")
        .await
        .unwrap();
    assert!(
        seen.is_some(),
        "an announced change was hidden by a lagging replica"
    );
    let metrics = crate::harness::request(
        app.metrics_port.unwrap(),
        "GET",
        "127.0.0.1",
        "/metrics",
        &[],
    )
    .await
    .body;
    assert!(
        metrics.contains(r#"eduflow_db_replica_lag_seconds{replica="replica-0"}"#),
        "no replica lag series"
    );
    assert!(
        metrics.contains(
            r#"eduflow_db_query_duration_seconds_count{pool="replica-0",query="catalog"}"#
        )
    );
    assert_eq!(
        app.get("beta.localhost", "/api/v1/courses/silent")
            .await
            .status,
        200
    );
}
