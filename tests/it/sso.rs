//! Single sign-on with OpenID Connect against a real provider (npm `oidc-provider`), and against a
//! forging one for the id_token attacks a real provider will not make: every refusal is a 4xx
//! that makes no account and no session.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eduflow::ids::TenantId;
use eduflow::role::Role;
use eduflow::sso::{Provider, ProviderName, RoleRule, Secret, providers};

use crate::harness::{
    Browser, Oidc, Response, TestApp, TestDb, eduflow_cli_with, oidc, refused, request,
    school_toml, settings, sign_in_at_provider, succeeded, tempdir,
};

async fn tenant(db: &TestDb, slug: &str) -> TenantId {
    TenantId(
        db.text(&format!(
            "SELECT id::text AS v FROM tenants WHERE slug = '{slug}'"
        ))
        .await
        .parse()
        .unwrap(),
    )
}

fn provider(name: &str, issuer: String) -> Provider {
    Provider {
        name: ProviderName::parse(name).unwrap(),
        label: format!("{name} provider"),
        issuer,
        client_id: "eduflow".into(),
        client_secret: Secret("eduflow-secret".into()),
        scopes: ["openid", "email", "profile", "groups"]
            .map(str::to_owned)
            .to_vec(),
        role_claim: Some("groups".into()),
        role_map: vec![RoleRule {
            value: "staff".into(),
            role: Role::Instructor,
        }],
        default_role: Role::Learner,
        allowed_domains: vec![],
        from_file: false,
        saml: None,
    }
}

/// Gives `school` the provider (as its admins or its file would).
async fn configure(db: &TestDb, school: &str, p: &Provider) {
    let tenant = tenant(db, school).await;
    let mut conn = db.holding(school).await.superuser().await;
    providers::save(&mut conn, tenant, p).await.unwrap();
}

/// Starts a sign-in at `name`; the provider's authorization URL.
async fn begin(app: &TestApp, b: &mut Browser, name: &str, next: &str) -> String {
    let res = b
        .get(app.port, &format!("/sso/{name}/login?next={next}"))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    res.header("location").unwrap().to_owned()
}

/// A whole sign-in as `login` at the provider; EduFlow's answer to the callback.
async fn sign_in(app: &TestApp, b: &mut Browser, name: &str, login: &str) -> Response {
    let authorize = begin(app, b, name, "/learn").await;
    let back = sign_in_at_provider(&authorize, login).await;
    b.get(app.port, &back).await
}

async fn me(app: &TestApp, b: &mut Browser) -> serde_json::Value {
    let res = b.get(app.port, "/api/v1/me").await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

async fn users(db: &TestDb, school: &str) -> i64 {
    db.count(&format!(
        "SELECT count(*) AS n FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = '{school}'"
    ))
    .await
}

fn query_param(url: &str, key: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_first_sign_in_makes_the_account_with_the_mapped_role_and_later_ones_reach_it() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    let before = users(&db, "alpha").await;

    let mut b = Browser::new("alpha");
    let login = b.get(app.port, "/login").await;
    assert!(
        login.body.contains("href=\"/sso/main/login\"")
            && login.body.contains("Sign in with main provider"),
        "a button per provider: {}",
        login.body
    );
    let authorize = begin(&app, &mut b, "main", "/learn").await;
    for (k, v) in [
        ("response_type", "code"),
        ("code_challenge_method", "S256"),
        ("client_id", "eduflow"),
    ] {
        assert_eq!(query_param(&authorize, k), v);
    }
    assert!(
        !query_param(&authorize, "nonce").is_empty()
            && !query_param(&authorize, "state").is_empty()
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        "http://alpha.localhost/sso/main/callback"
    );
    let grace = "grace@alpha.test;groups=staff+x;name=Grace Hopper";
    let back = sign_in_at_provider(&authorize, grace).await;
    let res = b.get(app.port, &back).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some("/learn"));
    let who = me(&app, &mut b).await;
    assert_eq!(who["email"], "grace@alpha.test");
    assert_eq!(who["name"], "Grace Hopper");
    assert_eq!(who["role"], "instructor", "groups=staff maps to instructor");
    assert_eq!(users(&db, "alpha").await, before + 1);

    // Again, from another browser: the same account (no second one), its role kept.
    let mut again = Browser::new("alpha");
    let res = sign_in(&app, &mut again, "main", grace).await;
    assert_eq!(res.status, 303);
    assert_eq!(me(&app, &mut again).await["id"], who["id"]);
    assert_eq!(users(&db, "alpha").await, before + 1);

    // No role claim matched: the default role.
    let mut c = Browser::new("alpha");
    sign_in(&app, &mut c, "main", "lin@alpha.test;groups=x").await;
    assert_eq!(me(&app, &mut c).await["role"], "learner");
}

