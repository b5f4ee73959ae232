//! Host → school resolution, from the attacker's side too.

use std::time::Duration;

use crate::harness::{TestApp, TestDb, raw, request, settings};

#[actix_web::test]
async fn schools_resolve_by_subdomain_custom_domain_case_and_port() {
    let (_db, app) = TestApp::two_schools().await;
    for host in [
        "alpha.localhost",
        "ALPHA.LocalHost:8080",
        "learn.alpha.test",
        "Learn.Alpha.Test.:443",
    ] {
        let res = app.get(host, "/").await;
        assert_eq!(res.status, 200, "{host}");
        assert!(
            res.body.contains("<title>School alpha</title>"),
            "{host}: {}",
            res.body
        );
    }
    let beta = app.get("beta.localhost", "/").await;
    assert!(beta.body.contains("<title>School beta</title>"));
    let landing = app.get("localhost:8080", "/").await;
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("<h1>EduFlow</h1>"));
}

#[actix_web::test]
async fn unknown_hosts_get_a_plain_404_without_touching_the_database() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.pool.max_size = 1;
    s.pool.checkout_timeout = Duration::from_millis(300);
    let app = TestApp::spawn(s).await;
    // Hold the only connection: any database access now ends in a 503.
    let main = app.state.clusters.main();
    let held = main.primary().get().await.unwrap();
    for host in [
        "gamma.localhost",
        "alpha.beta.localhost",
        "evil.test",
        "alpha.localhost.evil.test",
        "bad host",
    ] {
        for path in ["/", "/courses", "/api/v1/courses", "/courses/anything"] {
            let res = app.get(host, path).await;
            assert_eq!(res.status, 404, "{host}{path}");
            assert!(
                res.body.contains("no school at this address"),
                "{host}{path}: {}",
                res.body
            );
        }
    }
    let json = app.get("gamma.localhost", "/api/v1/courses").await;
    assert_eq!(json.json()["status"], 404);
    // A request without any Host header is no school either.
    let res = raw(app.port, b"GET /courses HTTP/1.0\r\n\r\n").await;
    assert_eq!(res.status, 404);
    // …while a school's page that needs the database cannot get it.
    assert_eq!(
        app.get("alpha.localhost", "/courses?q=nothing-cached")
            .await
            .status,
        503
    );
    drop(held);
}

#[actix_web::test]
async fn forwarded_host_headers_are_ignored_unless_from_a_trusted_proxy() {
    let (db, app) = TestApp::two_schools().await;
    let spoofed = [
        ("X-Forwarded-Host", "beta.localhost"),
        ("Forwarded", "host=beta.localhost"),
    ];
    for header in spoofed {
        let res = request(app.port, "GET", "alpha.localhost", "/", &[header]).await;
        assert!(
            res.body.contains("School alpha"),
            "{header:?} switched the school"
        );
        let res = request(app.port, "GET", "nope.localhost", "/", &[header]).await;
        assert_eq!(res.status, 404, "{header:?} rescued an unknown host");
    }
    app.stop().await;

    let mut s = settings(&db);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let proxied = TestApp::spawn(s).await;
    let res = request(
        proxied.port,
        "GET",
        "internal:8080",
        "/",
        &[("X-Forwarded-Host", "beta.localhost")],
    )
    .await;
    assert!(res.body.contains("School beta"), "{}", res.body);
    let res = request(
        proxied.port,
        "GET",
        "internal:8080",
        "/",
        &[("Forwarded", "for=1.2.3.4;host=\"alpha.localhost\"")],
    )
    .await;
    assert!(res.body.contains("School alpha"), "{}", res.body);
}

#[actix_web::test]
async fn health_endpoints_answer_on_any_host() {
    let db = TestDb::new().await;
    let app = TestApp::spawn(settings(&db)).await;
    for host in ["localhost", "nobody.localhost", "whatever.example"] {
        assert_eq!(app.get(host, "/healthz").await.status, 200);
        let ready = app.get(host, "/readyz").await;
        assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
    }
}
