//! One school cannot starve another: its transactions queue on its own budget, so a flood that
//! is stuck (here behind an operator's row locks) leaves the other schools' requests a
//! connection at once.

use std::time::{Duration, Instant};

use diesel_async::SimpleAsyncConnection;

use crate::harness::{Browser, TestApp, TestDb, settings};

/// Ten enrollments at alpha stuck behind locks on alpha's courses, and meanwhile an uncached
/// catalog page at beta: how long beta's page took, and its status.
async fn beta_while_alpha_is_stuck(db_budget: usize, request_budget: usize) -> (Duration, u16) {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.pool.max_size = 4;
    s.pool.school_budget = db_budget;
    s.school_requests = request_budget;
    s.pool.checkout_timeout = Duration::from_secs(5);
    s.pool.limits.lock = Duration::from_millis(1500);
    s.page_cache_bytes = 0;
    let app = TestApp::spawn(s).await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@alpha.test").await;
    let courses = db
        .text("SELECT string_agg(c.slug, ',') FROM (SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 10) c")
        .await;
    ada.get(app.port, "/learn").await;
    let mut operator = db.superuser().await;
    operator
        .batch_execute(
            "BEGIN; SELECT 1 FROM courses WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha') FOR UPDATE",
        )
        .await
        .unwrap();
    let port = app.port;
    let (cookie, csrf) = (ada.cookie_header(), ada.csrf().to_owned());
    let flood: Vec<_> = courses
        .split(',')
        .map(|course| {
            let (cookie, csrf, course) = (cookie.clone(), csrf.clone(), course.to_owned());
            tokio::spawn(async move {
                crate::harness::post_form(
                    port,
                    "alpha.localhost",
                    &format!("/courses/{course}/enroll"),
                    &[("csrf", &csrf)],
                    &[("Cookie", &cookie)],
                )
                .await
                .status
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    let beta = app.get("beta.localhost", "/courses?q=introduction").await;
    let took = start.elapsed();
    operator.batch_execute("ROLLBACK").await.unwrap();
    for request in flood {
        let status = request.await.unwrap();
        assert!(
            status == 303 || status == 503,
            "alpha's enrollment: {status}"
        );
    }
    app.stop().await;
    (took, beta.status)
}

#[actix_web::test]
async fn a_stuck_flood_at_one_school_leaves_another_a_connection() {
    // Either budget keeps alpha's flood to alpha: its database work, or its requests.
    for (db_budget, request_budget) in [(2, 0), (0, 2)] {
        let (took, status) = beta_while_alpha_is_stuck(db_budget, request_budget).await;
        assert_eq!(status, 200);
        assert!(
            took < Duration::from_millis(1000),
            "beta waited {took:?} behind alpha's flood (budgets {db_budget}, {request_budget})"
        );
    }
    // Without them the same flood takes every connection and beta waits for alpha's locks.
    let (without, _) = beta_while_alpha_is_stuck(0, 0).await;
    assert!(
        without > Duration::from_millis(1000),
        "without a budget beta still took only {without:?}: the test does not flood the pool"
    );
}