#[actix_web::test]
async fn a_replayed_state_or_code_is_refused() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    let mut b = Browser::new("alpha");
    let authorize = begin(&app, &mut b, "main", "/").await;
    let state_cookie = b.cookie_header();
    let back = sign_in_at_provider(&authorize, "ada@alpha.test").await;
    assert_eq!(b.get(app.port, &back).await.status, 303);
    let sessions = db.count("SELECT count(*) AS n FROM sessions").await;

    // The same answer again, with the browser's state cookie as it was: used once already.
    let replay = request(
        app.port,
        "GET",
        "alpha.localhost",
        &back,
        &[("Cookie", &state_cookie)],
    )
    .await;
    assert_eq!(replay.status, 400, "{}", replay.body);
    assert!(replay.body.contains("already used"), "{}", replay.body);
    // Without the cookie (another browser): refused before anything is looked up.
    let foreign = request(app.port, "GET", "alpha.localhost", &back, &[]).await;
    assert_eq!(foreign.status, 400);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM sessions").await,
        sessions
    );

    // A sign-in finished after its ten minutes.
    let mut late = Browser::new("alpha");
    let authorize = begin(&app, &mut late, "main", "/").await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "UPDATE sso_logins SET created_at = now() - interval '11 minutes'",
    )
    .await
    .unwrap();
    let back = sign_in_at_provider(&authorize, "ada@alpha.test").await;
    let res = late.get(app.port, &back).await;
    assert_eq!(res.status, 400, "expired: {}", res.body);
}

#[actix_web::test]
async fn answers_for_another_provider_or_school_are_refused() {
    let (db, app) = TestApp::two_schools().await;
    let ids = oidc();
    configure(&db, "alpha", &provider("main", Oidc::issuer(ids.main))).await;
    // Another issuer with the same client id: the classic mix-up.
    configure(&db, "alpha", &provider("other", Oidc::issuer(ids.other))).await;
    configure(&db, "beta", &provider("main", Oidc::issuer(ids.main))).await;
    let before = (users(&db, "alpha").await, users(&db, "beta").await);

    // Begun with `main`, answered at `other`'s callback.
    let mut b = Browser::new("alpha");
    let authorize = begin(&app, &mut b, "main", "/").await;
    let back = sign_in_at_provider(&authorize, "mal@alpha.test").await;
    let res = b
        .get(app.port, &back.replace("/sso/main/", "/sso/other/"))
        .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.body.contains("another provider"), "{}", res.body);

    // Begun with `main`, but the browser was sent to `other` (which answers with its `iss`).
    let mut b = Browser::new("alpha");
    let authorize = begin(&app, &mut b, "main", "/").await;
    let at_other = authorize.replace(&ids.main.to_string(), &ids.other.to_string());
    let back = sign_in_at_provider(&at_other, "mal@alpha.test").await;
    let res = b.get(app.port, &back).await;
    assert_eq!(res.status, 400, "{}", res.body);
    // …and with the `iss` parameter dropped, `main` does not know `other`'s code.
    let mut b = Browser::new("alpha");
    let authorize = begin(&app, &mut b, "main", "/").await;
    let at_other = authorize.replace(&ids.main.to_string(), &ids.other.to_string());
    let back = sign_in_at_provider(&at_other, "mal@alpha.test").await;
    let stripped = back.split("&iss=").next().unwrap().to_owned();
    let res = b.get(app.port, &stripped).await;
    assert_eq!(res.status, 400, "{}", res.body);

    // Begun at alpha, answered at beta's host (same provider name there): beta never began it.
    let mut a = Browser::new("alpha");
    let authorize = begin(&app, &mut a, "main", "/").await;
    let back = sign_in_at_provider(&authorize, "mal@alpha.test").await;
    let cookie = a.cookie_header();
    let res = request(
        app.port,
        "GET",
        "beta.localhost",
        &back,
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(
        (users(&db, "alpha").await, users(&db, "beta").await),
        before
    );
}

