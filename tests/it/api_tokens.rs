//! API tokens and what a school's systems do with them: made by admins (shown once) or the CLI,
//! good at their own school only and for their scopes, refused on every instance once revoked,
//! and the write operations and "changed since" feeds they reach.

use std::time::Duration;

use serde_json::{Value, json};

use crate::fleet::{psql, two_instances};
use crate::harness::{
    Browser, Response, TestApp, TestDb, eduflow_cli, eventually, raw, settings, succeeded, tempdir,
};

/// A JSON API call with `token` (if any) to `host`.
pub async fn call(
    port: u16,
    host: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.map(Value::to_string).unwrap_or_default();
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    raw(port, head.as_bytes()).await
}

/// A token for `school` with `scopes`, made with the CLI (it prints the token alone on stdout).
pub async fn cli_token(db: &TestDb, school: &str, scopes: &[&str]) -> String {
    let dir = tempdir("tokens");
    let mut args = vec!["tokens", "create", "--school", school, "--name", "SIS"];
    for scope in scopes {
        args.extend(["--scope", scope]);
    }
    let out = succeeded(&eduflow_cli(db, &db.admin_url, &dir, &args).await);
    let token = out.trim().to_owned();
    assert!(
        token.starts_with("eft_") && !token.contains(char::is_whitespace),
        "{out}"
    );
    token
}

/// How alpha's account list answers `token` through `app`.
async fn users_status(app: &TestApp, token: &str) -> u16 {
    let res = call(
        app.port,
        "alpha.localhost",
        "GET",
        "/api/v1/users",
        Some(token),
        None,
    )
    .await;
    res.status
}

