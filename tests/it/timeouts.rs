//! Bounded waits whatever the database does: `/readyz` within 250 ms, statements and lock waits
//! cut by `statement_timeout` / `lock_timeout` into 503s that free their connection.

use std::time::{Duration, Instant};

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use eduflow::db::pools::Limits;
use eduflow::error::AppError;

use crate::harness::{Browser, TestApp, TestDb, eventually, private_cluster, settings};

async fn readyz(app: &TestApp) -> (u16, Duration) {
    let start = Instant::now();
    let res = app.get("localhost", "/readyz").await;
    (res.status, start.elapsed())
}

/// Every process of the cluster (the postmaster and its children).
fn cluster_pids(cluster: &eduflow::db::embedded::Cluster) -> Vec<nix::unistd::Pid> {
    let pid = crate::harness::postmaster_pid(cluster.datadir());
    let children = std::process::Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .unwrap();
    std::iter::once(pid)
        .chain(
            String::from_utf8_lossy(&children.stdout)
                .lines()
                .filter_map(|l| l.trim().parse().ok()),
        )
        .map(nix::unistd::Pid::from_raw)
        .collect()
}

#[actix_web::test]
async fn readyz_answers_within_250_ms_whatever_the_database_does() {
    let (cluster, db) = private_cluster().await;
    let app = TestApp::spawn(settings(&db)).await;
    assert_eq!(readyz(&app).await.0, 200);

    // Every connection of the pool is busy (4 in the test settings).
    let pool = app.state.clusters.main().primary().clone();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(pool.get().await.unwrap());
    }
    let (status, took) = readyz(&app).await;
    assert_eq!(status, 503);
    assert!(took < Duration::from_millis(250), "full pool: {took:?}");
    drop(held);
    assert_eq!(readyz(&app).await.0, 200);

    // The server stops answering at all (its processes are frozen): connections stay open and
    // silent.
    use nix::sys::signal::{Signal, kill};
    let pids = cluster_pids(&cluster);
    for pid in &pids {
        kill(*pid, Signal::SIGSTOP).unwrap();
    }
    for _ in 0..3 {
        let (status, took) = readyz(&app).await;
        assert_eq!(status, 503);
        assert!(took < Duration::from_millis(250), "frozen server: {took:?}");
    }
    for pid in &pids {
        kill(*pid, Signal::SIGCONT).unwrap();
    }
    let back = eventually(Duration::from_secs(10), || async {
        readyz(&app).await.0 == 200
    })
    .await;
    assert!(back.is_some(), "ready again once the server answers");
    app.stop().await;
    cluster.stop().await.unwrap();
}

/// An operator's `LOCK TABLE` beside the running app: requests that need the table get a 503
/// after `lock_timeout` instead of holding their connection for as long as the lock lasts; once
/// it is released, the same request succeeds.
#[actix_web::test]
async fn an_operators_lock_costs_a_503_not_a_held_pool() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.pool.limits.lock = Duration::from_millis(300);
    let app = TestApp::spawn(s).await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@alpha.test").await;
    let course = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1")
        .await;
    let mut operator = db.superuser().await;
    operator
        .batch_execute("BEGIN; LOCK TABLE enrollments IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = Instant::now();
    let res = ada
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    let took = started.elapsed();
    assert_eq!(res.status, 503, "{}", res.body);
    assert_eq!(res.header("retry-after"), Some("1"));
    assert!(
        took < Duration::from_secs(2),
        "the wait was cut by lock_timeout: {took:?}"
    );
    operator.batch_execute("ROLLBACK").await.unwrap();
    ada.get(app.port, &format!("/courses/{course}")).await;
    let res = ada
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    app.stop().await;
}

#[actix_web::test]
async fn a_statement_over_statement_timeout_is_unavailable_and_its_connection_reused() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let pools = eduflow::db::Pools::new(
        eduflow::db::PoolSettings {
            max_size: 1,
            limits: Limits {
                statement: Duration::from_millis(100),
                lock: Duration::ZERO,
            },
            ..Default::default()
        },
        &db.runtime_url,
        &[],
        None,
    );
    let slow = eduflow::db::tenant_tx(pools.primary(), alpha, "test", |conn| {
        Box::pin(async move {
            diesel::sql_query("SELECT pg_sleep(2)")
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await;
    assert!(matches!(slow, Err(AppError::Unavailable(_))), "{slow:?}");
    // The pool's one connection is usable again.
    let fine = eduflow::db::tenant_tx(pools.primary(), alpha, "test", |conn| {
        Box::pin(async move {
            diesel::sql_query("SELECT pg_sleep(0.01)")
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await;
    assert!(fine.is_ok(), "{fine:?}");
}