#[actix_web::test]
async fn after_login_the_browser_stays_on_the_school() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    for next in [
        "https://evil.test/",
        "//evil.test/x",
        "/\\evil.test",
        "javascript:alert(1)",
    ] {
        let mut b = Browser::new("alpha");
        let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        let authorize = begin(&app, &mut b, "main", &encoded).await;
        let back = sign_in_at_provider(&authorize, "ada@alpha.test").await;
        let res = b.get(app.port, &back).await;
        assert_eq!(res.status, 303);
        assert_eq!(res.header("location"), Some("/"), "next={next}");
    }
}

#[actix_web::test]
async fn emails_decide_who_may_join_or_link() {
    let (db, app) = TestApp::two_schools().await;
    let mut p = provider("main", Oidc::issuer(oidc().main));
    p.allowed_domains = vec!["alpha.test".into()];
    configure(&db, "alpha", &p).await;

    // Outside the allowed domains.
    let before = users(&db, "alpha").await;
    let res = sign_in(
        &app,
        &mut Browser::new("alpha"),
        "main",
        "eve@elsewhere.test",
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(users(&db, "alpha").await, before);

    // An existing password account: linked only through a verified address.
    let mut owner = Browser::new("alpha");
    owner.sign_up(app.port, "kim@alpha.test").await;
    let id = me(&app, &mut owner).await["id"].clone();
    let res = sign_in(
        &app,
        &mut Browser::new("alpha"),
        "main",
        "kim@alpha.test;unverified",
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("does not confirm"), "{}", res.body);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM sso_identities").await,
        0
    );
    let mut linked = Browser::new("alpha");
    let res = sign_in(&app, &mut linked, "main", "kim@alpha.test").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(me(&app, &mut linked).await["id"], id);
    assert_eq!(users(&db, "alpha").await, before + 1);

    // A suspended account stays out.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "UPDATE users SET suspended_at = now() WHERE email = 'kim@alpha.test'",
    )
    .await
    .unwrap();
    let res = sign_in(&app, &mut Browser::new("alpha"), "main", "kim@alpha.test").await;
    assert_eq!(res.status, 403, "{}", res.body);
}

#[actix_web::test]
async fn logout_ends_the_session_and_goes_to_the_provider() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    let mut b = Browser::new("alpha");
    sign_in(&app, &mut b, "main", "ada@alpha.test").await;
    b.get(app.port, "/learn").await;
    let res = b.post(app.port, "/logout", &[]).await;
    assert_eq!(res.status, 200, "a page that goes on to the provider");
    let body = res.body.replace("&amp;", "&").replace("&#x2F;", "/");
    let to = body
        .split("<a href=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|href| href.contains("/session/end?"))
        .unwrap_or_else(|| panic!("no link to the provider's logout: {body}"));
    assert!(body.contains(&format!("content=\"0;url={to}\"")), "{body}");
    assert!(
        to.starts_with(&format!("{}/session/end?", Oidc::issuer(oidc().main))),
        "RP-initiated logout: {to}"
    );
    assert!(!query_param(to, "id_token_hint").is_empty());
    assert_eq!(
        query_param(to, "post_logout_redirect_uri"),
        "http://alpha.localhost/"
    );
    let after = b.get(app.port, "/api/v1/me").await;
    assert_eq!(after.status, 401, "the session ended here first");
}

