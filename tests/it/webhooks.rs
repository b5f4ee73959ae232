//! Webhooks against a real receiver that verifies with the `standardwebhooks` package: events of
//! every writer, written with the change and delivered after commit, signed (and refused by the
//! receiver when tampered with or stale), retried, disabled with a mail to the admins, redelivered,
//! rotated with an overlap, and kept off private addresses, redirects and slow endpoints.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::api_tokens::{call, cli_token, course_and_lessons};
use crate::fleet::{psql, two_instances};
use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, eventually, raw, receiver, settings, shared_smtp,
    succeeded, tempdir,
};

const ALL: &[&str] = &[
    "user.created",
    "enrollment.created",
    "enrollment.removed",
    "lesson.completed",
    "course.completed",
    "quiz.attempted",
    "certificate.issued",
    "certificate.revoked",
];

/// The secret a page shows once (as the browser reads it: `/` is escaped in the HTML).
fn secret_on(page: &str) -> String {
    page.split("<code id=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret, shown once")
        .replace("&#x2F;", "/")
}

/// An endpoint added by `admin` through `/admin/webhooks` for `events`; returns its secret.
async fn add_endpoint(admin: &mut Browser, port: u16, url: &str, events: &[&str]) -> String {
    admin.get(port, "/admin/webhooks").await;
    let mut fields = vec![("url", url)];
    fields.extend(events.iter().map(|e| (*e, "1")));
    let res = admin.post(port, "/admin/webhooks", &fields).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let secret = secret_on(&res.body);
    assert!(secret.starts_with("whsec_"));
    secret
}

/// The received deliveries' event types once `n` have arrived (all verified).
async fn received(name: &str, n: usize) -> Vec<Value> {
    let arrived = eventually(Duration::from_secs(10), || async {
        receiver().received(name).await.len() >= n
    })
    .await;
    let got = receiver().received(name).await;
    assert!(arrived.is_some(), "{} of {n} arrived: {got:#?}", got.len());
    got
}

