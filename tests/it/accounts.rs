//! Accounts and sessions per school, including the attacks: forged forms, replayed cookies at
//! another school, fixation, guessing.

use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::harness::{Response, TestApp, TestDb, post_form, settings};

const PASSWORD: &str = "correct horse battery";

/// The anonymous anti-forgery token a browser gets with the form.
async fn form_token(app: &TestApp, host: &str, path: &str) -> String {
    let page = app.get(host, path).await;
    assert_eq!(page.status, 200);
    let token = page.cookie("eduflow_csrf").expect("a csrf cookie");
    assert!(
        page.body
            .contains(&format!("name=\"csrf\" value=\"{token}\""))
    );
    token
}

async fn submit(app: &TestApp, host: &str, path: &str, fields: &[(&str, &str)]) -> Response {
    let token = form_token(app, host, path).await;
    let mut all = fields.to_vec();
    all.push(("csrf", &token));
    post_form(
        app.port,
        host,
        path,
        &all,
        &[("Cookie", &format!("eduflow_csrf={token}"))],
    )
    .await
}

pub async fn sign_up(app: &TestApp, host: &str, email: &str) -> String {
    let res = submit(
        app,
        host,
        "/signup",
        &[
            ("name", "Ada Lovelace"),
            ("email", email),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    res.cookie("eduflow_session").expect("a session cookie")
}

async fn log_in(app: &TestApp, host: &str, email: &str, password: &str) -> Response {
    submit(
        app,
        host,
        "/login",
        &[("email", email), ("password", password)],
    )
    .await
}

async fn as_user(app: &TestApp, host: &str, path: &str, session: &str) -> Response {
    crate::harness::request(
        app.port,
        "GET",
        host,
        path,
        &[("Cookie", &format!("eduflow_session={session}"))],
    )
    .await
}

fn signed_in_as(res: &Response, name: &str) -> bool {
    res.body
        .contains(&format!("<span class=\"who\">{name}</span>"))
}

#[actix_web::test]
async fn sign_up_log_out_and_log_in_with_safe_cookies() {
    let (db, app) = TestApp::two_schools().await;
    let res = submit(
        &app,
        "alpha.localhost",
        "/signup",
        &[
            ("name", "Ada Lovelace"),
            ("email", " Ada@Example.org "),
            ("password", PASSWORD),
            ("next", "/courses"),
        ],
    )
    .await;
    assert_eq!(
        (res.status, res.header("location")),
        (303, Some("/courses"))
    );
    let (_, cookie) = res
        .set_cookies()
        .into_iter()
        .find(|(n, _)| n == "eduflow_session")
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.to_lowercase().contains("domain"),
        "cookie must be host-only: {cookie}"
    );
    let token = res.cookie("eduflow_session").unwrap();
    assert!(token.len() >= 43, "token too short for 256 bits: {token}");
    let home = as_user(&app, "alpha.localhost", "/", &token).await;
    assert!(signed_in_as(&home, "Ada Lovelace"));
    assert_eq!(
        db.count("SELECT count(*) AS n FROM users WHERE email = 'ada@example.org'")
            .await,
        1
    );
    let hash: Vec<u8> = {
        #[derive(QueryableByName)]
        struct H {
            #[diesel(sql_type = diesel::sql_types::Bytea)]
            token_hash: Vec<u8>,
        }
        diesel::sql_query("SELECT token_hash FROM sessions")
            .get_result::<H>(&mut db.superuser().await)
            .await
            .unwrap()
            .token_hash
    };
    assert_ne!(hash, token.as_bytes(), "the token is stored in clear");

    // Log out: the session row goes, the cookie is cleared, the old token is dead.
    let csrf = home.csrf_token();
    let out = post_form(
        app.port,
        "alpha.localhost",
        "/logout",
        &[("csrf", &csrf)],
        &[("Cookie", &format!("eduflow_session={token}"))],
    )
    .await;
    assert_eq!(out.status, 303);
    assert!(
        out.set_cookies()
            .iter()
            .any(|(n, v)| n == "eduflow_session" && v.contains("Max-Age=0"))
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM sessions").await, 0);
    assert!(!signed_in_as(
        &as_user(&app, "alpha.localhost", "/", &token).await,
        "Ada Lovelace"
    ));

    let again = log_in(&app, "alpha.localhost", "ADA@example.org", PASSWORD).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let fresh = again.cookie("eduflow_session").unwrap();
    assert_ne!(fresh, token);
    assert!(signed_in_as(
        &as_user(&app, "alpha.localhost", "/courses", &fresh).await,
        "Ada Lovelace"
    ));
}

#[actix_web::test]
async fn one_email_per_school_and_two_schools_are_two_accounts() {
    let (db, app) = TestApp::two_schools().await;
    sign_up(&app, "alpha.localhost", "ada@example.org").await;
    let twice = submit(
        &app,
        "alpha.localhost",
        "/signup",
        &[
            ("name", "Other"),
            ("email", "ada@example.org"),
            ("password", "another long passphrase"),
        ],
    )
    .await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("cannot be created with this email"));
    let beta = sign_up(&app, "beta.localhost", "ada@example.org").await;
    assert_eq!(
        db.count("SELECT count(*) AS n FROM users WHERE email = 'ada@example.org'")
            .await,
        2
    );
    // Beta's password is beta's: alpha's account is a different one.
    assert!(signed_in_as(
        &as_user(&app, "beta.localhost", "/", &beta).await,
        "Ada Lovelace"
    ));
}

#[actix_web::test]
async fn bad_sign_ups_are_shown_again_and_store_nothing() {
    let (db, app) = TestApp::two_schools().await;
    for (name, email, password, message) in [
        ("Ada", "ada@example.org", "short", "at least 10 characters"),
        ("Ada", "ada@example.org", "password123", "too common"),
        ("Ada", "not-an-email", PASSWORD, "valid email"),
        ("", "ada@example.org", PASSWORD, "Enter your name"),
    ] {
        let res = submit(
            &app,
            "alpha.localhost",
            "/signup",
            &[("name", name), ("email", email), ("password", password)],
        )
        .await;
        assert_eq!(res.status, 422, "{email}/{password}");
        assert!(res.body.contains(message), "{message}: {}", res.body);
        assert!(
            !res.body.contains(password) || password.is_empty(),
            "the password was echoed back"
        );
    }
    assert_eq!(db.count("SELECT count(*) AS n FROM users").await, 0);
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_emails_look_the_same_and_get_throttled() {
    let (_db, app) = TestApp::two_schools().await;
    sign_up(&app, "alpha.localhost", "ada@example.org").await;
    let wrong = log_in(
        &app,
        "alpha.localhost",
        "ada@example.org",
        "not the password",
    )
    .await;
    let unknown = log_in(
        &app,
        "alpha.localhost",
        "nobody@example.org",
        "not the password",
    )
    .await;
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert!(
        wrong.body.contains("Email or password is incorrect.")
            && unknown.body.contains("Email or password is incorrect.")
    );
    assert!(wrong.cookie("eduflow_session").is_none());
    for _ in 0..4 {
        assert_eq!(
            log_in(&app, "alpha.localhost", "ada@example.org", "still wrong")
                .await
                .status,
            401
        );
    }
    // Blocked now, even with the right password; other accounts are not.
    let blocked = log_in(&app, "alpha.localhost", "ada@example.org", PASSWORD).await;
    assert_eq!(blocked.status, 429);
    assert!(
        blocked
            .header("retry-after")
            .is_some_and(|s| s.parse::<u64>().unwrap() <= 900)
    );
    sign_up(&app, "alpha.localhost", "grace@example.org").await;
    assert_eq!(
        log_in(&app, "alpha.localhost", "grace@example.org", PASSWORD)
            .await
            .status,
        303
    );
}

#[actix_web::test]
async fn expired_idle_and_foreign_sessions_count_as_absent() {
    let (db, app) = TestApp::two_schools().await;
    let token = sign_up(&app, "alpha.localhost", "ada@example.org").await;
    assert!(signed_in_as(
        &as_user(&app, "alpha.localhost", "/", &token).await,
        "Ada Lovelace"
    ));
    // School A's cookie replayed at school B (by host, custom domain too): nobody.
    for host in ["beta.localhost"] {
        let res = as_user(&app, host, "/", &token).await;
        assert_eq!(res.status, 200);
        assert!(!res.body.contains("Ada Lovelace") && res.body.contains("href=\"/login\""));
    }
    let mut su = db.superuser().await;
    su.batch_execute("UPDATE sessions SET last_seen_at = now() - interval '8 days'")
        .await
        .unwrap();
    // An operator's SQL reaches the instance's memory by NOTIFY, within milliseconds.
    let refused = crate::harness::eventually(std::time::Duration::from_secs(1), || async {
        !signed_in_as(
            &as_user(&app, "alpha.localhost", "/", &token).await,
            "Ada Lovelace",
        )
    })
    .await;
    assert!(refused.is_some(), "idle session accepted");
    su.batch_execute(
        "UPDATE sessions SET last_seen_at = now(), expires_at = now() - interval '1 second'",
    )
    .await
    .unwrap();
    // An operator's SQL reaches the instance's memory by NOTIFY, within milliseconds.
    let refused = crate::harness::eventually(std::time::Duration::from_secs(1), || async {
        !signed_in_as(
            &as_user(&app, "alpha.localhost", "/", &token).await,
            "Ada Lovelace",
        )
    })
    .await;
    assert!(refused.is_some(), "expired session accepted");
}

#[actix_web::test]
async fn logging_in_never_adopts_the_session_the_browser_brought() {
    let (_db, app) = TestApp::two_schools().await;
    let planted = sign_up(&app, "alpha.localhost", "mallory@example.org").await;
    sign_up(&app, "alpha.localhost", "ada@example.org").await;
    let token = form_token(&app, "alpha.localhost", "/login").await;
    let res = post_form(
        app.port,
        "alpha.localhost",
        "/login",
        &[
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("csrf", &token),
        ],
        &[(
            "Cookie",
            &format!("eduflow_csrf={token}; eduflow_session={planted}"),
        )],
    )
    .await;
    assert_eq!(res.status, 303);
    let fresh = res.cookie("eduflow_session").unwrap();
    assert_ne!(fresh, planted);
    assert!(!signed_in_as(
        &as_user(&app, "alpha.localhost", "/", &planted).await,
        "Ada Lovelace"
    ));
    assert!(signed_in_as(
        &as_user(&app, "alpha.localhost", "/", &fresh).await,
        "Ada Lovelace"
    ));
    // …and after login, only a same-school path is followed.
    let token = form_token(&app, "alpha.localhost", "/login").await;
    let res = post_form(
        app.port,
        "alpha.localhost",
        "/login",
        &[
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("csrf", &token),
            ("next", "//evil.test/phish"),
        ],
        &[("Cookie", &format!("eduflow_csrf={token}"))],
    )
    .await;
    assert_eq!(res.header("location"), Some("/"));
}

/// A forged submission: its form fields and its headers.
type Forgery<'a> = (Vec<(&'a str, String)>, Vec<(&'a str, &'a str)>);