#[actix_web::test]
async fn a_school_can_sign_in_only_through_its_provider_with_admins_kept_a_way_in() {
    let (db, app) = TestApp::two_schools().await;
    let mut learner = Browser::new("alpha");
    learner.sign_up(app.port, "lee@alpha.test").await;
    let mut admin = Browser::member(app.port, &db, "alpha", "root@alpha.test", "admin").await;

    // Not without a provider.
    let res = admin
        .post(app.port, "/admin/sso/only", &[("only", "1")])
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    admin.get(app.port, "/admin/sso").await;
    let res = admin
        .post(app.port, "/admin/sso/only", &[("only", "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let mut visitor = Browser::new("alpha");
    let page = visitor.get(app.port, "/login").await;
    assert!(page.body.contains("/sso/main/login"), "{}", page.body);
    assert!(
        !page.body.contains("name=\"password\""),
        "no password form: {}",
        page.body
    );
    let signup = visitor
        .post(
            app.port,
            "/signup",
            &[
                ("name", "X"),
                ("email", "x@alpha.test"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(signup.status, 403, "{}", signup.body);
    visitor.get(app.port, "/login?with=password").await;
    let refused = visitor
        .post(
            app.port,
            "/login",
            &[
                ("email", "lee@alpha.test"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let mut root = Browser::new("alpha");
    let page = root.get(app.port, "/login?with=password").await;
    assert!(page.body.contains("name=\"password\""), "{}", page.body);
    let ok = root
        .post(
            app.port,
            "/login",
            &[
                ("email", "root@alpha.test"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "admins keep their password: {}", ok.body);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM audit_log WHERE action = 'sso.only_changed'")
            .await,
        1
    );
}

#[actix_web::test]
async fn admins_add_change_and_remove_providers_and_the_secret_is_never_shown() {
    let (db, app) = TestApp::two_schools().await;
    let mut admin = Browser::member(app.port, &db, "alpha", "root@alpha.test", "admin").await;
    admin.get(app.port, "/admin/sso").await;
    let issuer = Oidc::issuer(oidc().main);
    let fields = |secret: &'static str, label: &'static str| {
        vec![
            ("name", "main"),
            ("label", label),
            ("issuer", Box::leak(issuer.clone().into_boxed_str()) as &str),
            ("client_id", "eduflow"),
            ("client_secret", secret),
            ("scopes", "openid email profile groups"),
            ("role_claim", "groups"),
            ("role_map", "staff = instructor\nit = admin"),
            ("default_role", "learner"),
            ("allowed_domains", "alpha.test"),
        ]
    };
    let res = admin
        .post(
            app.port,
            "/admin/sso",
            &fields("eduflow-secret", "Alpha ID"),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = admin.get(app.port, "/admin/sso").await;
    assert!(
        page.body.contains("Alpha ID")
            && page
                .body
                .replace("&#x2F;", "/")
                .contains("http://alpha.localhost/sso/main/callback"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("eduflow-secret"),
        "the secret is never shown"
    );
    // Changed with the secret left blank: the saved one stays, and sign-in still works.
    let res = admin
        .post(app.port, "/admin/sso", &fields("", "Alpha Identity"))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mut b = Browser::new("alpha");
    assert_eq!(
        sign_in(&app, &mut b, "main", "it@alpha.test;groups=it")
            .await
            .status,
        303
    );
    assert_eq!(me(&app, &mut b).await["role"], "admin", "it = admin");
    let audit = db
        .text("SELECT string_agg(action || ' ' || coalesce(after::text, ''), ' | ' ORDER BY at) AS v FROM audit_log WHERE action LIKE 'sso.%'")
        .await;
    assert!(
        audit.contains("sso.provider_added") && audit.contains("sso.provider_changed"),
        "{audit}"
    );
    assert!(
        audit.contains("\"secret_changed\": false") && !audit.contains("eduflow-secret"),
        "{audit}"
    );

    // Mistakes are 4xx and change nothing.
    let mut bad = fields("s", "X");
    bad[2] = ("issuer", "http://127.0.0.1:9/nothing-here");
    assert_eq!(admin.post(app.port, "/admin/sso", &bad).await.status, 422);
    let mut bad = fields("s", "X");
    bad[7] = ("role_map", "staff = wizard");
    assert_eq!(admin.post(app.port, "/admin/sso", &bad).await.status, 422);
    let mut bad = fields("s", "X");
    bad[0] = ("name", "Not A Name");
    assert_eq!(admin.post(app.port, "/admin/sso", &bad).await.status, 422);

    let res = admin.post(app.port, "/admin/sso/main/delete", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        Browser::new("alpha")
            .get(app.port, "/sso/main/login")
            .await
            .status,
        404
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM audit_log WHERE action = 'sso.provider_removed'")
            .await,
        1
    );
    // Learners cannot reach the page.
    let mut learner = Browser::new("alpha");
    learner.sign_up(app.port, "lee@alpha.test").await;
    assert_eq!(learner.get(app.port, "/admin/sso").await.status, 403);
}

#[actix_web::test]
async fn a_rotated_signing_key_reaches_every_instance() {
    let (db, one, two) = crate::fleet::two_instances().await;
    let mut p = provider("rot", Oidc::issuer(oidc().rotating));
    p.role_claim = None;
    configure(&db, "alpha", &p).await;
    let started = Instant::now();
    for app in [&one, &two] {
        let res = sign_in(app, &mut Browser::new("alpha"), "rot", "ada@alpha.test").await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    oidc().rotate().await;
    // Each instance fetches the keys again when a token names one it lacks (at most every 10 s).
    tokio::time::sleep(Duration::from_secs(11).saturating_sub(started.elapsed())).await;
    for app in [&one, &two] {
        let res = sign_in(app, &mut Browser::new("alpha"), "rot", "ada@alpha.test").await;
        assert_eq!(res.status, 303, "signed with the new key: {}", res.body);
    }
}

#[actix_web::test]
async fn an_unreachable_or_private_provider_is_a_clear_502() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db, "alpha", &provider("gone", "http://127.0.0.1:9".into())).await;
    let res = Browser::new("alpha").get(app.port, "/sso/gone/login").await;
    assert_eq!(res.status, 502, "{}", res.body);
    assert!(res.body.contains("could not be reached"), "{}", res.body);

    // An installation that does not allow private addresses refuses a loopback provider.
    configure(&db, "alpha", &provider("main", Oidc::issuer(oidc().main))).await;
    let strict = TestApp::spawn(eduflow::startup::Settings {
        sso_allow_private: false,
        ..settings(&db)
    })
    .await;
    let res = Browser::new("alpha")
        .get(strict.port, "/sso/main/login")
        .await;
    assert_eq!(res.status, 502, "{}", res.body);
    assert_eq!(
        Browser::new("alpha")
            .get(strict.port, "/sso/nope/login")
            .await
            .status,
        404
    );
}

/// A provider that signs whatever the test asks for: the id_tokens a real provider never makes.
struct Forger {
    port: u16,
    next: Arc<Mutex<serde_json::Value>>,
}

const KEY_A: &str = include_str!("../fixtures/sso/key-a.pem");
const KEY_B: &str = include_str!("../fixtures/sso/key-b.pem");

impl Forger {
    async fn start() -> Self {
        use actix_web::{App, HttpResponse, HttpServer, web};
        use jsonwebtoken::{Algorithm, EncodingKey, jwk::Jwk};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let issuer = format!("http://127.0.0.1:{port}");
        let next = Arc::new(Mutex::new(serde_json::Value::Null));
        let private = EncodingKey::from_ec_pem(KEY_A.as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&private, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some("a".into());
        let jwks = serde_json::json!({ "keys": [jwk] });
        let (shared, iss) = (next.clone(), issuer.clone());
        let server = HttpServer::new(move || {
            let (shared, iss, jwks) = (shared.clone(), iss.clone(), jwks.clone());
            App::new()
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to({
                        let iss = iss.clone();
                        move || {
                            let iss = iss.clone();
                            async move {
                                HttpResponse::Ok().json(serde_json::json!({
                                    "issuer": iss, "authorization_endpoint": format!("{iss}/auth"),
                                    "token_endpoint": format!("{iss}/token"), "jwks_uri": format!("{iss}/jwks"),
                                }))
                            }
                        }
                    }),
                )
                .route("/jwks", web::get().to(move || {
                    let jwks = jwks.clone();
                    async move { HttpResponse::Ok().json(jwks) }
                }))
                .route("/token", web::post().to(move || {
                    let token = shared.lock().unwrap().clone();
                    async move { HttpResponse::Ok().json(serde_json::json!({ "id_token": token, "token_type": "Bearer" })) }
                }))
        })
        .listen(listener)
        .unwrap()
        .workers(1)
        .run();
        actix_web::rt::spawn(server);
        Self { port, next }
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next token endpoint answer: `claims`, signed with `key` as `alg` (or unsigned).
    fn will_answer(&self, key: Option<&str>, claims: serde_json::Value) {
        use base64::Engine;
        use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
        let token = match key {
            Some(pem) => {
                let mut header = Header::new(Algorithm::ES256);
                header.kid = Some("a".into());
                encode(
                    &header,
                    &claims,
                    &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
                )
                .unwrap()
            }
            None => {
                let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                format!(
                    "{}.{}.",
                    b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
                    b64.encode(claims.to_string())
                )
            }
        };
        *self.next.lock().unwrap() = serde_json::Value::String(token);
    }
}

#[actix_web::test]
async fn forged_id_tokens_are_refused() {
    let (db, app) = TestApp::two_schools().await;
    let forger = Forger::start().await;
    let mut p = provider("forged", forger.issuer());
    p.role_claim = None;
    configure(&db, "alpha", &p).await;
    let before = users(&db, "alpha").await;
    let now = chrono::Utc::now().timestamp();

    // Each case: which key signs, and what is changed in otherwise good claims.
    type Change = fn(&mut serde_json::Map<String, serde_json::Value>, i64);
    let cases: Vec<(&str, Option<&str>, Change)> = vec![
        ("good", Some(KEY_A), |_, _| {}),
        ("alg none", None, |_, _| {}),
        ("re-signed with another key", Some(KEY_B), |_, _| {}),
        ("expired", Some(KEY_A), |c, now| {
            c.insert("exp".into(), (now - 600).into());
        }),
        ("wrong audience", Some(KEY_A), |c, _| {
            c.insert("aud".into(), "someone-else".into());
        }),
        ("another issuer", Some(KEY_A), |c, _| {
            c.insert("iss".into(), "https://evil.test".into());
        }),
        ("another sign-in's nonce", Some(KEY_A), |c, _| {
            c.insert("nonce".into(), "replayed".into());
        }),
    ];
    for (what, key, change) in cases {
        let mut b = Browser::new("alpha");
        let authorize = begin(&app, &mut b, "forged", "/").await;
        let mut claims = serde_json::json!({
            "iss": forger.issuer(), "aud": "eduflow", "sub": format!("s-{what}"),
            "exp": now + 300, "iat": now, "nonce": query_param(&authorize, "nonce"),
            "email": format!("{}@alpha.test", what.replace(' ', "-")), "email_verified": true,
        });
        change(claims.as_object_mut().unwrap(), now);
        forger.will_answer(key, claims);
        let state = query_param(&authorize, "state");
        let res = b
            .get(
                app.port,
                &format!("/sso/forged/callback?code=c&state={state}"),
            )
            .await;
        if what == "good" {
            assert_eq!(
                res.status, 303,
                "the forger works when it signs honestly: {}",
                res.body
            );
        } else {
            assert_eq!(res.status, 400, "{what}: {}", res.body);
            assert!(res.body.contains("id_token"), "{what}: {}", res.body);
        }
    }
    assert_eq!(
        users(&db, "alpha").await,
        before + 1,
        "only the good token made an account"
    );
}

#[actix_web::test]
async fn the_operators_school_file_sets_providers_on_a_running_fleet() {
    let (db, app) = TestApp::two_schools().await;
    let dir = tempdir("sso-file");
    let file = dir.join("alpha.toml");
    let write = |sso: &str| {
        std::fs::write(
            &file,
            format!("{}{sso}", school_toml("alpha", &["learn.alpha.test"])),
        )
        .unwrap()
    };
    let entry = |kind: &str| {
        format!(
            "[[sso]]\nkind = \"{kind}\"\nname = \"staff\"\nlabel = \"Alpha staff\"\nissuer = \"{}\"\n\
             client_id = \"eduflow\"\nscopes = [\"openid\", \"email\", \"groups\"]\nclient_secret_env = \"ALPHA_OIDC_SECRET\"\nrole_claim = \"groups\"\n\
             role_map = {{ staff = \"instructor\", it = \"admin\" }}\nallowed_domains = [\"alpha.test\"]\n",
            Oidc::issuer(oidc().main)
        )
    };
    let path = file.to_str().unwrap();
    let update = ["tenants", "update", "alpha", "--from", path];
    let secret = [("ALPHA_OIDC_SECRET", "eduflow-secret")];

    write(&entry("oidc"));
    refused(
        &eduflow_cli_with(&db, &db.admin_url, &dir, &update, &[]).await,
        "ALPHA_OIDC_SECRET is not set",
    );
    write(&entry("saml"));
    refused(
        &eduflow_cli_with(&db, &db.admin_url, &dir, &update, &secret).await,
        "idp_metadata`: is required for a SAML provider",
    );
    write(&entry("oidc"));
    succeeded(&eduflow_cli_with(&db, &db.admin_url, &dir, &update, &secret).await);

    // The running instance signs in with it at once: providers are read at each sign-in.
    let mut b = Browser::new("alpha");
    assert!(
        b.get(app.port, "/login")
            .await
            .body
            .contains("Sign in with Alpha staff")
    );
    assert_eq!(
        sign_in(&app, &mut b, "staff", "file-staff@alpha.test;groups=staff")
            .await
            .status,
        303
    );
    assert_eq!(me(&app, &mut b).await["role"], "instructor");
    let stored = db
        .text("SELECT client_secret FROM sso_providers WHERE name = 'staff'")
        .await;
    assert_eq!(stored, "eduflow-secret");
    let audit = db
        .text("SELECT after::text FROM audit_log WHERE action = 'school.updated' ORDER BY at DESC LIMIT 1")
        .await;
    assert!(
        audit.contains("\"Alpha staff\"") && !audit.contains("eduflow-secret"),
        "{audit}"
    );

    // Its admins see it but change it only through the file.
    let mut admin = Browser::member(app.port, &db, "alpha", "root@alpha.test", "admin").await;
    assert!(
        admin
            .get(app.port, "/admin/sso")
            .await
            .body
            .contains("set by the school file")
    );
    assert_eq!(
        admin
            .post(app.port, "/admin/sso/staff/delete", &[])
            .await
            .status,
        409
    );

    // The school's export links its accounts to their subjects, and holds no provider or secret.
    let archive = dir.join("alpha.zip");
    let export = [
        "tenants",
        "export",
        "alpha",
        "--out",
        archive.to_str().unwrap(),
    ];
    succeeded(&eduflow_cli_with(&db, &db.admin_url, &dir, &export, &[]).await);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
    let mut everything = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        everything.push_str(entry.name());
        std::io::Read::read_to_string(&mut entry, &mut everything).ok();
    }
    assert!(
        everything.contains("tables/sso_identities.ndjson"),
        "identities are exported"
    );
    assert!(!everything.contains("eduflow-secret") && !everything.contains("sso_providers"));

    // A file without `[[sso]]` leaves providers alone; `sso = []` removes the file's.
    write("");
    succeeded(&eduflow_cli_with(&db, &db.admin_url, &dir, &update, &[]).await);
    assert_eq!(db.count("SELECT count(*) FROM sso_providers").await, 1);
    std::fs::write(
        &file,
        format!("sso = []\n{}", school_toml("alpha", &["learn.alpha.test"])),
    )
    .unwrap();
    succeeded(&eduflow_cli_with(&db, &db.admin_url, &dir, &update, &[]).await);
    assert_eq!(db.count("SELECT count(*) FROM sso_providers").await, 0);
    assert_eq!(
        Browser::new("alpha")
            .get(app.port, "/sso/staff/login")
            .await
            .status,
        404
    );
}