fn types(got: &[Value]) -> BTreeSet<String> {
    got.iter()
        .map(|r| {
            let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
            body["type"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[actix_web::test]
async fn every_event_of_every_writer_arrives_once_signed_and_only_after_commit() {
    let (db, one, two) = two_instances().await;
    let name = "every-event";
    let mut head = Browser::member(one.port, &db, "alpha", "head@alpha.test", "admin").await;
    let secret = add_endpoint(&mut head, one.port, &receiver().url(name), ALL).await;
    receiver()
        .configure(name, json!({ "secrets": [secret] }))
        .await;
    // The other school's endpoint hears nothing of alpha.
    let mut other = Browser::member(one.port, &db, "beta", "head@beta.test", "admin").await;
    let beta_secret = add_endpoint(&mut other, one.port, &receiver().url("beta-only"), ALL).await;
    receiver()
        .configure("beta-only", json!({ "secrets": [beta_secret] }))
        .await;

    // A school's system (through instance two), an admin (instance one) and plain SQL.
    let token = cli_token(&db, "alpha", &["users:write", "enrollments:write"]).await;
    let (t, alpha) = (Some(token.as_str()), "alpha.localhost");
    let (course, lessons) = course_and_lessons(&db).await;
    let ada = json!({ "email": "ada@alpha.test", "name": "Ada", "role": "learner" });
    assert_eq!(
        call(two.port, alpha, "POST", "/api/v1/users", t, Some(&ada))
            .await
            .status,
        201
    );
    let enroll = json!({ "email": "ada@alpha.test", "course": course });
    let res = call(
        two.port,
        alpha,
        "POST",
        "/api/v1/enrollments",
        t,
        Some(&enroll),
    )
    .await;
    assert_eq!(res.status, 201);
    let ada_id = res.json()["user_id"].as_str().unwrap().to_owned();
    for lesson in &lessons {
        let body = json!({ "email": "ada@alpha.test", "course": course, "lesson": lesson });
        let res = call(
            two.port,
            alpha,
            "POST",
            "/api/v1/completions",
            t,
            Some(&body),
        )
        .await;
        assert_eq!(res.status, 201);
    }
    let certificate = db.text("SELECT id::text FROM certificates").await;
    head.get(one.port, &format!("/certificates/{certificate}"))
        .await;
    let res = head
        .post(
            one.port,
            &format!("/certificates/{certificate}/revoke"),
            &[("reason", "issued in error")],
        )
        .await;
    assert_eq!(res.status, 303);
    let end = format!("/api/v1/users/{ada_id}/enrollments/{course}");
    assert_eq!(
        call(two.port, alpha, "DELETE", &end, t, None).await.status,
        204
    );
    psql(
        &db,
        "INSERT INTO quiz_attempts (tenant_id, user_id, lesson_id, number, score, passed, marked)
         SELECT u.tenant_id, u.id, l.id, 1, 80, true, '[]' FROM users u
           JOIN lessons l ON l.tenant_id = u.tenant_id WHERE u.email = 'ada@alpha.test' LIMIT 1",
    )
    .await;
    // A change that rolls back announces nothing.
    psql(
        &db,
        "BEGIN; INSERT INTO enrollments (tenant_id, user_id, course_id)
           SELECT u.tenant_id, u.id, c.id FROM users u JOIN courses c ON c.tenant_id = u.tenant_id
            WHERE u.email = 'ada@alpha.test' LIMIT 1; ROLLBACK;",
    )
    .await;

    let expected = lessons.len() + 7;
    let got = received(name, expected).await;
    assert!(got.iter().all(|r| r["verified"] == true), "{got:#?}");
    assert_eq!(types(&got), ALL.iter().map(|e| e.to_string()).collect());
    // Each once, whichever instance sent it: no message id twice.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got = receiver().received(name).await;
    let ids: BTreeSet<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "a delivery was sent twice");
    assert_eq!(got.len(), expected, "{:?}", types(&got));
    let revoked: Value = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["body"].as_str().unwrap()).unwrap())
        .find(|b| b["type"] == "certificate.revoked")
        .unwrap();
    assert_eq!(revoked["data"]["certificate"]["reason"], "issued in error");
    assert_eq!(revoked["data"]["user"]["email"], "ada@alpha.test");
    assert_eq!(revoked["data"]["course"]["slug"], course.as_str());
    assert!(receiver().received("beta-only").await.is_empty());

    // The receiver refuses a changed body and a stale timestamp: the signature means something.
    let sample = &got[0];
    let (id, body) = (
        sample["id"].as_str().unwrap(),
        sample["body"].as_str().unwrap(),
    );
    let forward = |body: String, timestamp: i64, signature: String| {
        let head = format!(
            "POST /hook/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             webhook-id: {id}\r\nwebhook-timestamp: {timestamp}\r\nwebhook-signature: {signature}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        async move { raw(receiver().port, head.as_bytes()).await.status }
    };
    let now = chrono::Utc::now().timestamp();
    let sign = |ts: i64, body: &str| {
        eduflow::webhooks::signature::sign(&secret, id, ts, body.as_bytes()).unwrap()
    };
    assert_eq!(
        forward(body.to_owned(), now, sign(now, body)).await,
        200,
        "a faithful copy verifies"
    );
    let tampered = body.replace("ada@alpha.test", "eve@alpha.test");
    assert_eq!(forward(tampered, now, sign(now, body)).await, 400);
    let stale = now - 3600;
    assert_eq!(
        forward(body.to_owned(), stale, sign(stale, body)).await,
        400
    );

    // The admins' log: every delivery delivered, with its answer and latency.
    let endpoint = db
        .text("SELECT e.id::text FROM webhook_endpoints e JOIN tenants t ON t.id = e.tenant_id WHERE t.slug = 'alpha'")
        .await;
    let recorded = eventually(Duration::from_secs(5), || async {
        db.count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'")
            .await
            == expected as i64
    })
    .await;
    assert!(recorded.is_some(), "each 2xx is recorded");
    let log = head
        .get(one.port, &format!("/admin/webhooks/{endpoint}"))
        .await;
    assert_eq!(log.status, 200);
    assert_eq!(
        log.body.matches("<td>delivered</td>").count(),
        expected,
        "{}",
        log.body
    );
    assert!(log.body.contains(" ms</td>"));
    // Another school's admin cannot see or touch it.
    let theirs = other
        .get(one.port, &format!("/admin/webhooks/{endpoint}"))
        .await;
    assert_eq!(theirs.status, 404);
    other.get(one.port, "/admin/webhooks").await;
    let res = other
        .post(one.port, &format!("/admin/webhooks/{endpoint}/delete"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        2
    );
}

#[actix_web::test]
async fn a_failing_endpoint_is_retried_then_disabled_its_admins_mailed_and_redelivered() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = shared_smtp();
    let mut s = settings(&db);
    s.mail.transport = sink.transport();
    s.webhooks.disable_after = 3;
    let app = TestApp::spawn(s).await;
    let port = app.port;
    let name = "failing";
    let mut head = Browser::member(port, &db, "alpha", "hooks-admin@alpha.test", "admin").await;
    let secret = add_endpoint(&mut head, port, &receiver().url(name), &["user.created"]).await;
    receiver()
        .configure(
            name,
            json!({ "secrets": [secret], "fail": 1000, "status": 503 }),
        )
        .await;
    let mut carol = Browser::new("alpha");
    carol.sign_up(port, "carol@alpha.test").await;
    // Retried with the same message id, then the endpoint is disabled and its admins told.
    let got = received(name, 3).await;
    assert!(
        got.iter()
            .all(|r| r["id"] == got[0]["id"] && r["verified"] == true)
    );
    let told = eventually(Duration::from_secs(10), || async {
        sink.to("hooks-admin@alpha.test").iter().any(|m| {
            let text = m["text"].as_str().unwrap_or_default();
            text.contains("stopped sending")
                && text.contains("3 failed attempts in a row")
                && text.contains("answered 503")
        })
    })
    .await;
    assert!(told.is_some(), "{:#?}", sink.to("hooks-admin@alpha.test"));
    let endpoint = db.text("SELECT id::text FROM webhook_endpoints").await;
    let page = head.get(port, &format!("/admin/webhooks/{endpoint}")).await;
    assert!(page.body.contains("id=\"disabled\""), "{}", page.body);
    // Our sentence in the reader's language; the receiver's answer as recorded, marked English.
    assert!(page.body.contains("after 3 failed attempts in a row"));
    assert!(
        page.body
            .contains("<small lang=\"en\" dir=\"ltr\">the endpoint answered 503</small>")
    );
    assert!(page.body.contains("<td>pending</td>"));
    // While disabled nothing is sent; new events wait too.
    let mut dan = Browser::new("alpha");
    dan.sign_up(port, "dan@alpha.test").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver().received(name).await.len(), 3);
    // The endpoint works again; enabled, it gets what waited.
    receiver()
        .configure(name, json!({ "secrets": [secret] }))
        .await;
    head.get(port, &format!("/admin/webhooks/{endpoint}")).await;
    let res = head
        .post(port, &format!("/admin/webhooks/{endpoint}/enable"), &[])
        .await;
    assert_eq!(res.status, 303);
    let got = received(name, 5).await;
    assert_eq!(got.iter().filter(|r| r["status"] == 200).count(), 2);
    // Redelivered by hand: the same message again (once the sender has recorded the 2xx).
    let recorded = eventually(Duration::from_secs(5), || async {
        db.count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'")
            .await
            == 2
    })
    .await;
    assert!(recorded.is_some());
    let delivered = db
        .text("SELECT id::text FROM webhook_deliveries WHERE status = 'delivered' ORDER BY created_at LIMIT 1")
        .await;
    head.get(port, &format!("/admin/webhooks/{endpoint}")).await;
    let res = head
        .post(
            port,
            &format!("/admin/webhooks/{endpoint}/deliveries/{delivered}/redeliver"),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    let got = received(name, 6).await;
    assert_eq!(got[5]["id"], format!("msg_{}", delivered.replace('-', "")));
    let audit = db
        .text("SELECT string_agg(action, ' ' ORDER BY at) FROM audit_log WHERE action LIKE 'webhook.%'")
        .await;
    assert_eq!(audit, "webhook.added webhook.enabled webhook.redelivered");
}

#[actix_web::test]
async fn a_rotated_secret_keeps_signing_for_a_while_beside_the_new_one() {
    let (db, app) = TestApp::two_schools().await;
    let port = app.port;
    let name = "rotation";
    let mut head = Browser::member(port, &db, "alpha", "head@alpha.test", "admin").await;
    let old = add_endpoint(&mut head, port, &receiver().url(name), &["user.created"]).await;
    let endpoint = db.text("SELECT id::text FROM webhook_endpoints").await;
    head.get(port, &format!("/admin/webhooks/{endpoint}")).await;
    let res = head
        .post(port, &format!("/admin/webhooks/{endpoint}/rotate"), &[])
        .await;
    assert_eq!(res.status, 200);
    let new = secret_on(&res.body);
    assert_ne!(new, old);
    assert!(
        !head
            .get(port, &format!("/admin/webhooks/{endpoint}"))
            .await
            .body
            .contains(&new)
    );
    // A receiver still on the old secret verifies; so does one on the new.
    receiver()
        .configure(name, json!({ "secrets": [old] }))
        .await;
    Browser::new("alpha").sign_up(port, "one@alpha.test").await;
    let got = received(name, 1).await;
    assert_eq!(got[0]["verified"], true, "{got:#?}");
    assert_eq!(got[0]["signature"].as_str().unwrap().split(' ').count(), 2);
    receiver()
        .configure(name, json!({ "secrets": [new] }))
        .await;
    Browser::new("alpha").sign_up(port, "two@alpha.test").await;
    let got = received(name, 2).await;
    assert_eq!(got[1]["verified"], true);
    // Once the overlap is over, only the new one signs.
    psql(&db, "UPDATE webhook_endpoints SET previous_until = now()").await;
    receiver()
        .configure(name, json!({ "secrets": [old] }))
        .await;
    Browser::new("alpha")
        .sign_up(port, "three@alpha.test")
        .await;
    let got = received(name, 3).await;
    assert_eq!(got[2]["verified"], false);
    assert_eq!(got[2]["signature"].as_str().unwrap().split(' ').count(), 1);
}

#[actix_web::test]
async fn private_addresses_redirects_and_slow_endpoints_get_nothing() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.webhooks.allow_private = false;
    let strict = TestApp::spawn(s).await;
    let mut head = Browser::member(strict.port, &db, "alpha", "head@alpha.test", "admin").await;
    for url in [
        receiver().url("private"),
        "http://localhost:9/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://[::1]/hook".to_owned(),
        "ftp://example.org/hook".to_owned(),
        "https://user:pw@example.org/hook".to_owned(),
    ] {
        head.get(strict.port, "/admin/webhooks").await;
        let res = head
            .post(
                strict.port,
                "/admin/webhooks",
                &[("url", url.as_str()), ("user.created", "1")],
            )
            .await;
        assert_eq!(res.status, 422, "{url}: {}", res.body);
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM webhook_endpoints")
            .await,
        0
    );
    // The CLI refuses it too, unless the installation allows private addresses.
    let dir = tempdir("webhooks");
    let url = receiver().url("cli");
    let args = [
        "webhooks",
        "add",
        "--school",
        "alpha",
        "--url",
        &url,
        "--event",
        "user.created",
    ];
    let out = eduflow_cli(&db, &db.admin_url, &dir, &args).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a public address"));
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args(args)
        .env("DATABASE_URL", &db.runtime_url)
        .env("DATABASE_ADMIN_URL", &db.admin_url)
        .env("EDUFLOW_TENANTS_DIR", &dir)
        .env("EDUFLOW_WEBHOOKS_ALLOW_PRIVATE", "true")
        .output()
        .await
        .unwrap();
    let printed = succeeded(&out);
    assert!(printed.trim().starts_with("whsec_"), "{printed}");
    // An endpoint that became private later (here: one written straight into the table) is
    // still refused at delivery, by a strict instance.
    receiver()
        .configure("cli", json!({ "secrets": [printed.trim()] }))
        .await;
    Browser::new("alpha")
        .sign_up(strict.port, "x@alpha.test")
        .await;
    let refused = eventually(Duration::from_secs(5), || async {
        db.count("SELECT count(*) AS n FROM webhook_deliveries WHERE last_error LIKE '%not a public address%'")
            .await
            > 0
    })
    .await;
    assert!(refused.is_some());
    assert!(receiver().received("cli").await.is_empty());
    strict.stop().await;

    // Redirects are not followed, and a slow endpoint is cut off.
    let mut s = settings(&db);
    s.webhooks.timeout = Duration::from_millis(700);
    s.webhooks.retry_base = Duration::from_secs(60);
    let app = TestApp::spawn(s).await;
    psql(&db, "DELETE FROM webhook_endpoints").await;
    let mut head = Browser::member(app.port, &db, "alpha", "boss@alpha.test", "admin").await;
    let secret = add_endpoint(
        &mut head,
        app.port,
        &receiver().url("redirect"),
        &["user.created"],
    )
    .await;
    receiver()
        .configure(
            "redirect",
            json!({ "secrets": [secret], "redirect": receiver().url("redirected") }),
        )
        .await;
    let slow = add_endpoint(
        &mut head,
        app.port,
        &receiver().url("slow"),
        &["user.created"],
    )
    .await;
    receiver()
        .configure("slow", json!({ "secrets": [slow], "delay": 2 }))
        .await;
    receiver()
        .configure("redirected", json!({ "secrets": [secret] }))
        .await;
    Browser::new("alpha")
        .sign_up(app.port, "y@alpha.test")
        .await;
    let both = eventually(Duration::from_secs(5), || async {
        db.count("SELECT count(*) AS n FROM webhook_deliveries WHERE last_error IS NOT NULL AND status = 'pending'")
            .await
            == 2
    })
    .await;
    assert!(both.is_some());
    assert_eq!(
        db.text("SELECT string_agg(coalesce(last_status::text, '-') || ' ' || last_error, ' | ' ORDER BY last_status NULLS LAST) FROM webhook_deliveries WHERE status = 'pending'")
            .await,
        "302 the endpoint answered 302 | - no answer within 700 ms"
    );
    assert!(receiver().received("redirected").await.is_empty());
    assert_eq!(receiver().received("redirect").await.len(), 1);
}