#[actix_web::test]
async fn forged_forms_are_refused_and_change_nothing() {
    let (db, app) = TestApp::two_schools().await;
    let fields = [
        ("name", "Ada"),
        ("email", "ada@example.org"),
        ("password", PASSWORD),
    ];
    let token = form_token(&app, "alpha.localhost", "/signup").await;
    let cookie = format!("eduflow_csrf={token}");
    let with = |csrf: &str| {
        let mut f = fields.to_vec();
        f.push(("csrf", csrf));
        f.into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect::<Vec<_>>()
    };
    let cases: Vec<Forgery> = vec![
        (with(""), vec![("Cookie", &cookie)]),
        (with("guessed"), vec![("Cookie", &cookie)]),
        (with(&token), vec![]),
        (
            with(&token),
            vec![("Cookie", &cookie), ("Origin", "http://evil.test")],
        ),
        (
            with(&token),
            vec![("Cookie", &cookie), ("Origin", "http://beta.localhost")],
        ),
    ];
    for (form, headers) in cases {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = post_form(app.port, "alpha.localhost", "/signup", &form, &headers).await;
        assert_eq!(res.status, 403, "{headers:?}");
        assert!(res.header("content-type").unwrap().starts_with("text/html"));
    }
    // No Origin at all (and no Referer) is refused too.
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(with(&token))
        .finish();
    let raw = format!(
        "POST /signup HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(
        crate::harness::raw(app.port, raw.as_bytes()).await.status,
        403
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM users").await, 0);
}

#[actix_web::test]
async fn over_https_cookies_are_secure_and_host_prefixed() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.https = true;
    let app = TestApp::spawn(s).await;
    let page = app.get("alpha.localhost", "/signup").await;
    let token = page
        .cookie("__Host-eduflow_csrf")
        .expect("a __Host- csrf cookie");
    let res = post_form(
        app.port,
        "alpha.localhost",
        "/signup",
        &[
            ("name", "Ada"),
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("csrf", &token),
        ],
        &[
            ("Cookie", &format!("__Host-eduflow_csrf={token}")),
            ("Origin", "https://alpha.localhost"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (_, cookie) = res
        .set_cookies()
        .into_iter()
        .find(|(n, _)| n == "__Host-eduflow_session")
        .expect("__Host- session cookie");
    assert!(
        cookie.contains("Secure")
            && cookie.contains("Path=/")
            && !cookie.to_lowercase().contains("domain"),
        "{cookie}"
    );
}

#[derive(QueryableByName)]
struct RoleRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    role: String,
}

async fn role_of(db: &TestDb, email: &str) -> String {
    diesel::sql_query(format!("SELECT role FROM users WHERE email = '{email}'"))
        .get_result::<RoleRow>(&mut db.superuser().await)
        .await
        .unwrap()
        .role
}

#[actix_web::test]
async fn first_admins_come_from_the_school_file_and_the_cli_only() {
    let db = TestDb::new().await;
    let file = format!(
        "admins = [\"Head@Example.org\"]\n{}",
        crate::harness::school_toml("alpha", &[])
    );
    db.sync_schools(&[("alpha", &file)]).await;
    let app = TestApp::spawn(settings(&db)).await;
    sign_up(&app, "alpha.localhost", "head@example.org").await;
    sign_up(&app, "alpha.localhost", "ada@example.org").await;
    assert_eq!(role_of(&db, "head@example.org").await, "admin");
    assert_eq!(role_of(&db, "ada@example.org").await, "learner");
    // A sign-up form cannot ask for a role.
    let sneaky = submit(
        &app,
        "alpha.localhost",
        "/signup",
        &[
            ("name", "Eve"),
            ("email", "eve@example.org"),
            ("password", PASSWORD),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(sneaky.status, 303);
    assert_eq!(role_of(&db, "eve@example.org").await, "learner");
    // Listing an existing account in the file promotes it at the next sync.
    let file = format!(
        "admins = [\"head@example.org\", \"ada@example.org\"]\n{}",
        crate::harness::school_toml("alpha", &[])
    );
    db.sync_schools(&[("alpha", &file)]).await;
    assert_eq!(role_of(&db, "ada@example.org").await, "admin");

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args([
            "users",
            "create",
            "--school",
            "alpha",
            "--email",
            "Teach@Example.org",
            "--name",
            "Teacher",
            "--role",
            "instructor",
        ])
        .env("DATABASE_URL", &db.runtime_url)
        .env("DATABASE_ADMIN_URL", &db.admin_url)
        .env_remove("EDUFLOW_USER_PASSWORD")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(role_of(&db, "teach@example.org").await, "instructor");
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("password (shown once): "))
        .expect("a generated password");
    assert_eq!(
        log_in(&app, "alpha.localhost", "teach@example.org", password)
            .await
            .status,
        303
    );
}

/// Behind a trusted proxy the throttle keys on the client, not on the proxy every learner shares.
#[actix_web::test]
async fn behind_a_trusted_proxy_the_throttle_counts_clients_not_the_proxy() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = TestApp::spawn(s).await;
    sign_up(&app, "alpha.localhost", "ada@example.org").await;
    // Fifty-five failures from one client address, spread over many accounts…
    for i in 0..55 {
        let token = form_token(&app, "alpha.localhost", "/login").await;
        let fields = [
            ("email", format!("nobody{i}@example.org")),
            ("password", "wrong".to_owned()),
            ("csrf", token.clone()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let cookie = format!("eduflow_csrf={token}");
        post_form(
            app.port,
            "alpha.localhost",
            "/login",
            &fields,
            &[("Cookie", &cookie), ("X-Forwarded-For", "203.0.113.7")],
        )
        .await;
    }
    let blocked = log_in_from(&app, "203.0.113.7").await;
    assert_eq!(
        blocked.status, 429,
        "the attacking address is not throttled"
    );
    // …do not lock out a learner arriving through the same proxy from elsewhere.
    assert_eq!(log_in_from(&app, "198.51.100.9").await.status, 303);
}

async fn log_in_from(app: &TestApp, client: &str) -> Response {
    let token = form_token(app, "alpha.localhost", "/login").await;
    post_form(
        app.port,
        "alpha.localhost",
        "/login",
        &[
            ("email", "ada@example.org"),
            ("password", PASSWORD),
            ("csrf", &token),
        ],
        &[
            ("Cookie", &format!("eduflow_csrf={token}")),
            ("X-Forwarded-For", client),
        ],
    )
    .await
}
