//! The primary stops mid-load: hot cached pages keep being served, uncached requests get a fast
//! 503 with Retry-After, `/readyz` fails; once it is back, everything recovers without a restart
//! and nothing acknowledged is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{Browser, TestApp, eventually, private_cluster, settings, start_private};
use crate::learning::course_with_lessons;

#[actix_web::test]
async fn a_primary_outage_serves_hot_pages_fails_fast_and_recovers() {
    let (cluster, db) = private_cluster().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let mut s = settings(&db);
    let pool_timeout = Duration::from_secs(5);
    s.pool.checkout_timeout = pool_timeout;
    let app = TestApp::spawn(s).await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    let enrolled = ada
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(enrolled.status, 303, "acknowledged");
    assert_eq!(app.get("alpha.localhost", "/courses").await.status, 200);

    // A steady load on the hot page for the whole outage.
    let (stop, served, failed) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU32::new(0)),
        Arc::new(AtomicU32::new(0)),
    );
    let load = {
        let (stop, served, failed, port) = (stop.clone(), served.clone(), failed.clone(), app.port);
        actix_web::rt::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let res =
                    crate::harness::request(port, "GET", "alpha.localhost", "/courses", &[]).await;
                if res.status == 200 {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    cluster.stop().await.unwrap();
    let asked = Instant::now();
    let uncached = app.get("alpha.localhost", "/courses?category=data").await;
    let answered = asked.elapsed();
    assert_eq!(uncached.status, 503, "{}", uncached.body);
    assert_eq!(uncached.header("retry-after"), Some("1"));
    assert!(
        answered < pool_timeout,
        "the 503 waited for the whole pool timeout ({answered:?})"
    );
    let api = app.get("alpha.localhost", "/api/v1/courses?limit=7").await;
    assert_eq!(api.status, 503);
    assert!(api.json()["error"].is_string());
    assert_eq!(app.get("alpha.localhost", "/readyz").await.status, 503);
    let during = served.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        served.load(Ordering::Relaxed) > during,
        "the hot page stopped being served"
    );

    let back = Instant::now();
    let root = cluster.datadir().parent().unwrap().to_owned();
    let cluster = start_private(&root).await;
    let recovered = eventually(Duration::from_secs(30), || async {
        app.get("alpha.localhost", "/readyz").await.status == 200
            && app
                .get("alpha.localhost", "/courses?category=data")
                .await
                .status
                == 200
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    let recovered = recovered.expect("no recovery within 30 s");
    println!(
        "recovery: {} ms after the primary accepted connections again ({} ms after restart began)",
        recovered.as_millis(),
        back.elapsed().as_millis()
    );
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "the hot page failed during the outage"
    );
    let learn = ada.get(app.port, "/learn").await;
    assert!(
        learn.body.contains(&course),
        "an acknowledged enrollment was lost"
    );
    cluster.stop().await.unwrap();
}
