//! Behind a reverse proxy that rewrites `Host` (nginx's plain `proxy_pass`): the school and the
//! CSRF origin check both come from the public host it forwards; sign-ups are limited per client.

use crate::harness::{
    Browser, TestApp, TestDb, operator_sets_role, post_form, raw, rewriting_proxy, settings,
};

async fn proxied_app(db: &TestDb) -> TestApp {
    let mut s = settings(db);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    TestApp::spawn(s).await
}

#[actix_web::test]
async fn forms_work_through_a_proxy_that_rewrites_host() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let app = proxied_app(&db).await;
    let proxy = rewriting_proxy(app.port).await;

    // Sign-up, enrollment, and an instructor's authoring form, all through the proxy.
    let mut ada = Browser::new("alpha");
    ada.sign_up(proxy, "ada@alpha.test").await;
    let course = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1")
        .await;
    ada.get(proxy, &format!("/courses/{course}")).await;
    let res = ada
        .post(proxy, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let mut ines = Browser::new("alpha");
    ines.sign_up(proxy, "ines@alpha.test").await;
    let ines_cookie = ines.cookie_header();
    operator_sets_role(
        &db,
        (proxy, &ines.host, &ines_cookie),
        "ines@alpha.test",
        "instructor",
    )
    .await;
    ines.get(proxy, "/author/courses/new").await;
    let res = ines
        .upload(
            proxy,
            "/author/courses",
            &[
                ("title", "Behind the proxy"),
                ("slug", "behind-the-proxy"),
                ("category", "data"),
                ("level", "beginner"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        db.count("SELECT count(*) FROM courses WHERE slug = 'behind-the-proxy'")
            .await,
        1
    );

    // The origin must be the host that chose the school: a form for beta (forwarded host) that
    // comes from alpha's pages is refused.
    let body = "name=Eve&email=eve%40beta.test&password=correct+horse+battery&csrf=x";
    let forged = raw(
        app.port,
        format!(
            "POST /signup HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Forwarded-Host: beta.localhost\r\n\
             Origin: http://alpha.localhost\r\nCookie: eduflow_csrf=x\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            app.port,
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(
        forged.body.contains("not sent from this school"),
        "{}",
        forged.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn sign_ups_are_limited_per_client_address() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    s.signups_per_address = 3;
    let app = TestApp::spawn(s).await;
    let attempt = |i: usize, client: &'static str, school: &'static str| {
        let port = app.port;
        async move {
            let host = format!("{school}.localhost");
            let form = crate::harness::request(port, "GET", &host, "/signup", &[]).await;
            let token = form.cookie("eduflow_csrf").unwrap();
            let email = format!("learner{i}@{school}.test");
            post_form(
                port,
                &host,
                "/signup",
                &[
                    ("name", "Learner"),
                    ("email", &email),
                    ("password", "correct horse battery"),
                    ("csrf", &token),
                ],
                &[
                    ("Cookie", &format!("eduflow_csrf={token}")),
                    ("X-Forwarded-For", client),
                ],
            )
            .await
        }
    };
    // Three from one address, across two schools, then a refusal at either school.
    assert_eq!(attempt(1, "203.0.113.7", "alpha").await.status, 303);
    assert_eq!(attempt(2, "203.0.113.7", "beta").await.status, 303);
    assert_eq!(attempt(3, "203.0.113.7", "alpha").await.status, 303);
    let refused = attempt(4, "203.0.113.7", "beta").await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("900"));
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'learner4@beta.test'")
            .await,
        0
    );
    // Another client behind the same proxy is not affected.
    assert_eq!(attempt(5, "198.51.100.9", "beta").await.status, 303);
    app.stop().await;
}
