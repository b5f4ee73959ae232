//! The OpenAPI description is served, lists every API route, and the API answers what it
//! promises there (schemathesis checks the rest in `.ci/run`).

use crate::harness::{TestApp, request};

#[actix_web::test]
async fn the_api_is_described_and_answers_405_for_undeclared_methods() {
    let (_db, app) = TestApp::two_schools().await;
    let res = app.get("alpha.localhost", "/api/v1/openapi.json").await;
    assert_eq!(res.status, 200);
    let spec = res.json();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Every API route of the route table is described.
    let routes = include_str!("../../src/routes.rs");
    for path in [
        "/api/v1/courses",
        "/api/v1/courses/{slug}",
        "/api/v1/me",
        "/api/v1/me/enrollments",
        "/api/v1/me/progress",
        "/api/v1/lessons/{lesson}/position",
        "/api/v1/users",
        "/api/v1/users/{user}/enrollments/{course}",
        "/api/v1/enrollments",
        "/api/v1/completions",
        "/api/v1/progress",
        "/api/v1/certificates",
        "/api/v1/courses/{slug}/grades",
        "/api/v1/openapi.json",
    ] {
        assert!(paths.contains(&path), "{path} is not described");
        let tail = path.trim_start_matches("/api/v1");
        assert!(
            routes.contains(&format!("\"{path}\"")) || routes.contains(&format!("\"{tail}\"")),
            "{path} is not routed"
        );
    }
    assert_eq!(paths.len(), 14, "{paths:?}");
    for (method, path, allow) in [
        ("DELETE", "/api/v1/me", "GET"),
        ("TRACE", "/api/v1/courses", "GET"),
        ("PUT", "/api/v1/courses/x", "GET"),
        (
            "GET",
            "/api/v1/lessons/00000000-0000-0000-0000-000000000000/position",
            "POST",
        ),
    ] {
        let res = request(app.port, method, "alpha.localhost", path, &[]).await;
        assert_eq!(res.status, 405, "{method} {path}");
        assert_eq!(res.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(res.json()["status"], 405);
    }
    // Extractor errors under /api are JSON too.
    let res = request(
        app.port,
        "GET",
        "alpha.localhost",
        "/api/v1/courses/%C3%28",
        &[],
    )
    .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["status"], 404);
    app.stop().await;
}
