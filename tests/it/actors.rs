//! School actors: single-flight loads, a responsive mailbox, bounded memory, idle eviction, and
//! 503 (never a hang) when the pool is exhausted.

use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;
use futures_util::future::join_all;

use crate::harness::{TestApp, TestDb, eventually, settings};

#[actix_web::test]
async fn concurrent_misses_load_once_while_hits_keep_flowing() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let app = TestApp::spawn(settings(&db)).await;
    assert_eq!(app.get("alpha.localhost", "/courses").await.status, 200);

    // Block every load that needs the categories table.
    let mut blocker = db.admin().await;
    blocker
        .batch_execute("BEGIN; LOCK TABLE categories IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let loads = app.state.registry.loads();
    let misses = join_all((0..10).map(|_| app.get("alpha.localhost", "/courses?category=data")));
    let probe = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Meanwhile a cached page answers at once: the mailbox is not waiting on the database.
        let start = Instant::now();
        let hit = app.get("alpha.localhost", "/courses").await;
        let hit_time = start.elapsed();
        let during = app.state.registry.loads();
        blocker.batch_execute("COMMIT").await.unwrap();
        (hit.status, hit_time, during)
    };
    let (responses, (hit_status, hit_time, during)) = futures_util::join!(misses, probe);
    assert_eq!(hit_status, 200);
    assert!(
        hit_time < Duration::from_millis(250),
        "a cache hit waited {hit_time:?} behind a slow load"
    );
    assert_eq!(
        during - loads,
        1,
        "ten concurrent misses started {} loads",
        during - loads
    );
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 && r.body == responses[0].body)
    );
    let stats = app.state.registry.stats(alpha).await.unwrap();
    assert_eq!(stats.pages, 2);
}

#[actix_web::test]
async fn page_memory_is_capped_per_school() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let mut s = settings(&db);
    // A catalog page holds about 6 KB (compressed copies only): room for three.
    s.page_cache_bytes = 20_000;
    let app = TestApp::spawn(s).await;
    for word in [
        "course",
        "practical",
        "foundations",
        "mastering",
        "workshop",
        "toolkit",
        "depth",
        "step",
        "advanced",
        "introduction",
    ] {
        assert_eq!(
            app.get("alpha.localhost", &format!("/courses?q={word}"))
                .await
                .status,
            200
        );
    }
    let stats = app.state.registry.stats(alpha).await.unwrap();
    assert!(stats.bytes <= 20_000, "{stats:?}");
    assert!(stats.evictions > 0 && stats.pages >= 2, "{stats:?}");
}

#[actix_web::test]
async fn idle_school_actors_stop_and_restart_on_demand() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.actor_idle = Duration::from_millis(200);
    let app = TestApp::spawn(s).await;
    assert_eq!(app.get("alpha.localhost", "/").await.status, 200);
    assert_eq!(app.get("beta.localhost", "/").await.status, 200);
    assert_eq!(app.state.registry.live(), 2);
    let gone = eventually(Duration::from_secs(3), || async {
        app.state.registry.live() == 0
    })
    .await;
    assert!(gone.is_some(), "idle actors still live");
    assert_eq!(app.get("alpha.localhost", "/").await.status, 200);
    assert_eq!(app.state.registry.live(), 1);
}

#[actix_web::test]
async fn an_exhausted_pool_answers_503_with_retry_after() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.pool.max_size = 1;
    s.pool.checkout_timeout = Duration::from_millis(200);
    let app = TestApp::spawn(s).await;
    let main = app.state.clusters.main();
    let held = main.primary().get().await.unwrap();
    let start = Instant::now();
    let res = app.get("alpha.localhost", "/courses").await;
    assert_eq!(res.status, 503);
    assert_eq!(res.header("retry-after"), Some("1"));
    assert!(start.elapsed() < Duration::from_secs(2));
    let api = app.get("alpha.localhost", "/api/v1/courses").await;
    assert_eq!(
        (api.status, api.json()["status"].as_u64()),
        (503, Some(503))
    );
    assert_eq!(app.get("alpha.localhost", "/readyz").await.status, 503);
    let port = app.metrics_port.unwrap();
    let metrics = crate::harness::request(port, "GET", "127.0.0.1", "/metrics", &[])
        .await
        .body;
    let timeouts = metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"eduflow_db_pool_checkout_timeouts_total{pool="primary"} "#))
        .and_then(|v| v.parse::<u64>().ok());
    // The two pages waited the whole checkout timeout; /readyz gives up sooner (150 ms), which
    // the pool does not count as its own timeout.
    assert!(timeouts.is_some_and(|n| n >= 2), "{timeouts:?}");
    assert!(metrics.contains(r#"eduflow_db_pool_connections{pool="primary",state="in_use"} 1"#));
    drop(held);
    assert_eq!(app.get("alpha.localhost", "/courses").await.status, 200);
}