fn users(res: &Response) -> Vec<String> {
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn an_admins_token_is_shown_once_and_works_only_at_its_school_for_its_scopes() {
    let (db, app) = TestApp::two_schools().await;
    let port = app.port;
    let mut head = Browser::member(port, &db, "alpha", "head@alpha.test", "admin").await;
    head.get(port, "/admin/api").await;
    let made = head
        .post(
            port,
            "/admin/api",
            &[
                ("name", "HR system"),
                ("users:read", "1"),
                ("users:write", "1"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let token = made
        .body
        .split("<code id=\"token\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the token, shown once")
        .to_owned();
    assert!(token.starts_with("eft_"));
    // Shown once: the list has its first characters only, and the database its hash only.
    let listed = head.get(port, "/admin/api").await;
    assert!(!listed.body.contains(&token));
    assert!(listed.body.contains(&format!("{}…", &token[..10])));
    assert!(listed.body.contains("users:read users:write"));
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) AS n FROM api_tokens WHERE position('{token}' in encode(token_hash, 'escape')) > 0 OR hint = '{token}'"
        ))
        .await,
        0
    );
    // Bad forms are the admin's mistake, and make nothing.
    for bad in [
        vec![("name", ""), ("users:read", "1")],
        vec![("name", "No scope")],
        vec![("name", "Forever"), ("users:read", "1"), ("days", "-1")],
    ] {
        head.get(port, "/admin/api").await;
        assert_eq!(
            head.post(port, "/admin/api", &bad).await.status,
            422,
            "{bad:?}"
        );
    }
    assert_eq!(db.count("SELECT count(*) AS n FROM api_tokens").await, 1);

    let alpha = "alpha.localhost";
    let res = call(port, alpha, "GET", "/api/v1/users", Some(&token), None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(users(&res).contains(&"head@alpha.test".to_owned()));
    // At the other school's host the token is nobody's, whatever the path.
    for path in ["/api/v1/users", "/api/v1/courses", "/api/v1/progress"] {
        let res = call(port, "beta.localhost", "GET", path, Some(&token), None).await;
        assert_eq!(res.status, 401, "{path}: {}", res.body);
        assert_eq!(res.json()["status"], 401);
    }
    // Without the scope: 403; a wrong, malformed or foreign-scheme credential: 401.
    let res = call(port, alpha, "GET", "/api/v1/progress", Some(&token), None).await;
    assert_eq!(res.status, 403);
    assert!(
        res.json()["error"]
            .as_str()
            .unwrap()
            .contains("progress:read")
    );
    let res = call(port, alpha, "GET", "/api/v1/courses", Some(&token), None).await;
    assert_eq!(res.status, 403, "catalog:read was not given");
    assert_eq!(
        call(port, alpha, "GET", "/api/v1/users", None, None)
            .await
            .status,
        401
    );
    let forged = format!("{}x", &token[..token.len() - 1]);
    for credential in [forged.as_str(), "eft_", "not-a-token"] {
        let res = call(port, alpha, "GET", "/api/v1/users", Some(credential), None).await;
        assert_eq!(res.status, 401, "{credential}");
    }
    let basic = raw(
        port,
        b"GET /api/v1/users HTTP/1.1\r\nHost: alpha.localhost\r\nAuthorization: Basic YTpi\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(basic.status, 401);
    // The public catalog stays public without a token.
    assert_eq!(
        call(port, alpha, "GET", "/api/v1/courses", None, None)
            .await
            .status,
        200
    );

    let upsert = |body: &Value| {
        let (token, body) = (token.clone(), body.clone());
        async move {
            call(
                port,
                alpha,
                "POST",
                "/api/v1/users",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };
    // Create, then the same again: one account; a role change is on the audit log as the token.
    let ines = json!({ "email": "Ines@Alpha.test", "name": "Ines", "role": "learner" });
    let res = upsert(&ines).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["email"], "ines@alpha.test");
    let res = upsert(&ines).await;
    assert_eq!(res.status, 200);
    let promoted = json!({ "email": "ines@alpha.test", "name": "Inès", "role": "instructor" });
    let res = upsert(&promoted).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        db.text("SELECT name || ' ' || role FROM users WHERE email = 'ines@alpha.test'")
            .await,
        "Inès instructor"
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM users WHERE email = 'ines@alpha.test'")
            .await,
        1
    );
    let logged = db
        .text("SELECT string_agg(action || ' ' || actor, ', ' ORDER BY at) FROM audit_log")
        .await;
    assert!(
        logged.contains("token.created head@alpha.test")
            && logged.contains("member.created token HR system (")
            && logged.contains("member.role token HR system ("),
        "{logged}"
    );
    // Bad bodies are 4xx and write nothing.
    for bad in [
        json!({ "email": "nope", "name": "X", "role": "learner" }),
        json!({ "email": "x@alpha.test", "name": "", "role": "learner" }),
        json!({ "email": "x@alpha.test", "name": "X", "role": "owner" }),
        json!({ "email": "x@alpha.test", "name": "X", "role": "learner", "extra": 1 }),
        json!(["not", "an", "object"]),
    ] {
        let res = upsert(&bad).await;
        assert!((400..500).contains(&res.status), "{bad}: {}", res.status);
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM users WHERE email = 'x@alpha.test'")
            .await,
        0
    );
}

#[actix_web::test]
async fn a_revoked_token_is_refused_on_every_instance_and_expiry_is_read_from_the_clock() {
    let (db, one, two) = two_instances().await;
    let token = cli_token(&db, "alpha", &["users:read"]).await;
    for app in [&one, &two] {
        assert_eq!(users_status(app, &token).await, 200);
        assert_eq!(users_status(app, &token).await, 200, "held in memory");
    }
    // Revoked on instance one by an admin: instance two refuses it too.
    let mut head = Browser::member(one.port, &db, "alpha", "head@alpha.test", "admin").await;
    let listed = head.get(one.port, "/admin/api").await;
    let id = db.text("SELECT id::text FROM api_tokens").await;
    assert!(listed.body.contains(&format!("/admin/api/{id}/revoke")));
    let res = head
        .post(one.port, &format!("/admin/api/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        users_status(&one, &token).await,
        401,
        "the revoking instance forgets at once"
    );
    let refused = eventually(Duration::from_secs(2), || async {
        users_status(&two, &token).await == 401
    })
    .await;
    assert!(refused.is_some(), "the other instance still honours it");
    // Revoked by the CLI (an operator), and by plain SQL: likewise on both.
    for revoke in ["cli", "sql"] {
        let token = cli_token(&db, "alpha", &["users:read"]).await;
        for app in [&one, &two] {
            assert_eq!(users_status(app, &token).await, 200);
        }
        let id = db
            .text("SELECT id::text FROM api_tokens WHERE revoked_at IS NULL")
            .await;
        if revoke == "cli" {
            let dir = tempdir("tokens");
            let args = ["tokens", "revoke", "--school", "alpha", id.as_str()];
            let said = succeeded(&eduflow_cli(&db, &db.admin_url, &dir, &args).await);
            assert!(said.contains("revoked"), "{said}");
        } else {
            psql(&db, "DELETE FROM api_tokens WHERE revoked_at IS NULL").await;
        }
        for app in [&one, &two] {
            let refused = eventually(Duration::from_secs(2), || async {
                users_status(app, &token).await == 401
            })
            .await;
            assert!(refused.is_some(), "revoked by {revoke}, still honoured");
        }
    }
    // Expiry needs no announcement: the clock refuses it.
    let token = "eft_expires-in-a-moment";
    let digest = eduflow::accounts::sessions::token_digest(token);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    psql(
        &db,
        &format!(
            "INSERT INTO api_tokens (tenant_id, name, token_hash, hint, scopes, expires_at)
             SELECT id, 'brief', '\\x{hex}', 'eft_ex', ARRAY['users:read'], now() + interval '4 seconds'
               FROM tenants WHERE slug = 'alpha'"
        ),
    )
    .await;
    assert_eq!(users_status(&one, token).await, 200);
    assert_eq!(users_status(&two, token).await, 200);
    let left: f64 = db
        .text("SELECT greatest(0, extract(epoch FROM expires_at - now()))::text FROM api_tokens WHERE name = 'brief'")
        .await
        .parse()
        .unwrap();
    tokio::time::sleep(Duration::from_secs_f64(left + 0.1)).await;
    assert_eq!(users_status(&one, token).await, 401);
    assert_eq!(users_status(&two, token).await, 401);
    // The CLI lists tokens without ever printing one.
    let dir = tempdir("tokens");
    let listed = succeeded(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &dir,
            &["tokens", "list", "--school", "alpha"],
        )
        .await,
    );
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(
        listed.contains("revoked") && !listed.contains(token),
        "{listed}"
    );
}

#[actix_web::test]
async fn a_token_past_its_budget_waits_for_retry_after() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.api_rate_per_minute = 3;
    let app = TestApp::spawn(s).await;
    let token = cli_token(&db, "alpha", &["catalog:read"]).await;
    let other = cli_token(&db, "alpha", &["catalog:read"]).await;
    let catalog = |token: Option<String>| {
        let port = app.port;
        async move {
            let t = token.as_deref();
            call(port, "alpha.localhost", "GET", "/api/v1/courses", t, None).await
        }
    };
    for _ in 0..3 {
        assert_eq!(catalog(Some(token.clone())).await.status, 200);
    }
    let res = catalog(Some(token.clone())).await;
    assert_eq!(res.status, 429);
    let wait: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(res.json()["status"], 429);
    // Each token has its own budget, and visitors without one are not limited by it.
    assert_eq!(catalog(Some(other)).await.status, 200);
    assert_eq!(catalog(None).await.status, 200);
}

/// A published course of alpha without quizzes or prerequisites, and its lessons in order.
pub async fn course_and_lessons(db: &TestDb) -> (String, Vec<String>) {
    let course = db
        .text(
            "SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = 'alpha' AND c.published
                AND NOT EXISTS (SELECT 1 FROM course_prerequisites p WHERE p.course_id = c.id)
                AND NOT EXISTS (SELECT 1 FROM sections s JOIN lessons l ON l.section_id = s.id
                                 WHERE s.course_id = c.id AND l.kind = 'quiz')
              ORDER BY c.slug LIMIT 1",
        )
        .await;
    let lessons = db
        .text(&format!(
            "SELECT string_agg(l.slug, ' ' ORDER BY s.position, l.position) FROM lessons l
               JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id
               JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.slug = '{course}'"
        ))
        .await;
    (course, lessons.split(' ').map(str::to_owned).collect())
}

#[actix_web::test]
async fn a_schools_system_enrolls_completes_and_reads_what_changed() {
    let (db, app) = TestApp::two_schools().await;
    let port = app.port;
    let alpha = "alpha.localhost";
    let all = [
        "catalog:read",
        "enrollments:read",
        "enrollments:write",
        "progress:read",
        "users:read",
        "users:write",
        "certificates:read",
    ];
    let token = cli_token(&db, "alpha", &all).await;
    let t = Some(token.as_str());
    let (course, lessons) = course_and_lessons(&db).await;
    for email in ["ada@alpha.test", "bob@alpha.test"] {
        let body = json!({ "email": email, "name": "Learner", "role": "learner" });
        assert_eq!(
            call(port, alpha, "POST", "/api/v1/users", t, Some(&body))
                .await
                .status,
            201
        );
    }
    let ada = json!({ "email": "ada@alpha.test", "course": course });
    let res = call(port, alpha, "POST", "/api/v1/enrollments", t, Some(&ada)).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let ada_id = res.json()["user_id"].as_str().unwrap().to_owned();
    assert_eq!(
        call(port, alpha, "POST", "/api/v1/enrollments", t, Some(&ada))
            .await
            .status,
        200
    );
    let bob = json!({ "email": "bob@alpha.test", "course": course });
    assert_eq!(
        call(port, alpha, "POST", "/api/v1/enrollments", t, Some(&bob))
            .await
            .status,
        201
    );
    // Names that are not here: 422, nothing written.
    for bad in [
        json!({ "email": "nobody@alpha.test", "course": course }),
        json!({ "email": "ada@alpha.test", "course": "no-such-course" }),
        json!({ "email": "ada@alpha.test", "course": "Not A Slug" }),
    ] {
        let res = call(port, alpha, "POST", "/api/v1/enrollments", t, Some(&bad)).await;
        assert_eq!(res.status, 422, "{bad}: {}", res.body);
    }
    assert_eq!(db.count("SELECT count(*) AS n FROM enrollments").await, 2);
    // Another school's course or learner is "not here".
    let beta_course = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'beta' AND c.published ORDER BY c.slug LIMIT 1")
        .await;
    if beta_course != course {
        let body = json!({ "email": "ada@alpha.test", "course": beta_course });
        let res = call(port, alpha, "POST", "/api/v1/enrollments", t, Some(&body)).await;
        assert_eq!(res.status, 422);
    }

    // Completions: every lesson for ada (a certificate), none for a learner not enrolled.
    let mut certificate = Value::Null;
    for lesson in &lessons {
        let body = json!({ "email": "ada@alpha.test", "course": course, "lesson": lesson });
        let res = call(port, alpha, "POST", "/api/v1/completions", t, Some(&body)).await;
        assert_eq!(res.status, 201, "{}", res.body);
        certificate = res.json()["certificate"].clone();
    }
    assert!(
        certificate.is_string(),
        "completing the course issued a certificate"
    );
    let carol = json!({ "email": "carol@alpha.test", "name": "Carol", "role": "learner" });
    assert_eq!(
        call(port, alpha, "POST", "/api/v1/users", t, Some(&carol))
            .await
            .status,
        201
    );
    let not_enrolled =
        json!({ "email": "carol@alpha.test", "course": course, "lesson": lessons[0] });
    let res = call(
        port,
        alpha,
        "POST",
        "/api/v1/completions",
        t,
        Some(&not_enrolled),
    )
    .await;
    assert_eq!(res.status, 409, "{}", res.body);
    let nobody = json!({ "email": "nobody@alpha.test", "course": course, "lesson": lessons[0] });
    let res = call(port, alpha, "POST", "/api/v1/completions", t, Some(&nobody)).await;
    assert_eq!(res.status, 422, "{}", res.body);

    // The feeds: after the settling time, oldest first, a page at a time.
    let progress = eventually(Duration::from_secs(5), || async {
        let res = call(port, alpha, "GET", "/api/v1/progress", t, None).await;
        res.json()["items"].as_array().unwrap().len() == lessons.len()
    })
    .await;
    assert!(
        progress.is_some(),
        "the progress feed lists every completion"
    );
    let mut seen = Vec::new();
    let mut path = "/api/v1/progress?limit=1".to_owned();
    loop {
        let res = call(port, alpha, "GET", &path, t, None).await;
        assert_eq!(res.status, 200);
        let body = res.json();
        for item in body["items"].as_array().unwrap() {
            assert_eq!(item["email"], "ada@alpha.test");
            assert!(item["completed_at"].is_string());
            seen.push(item["lesson"].as_str().unwrap().to_owned());
        }
        match body["next"].as_str() {
            Some(next) => path = format!("/api/v1/progress?limit=1&after={next}"),
            None => break,
        }
    }
    let mut expected = lessons.clone();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected, "each change once, none skipped");
    // Each feed lists a change once it is two seconds old.
    let settled = eventually(Duration::from_secs(5), || async {
        let res = call(port, alpha, "GET", "/api/v1/certificates", t, None).await;
        !res.json()["items"].as_array().unwrap().is_empty()
    })
    .await;
    assert!(settled.is_some());
    let certificates = call(port, alpha, "GET", "/api/v1/certificates", t, None).await;
    let items = certificates.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], certificate);
    assert_eq!(items[0]["revoked_at"], Value::Null);
    let enrolled = call(port, alpha, "GET", "/api/v1/enrollments", t, None).await;
    assert_eq!(enrolled.json()["items"].as_array().unwrap().len(), 2);
    for bad in ["after=junk", "limit=0", "limit=501", "unknown=1"] {
        let res = call(
            port,
            alpha,
            "GET",
            &format!("/api/v1/progress?{bad}"),
            t,
            None,
        )
        .await;
        assert_eq!(res.status, 400, "{bad}");
    }

    // Ending an enrollment: 204, then 404; another school's host knows no such learner.
    let end = format!("/api/v1/users/{ada_id}/enrollments/{course}");
    let beta_token = cli_token(&db, "beta", &all).await;
    let res = call(
        port,
        "beta.localhost",
        "DELETE",
        &end,
        Some(&beta_token),
        None,
    )
    .await;
    assert_eq!(res.status, 404);
    assert_eq!(call(port, alpha, "DELETE", &end, t, None).await.status, 204);
    assert_eq!(call(port, alpha, "DELETE", &end, t, None).await.status, 404);
    let left = eventually(Duration::from_secs(5), || async {
        let res = call(port, alpha, "GET", "/api/v1/enrollments", t, None).await;
        res.json()["items"].as_array().unwrap().len() == 1
    })
    .await;
    assert!(left.is_some());
}
