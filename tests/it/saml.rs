//! SAML 2.0 single sign-on against a real IdP (npm samlify, `tests/tools/saml/idp.mjs`): the SP
//! core, a sign-in through the app, the admin page and the school file, and every forged or stale
//! response refused (unsigned, another key, expired, another audience, signature wrapping, a
//! replay, another school).

use eduflow::sso::{Refusal, saml};

use crate::harness::{Browser, TestApp, post_form, request};

struct Idp {
    port: u16,
    _child: std::process::Child,
}

fn idp() -> &'static Idp {
    static IDP: std::sync::OnceLock<Idp> = std::sync::OnceLock::new();
    IDP.get_or_init(|| {
        use std::io::BufRead;
        let mut child = std::process::Command::new("node")
            .arg("idp.mjs")
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/saml"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs tests/tools/saml/idp.mjs (npm ci in tests/tools/saml)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        Idp {
            port: v["port"].as_u64().unwrap() as u16,
            _child: child,
        }
    })
}

fn field(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        .replace("&amp;", "&")
}

#[actix_web::test]
async fn a_signed_response_is_accepted_and_a_changed_or_foreign_one_refused() {
    let idp = idp();
    let metadata = request(idp.port, "GET", "127.0.0.1", "/metadata", &[])
        .await
        .body;
    let entity = saml::check_idp_metadata(&metadata).unwrap();
    assert_eq!(entity, format!("http://127.0.0.1:{}/metadata", idp.port));
    let sp = saml::service_provider(&metadata, "http://alpha.localhost", "corp").unwrap();
    let (to, request_id) = saml::login(&sp, "relay-1").unwrap();
    let url = url::Url::parse(&to).unwrap();
    let path = format!(
        "{}?{}&login=ada%40alpha.test",
        url.path(),
        url.query().unwrap()
    );
    let form = request(idp.port, "GET", "127.0.0.1", &path, &[]).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains("action=\"http://alpha.localhost/sso/corp/acs\"")
    );
    assert_eq!(field(&form.body, "RelayState"), "relay-1");
    let response = field(&form.body, "SAMLResponse");

    let (id, claims) = saml::assertion(&sp, &response, &request_id).unwrap();
    assert!(!id.is_empty());
    assert_eq!(claims["email"], "ada@alpha.test");

    // Another sign-in's request id; the same response at another school's SP; a changed one.
    assert!(matches!(
        saml::assertion(&sp, &response, "id-0"),
        Err(Refusal::BadAssertion(_))
    ));
    let beta = saml::service_provider(&metadata, "http://beta.localhost", "corp").unwrap();
    assert!(
        saml::assertion(&beta, &response, &request_id).is_err(),
        "audience and recipient are alpha's"
    );
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let xml = String::from_utf8(b64.decode(&response).unwrap()).unwrap();
    let changed = b64.encode(xml.replace("ada@alpha.test", "eve@alpha.test"));
    assert!(
        saml::assertion(&sp, &changed, &request_id).is_err(),
        "a changed response"
    );
}

/// Gives alpha the SAML provider `corp` (groups `staff` → instructor, emails trusted).
async fn configure(db: &crate::harness::TestDb) {
    let idp = idp();
    let metadata = request(idp.port, "GET", "127.0.0.1", "/metadata", &[])
        .await
        .body;
    let tenant: uuid::Uuid = db
        .text("SELECT id::text FROM tenants WHERE slug = 'alpha'")
        .await
        .parse()
        .unwrap();
    let provider = eduflow::sso::Provider {
        name: eduflow::sso::ProviderName::parse("corp").unwrap(),
        label: "Corp".into(),
        issuer: format!("http://127.0.0.1:{}/metadata", idp.port),
        client_id: String::new(),
        client_secret: eduflow::sso::Secret::default(),
        scopes: vec![],
        role_claim: Some("groups".into()),
        role_map: vec![eduflow::sso::RoleRule {
            value: "staff".into(),
            role: eduflow::role::Role::Instructor,
        }],
        default_role: eduflow::role::Role::Learner,
        allowed_domains: vec![],
        from_file: false,
        saml: Some(eduflow::sso::Saml {
            idp_metadata: metadata,
            email_trusted: true,
        }),
    };
    eduflow::sso::check_settings(&provider).unwrap();
    let mut conn = db.superuser().await;
    eduflow::sso::providers::save(&mut conn, eduflow::ids::TenantId(tenant), &provider)
        .await
        .unwrap();
}

/// A sign-in at alpha as `login`, the IdP answering as `variant` makes it, and `change` applied to
/// the Response's XML; the ACS form's fields and EduFlow's answer.
async fn sign_in(
    app: &TestApp,
    login: &str,
    variant: &str,
    change: impl Fn(String) -> String,
) -> (Vec<(String, String)>, crate::harness::Response) {
    use base64::Engine;
    let idp = idp();
    let mut b = Browser::new("alpha");
    let res = b.get(app.port, "/sso/corp/login?next=/learn").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let to = url::Url::parse(res.header("location").unwrap()).unwrap();
    let login: String = form_urlencoded::byte_serialize(login.as_bytes()).collect();
    let path = format!(
        "{}?{}&login={login}&variant={variant}",
        to.path(),
        to.query().unwrap()
    );
    let form = request(idp.port, "GET", "127.0.0.1", &path, &[]).await;
    let b64 = base64::engine::general_purpose::STANDARD;
    let xml = String::from_utf8(b64.decode(field(&form.body, "SAMLResponse")).unwrap()).unwrap();
    let fields = vec![
        ("SAMLResponse".to_owned(), b64.encode(change(xml))),
        ("RelayState".to_owned(), field(&form.body, "RelayState")),
    ];
    let res = post(app, "alpha.localhost", &fields).await;
    (fields, res)
}

/// The ACS form posted by the browser from the IdP's page (its Origin is the IdP's).
async fn post(app: &TestApp, host: &str, fields: &[(String, String)]) -> crate::harness::Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let origin = format!("http://127.0.0.1:{}", idp().port);
    post_form(
        app.port,
        host,
        "/sso/corp/acs",
        &fields,
        &[("Origin", &origin)],
    )
    .await
}

#[actix_web::test]
async fn a_saml_sign_in_through_the_app_makes_the_account_once() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db).await;
    let sp = Browser::new("alpha")
        .get(app.port, "/sso/corp/metadata")
        .await;
    assert_eq!(sp.status, 200);
    assert!(
        sp.body.contains("http://alpha.localhost/sso/corp/acs"),
        "{}",
        sp.body
    );

    let (fields, done) = sign_in(&app, "saml-ada@alpha.test;groups=staff", "", |x| x).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/learn"));
    assert_eq!(
        db.text("SELECT role FROM users WHERE email = 'saml-ada@alpha.test'")
            .await,
        "instructor",
        "the groups attribute maps to a role"
    );
    let again = post(&app, "alpha.localhost", &fields).await;
    assert_eq!(again.status, 400, "a replayed response: {}", again.body);
    let elsewhere = post(&app, "beta.localhost", &fields).await;
    assert!(
        matches!(elsewhere.status, 400 | 404),
        "{}",
        elsewhere.status
    );
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'saml-ada@alpha.test'")
            .await,
        1
    );
}

#[actix_web::test]
async fn forged_or_stale_saml_responses_are_refused() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db).await;
    for variant in ["unsigned", "otherkey", "expired", "audience"] {
        let email = format!("saml-{variant}@alpha.test");
        let (_, res) = sign_in(&app, &email, variant, |x| x).await;
        assert_eq!(res.status, 400, "{variant}: {}", res.body);
        assert!(
            res.body.contains("SAML response"),
            "{variant}: {}",
            res.body
        );
        let made = db
            .count(&format!(
                "SELECT count(*) FROM users WHERE email = '{email}'"
            ))
            .await;
        assert_eq!(made, 0, "{variant}");
    }
    // Signature wrapping: an unsigned assertion for someone else put before the signed one.
    let (_, res) = sign_in(&app, "saml-wrapped@alpha.test", "", |xml| {
        let at = xml.find("<saml:Assertion").unwrap();
        let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        let evil = xml[at..end]
            .replace("saml-wrapped@alpha.test", "saml-evil@alpha.test")
            .replace(" ID=\"", " ID=\"evil");
        let evil = match (evil.find("<ds:Signature"), evil.find("</ds:Signature>")) {
            (Some(a), Some(b)) => format!("{}{}", &evil[..a], &evil[b + "</ds:Signature>".len()..]),
            _ => evil,
        };
        format!("{}{evil}{}", &xml[..at], &xml[at..])
    })
    .await;
    assert!(matches!(res.status, 303 | 400), "{}", res.body);
    let evil = db
        .count("SELECT count(*) FROM users WHERE email = 'saml-evil@alpha.test'")
        .await;
    assert_eq!(evil, 0, "the unsigned wrapper's subject never signs in");
}

#[actix_web::test]
async fn admins_and_school_files_add_saml_providers() {
    let (db, app) = TestApp::two_schools().await;
    let idp = idp();
    let metadata_url = format!("http://127.0.0.1:{}/metadata", idp.port);
    let mut admin = Browser::member(app.port, &db, "alpha", "root@alpha.test", "admin").await;
    admin.get(app.port, "/admin/sso").await;
    let bad = admin
        .post(
            app.port,
            "/admin/sso",
            &[
                ("kind", "saml"),
                ("name", "corp"),
                ("idp_metadata", "<nope/>"),
                ("default_role", "learner"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let res = admin
        .post(
            app.port,
            "/admin/sso",
            &[
                ("kind", "saml"),
                ("name", "corp"),
                ("label", "Corp SAML"),
                ("idp_metadata_url", &metadata_url),
                ("role_claim", "groups"),
                ("role_map", "staff = instructor"),
                ("default_role", "learner"),
                ("email_trusted", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = admin
        .get(app.port, "/admin/sso")
        .await
        .body
        .replace("&#x2F;", "/");
    assert!(
        page.contains("http://alpha.localhost/sso/corp/metadata"),
        "{page}"
    );
    let login = Browser::new("alpha").get(app.port, "/login").await;
    assert!(login.body.contains("Sign in with Corp SAML"));
    let (_, done) = sign_in(&app, "saml-admin-made@alpha.test;groups=staff", "", |x| x).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        db.count("SELECT count(*) FROM audit_log WHERE action = 'sso.provider_added'")
            .await,
        1
    );

    // The operator's file: a metadata file beside the school file.
    let dir = crate::harness::tempdir("saml-file");
    let metadata = request(idp.port, "GET", "127.0.0.1", "/metadata", &[])
        .await
        .body;
    std::fs::write(dir.join("beta-idp.xml"), &metadata).unwrap();
    let file = dir.join("beta.toml");
    std::fs::write(
        &file,
        format!(
            "{}[[sso]]\nkind = \"saml\"\nname = \"corp\"\nidp_metadata = \"beta-idp.xml\"\nrole_attribute = \"groups\"\nrole_map = {{ staff = \"admin\" }}\n",
            crate::harness::school_toml("beta", &[])
        ),
    )
    .unwrap();
    let update = [
        "tenants",
        "update",
        "beta",
        "--from",
        file.to_str().unwrap(),
    ];
    crate::harness::succeeded(
        &crate::harness::eduflow_cli(&db, &db.admin_url, &dir, &update).await,
    );
    let kind = db
        .text("SELECT kind || ' ' || from_file::text FROM sso_providers p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = 'beta'")
        .await;
    assert_eq!(kind, "saml true");
    // Or by URL, read where the file is applied (loopback allowed here).
    std::fs::write(
        &file,
        format!(
            "{}[[sso]]\nkind = \"saml\"\nname = \"corp\"\nlabel = \"By URL\"\nidp_metadata = \"{metadata_url}\"\n",
            crate::harness::school_toml("beta", &[])
        ),
    )
    .unwrap();
    let strict = crate::harness::eduflow_cli(&db, &db.admin_url, &dir, &update).await;
    crate::harness::refused(&strict, "not a public address");
    let allowed = [("EDUFLOW_SSO_ALLOW_PRIVATE", "true")];
    crate::harness::succeeded(
        &crate::harness::eduflow_cli_with(&db, &db.admin_url, &dir, &update, &allowed).await,
    );
    let login = Browser::new("beta").get(app.port, "/login").await;
    assert!(login.body.contains("Sign in with By URL"), "{}", login.body);
    let sp = Browser::new("beta")
        .get(app.port, "/sso/corp/metadata")
        .await;
    assert!(
        sp.body.contains("http://beta.localhost/sso/corp/acs"),
        "{}",
        sp.body
    );
}

#[actix_web::test]
async fn an_assertion_id_is_used_once_and_untrusted_emails_do_not_link() {
    let (db, app) = TestApp::two_schools().await;
    configure(&db).await;
    let tenant = eduflow::ids::TenantId(
        db.text("SELECT id::text FROM tenants WHERE slug = 'alpha'")
            .await
            .parse()
            .unwrap(),
    );
    let mut conn = db.runtime().await;
    let door = format!("SELECT set_config('app.tenant_id', '{}', false)", tenant.0);
    diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &door)
        .await
        .unwrap();
    let once = eduflow::sso::logins::use_assertion(&mut conn, tenant, "corp", "_a1").await;
    let twice = eduflow::sso::logins::use_assertion(&mut conn, tenant, "corp", "_a1").await;
    assert_eq!((once.unwrap(), twice.unwrap()), (true, false));

    // An IdP whose emails are not trusted cannot take over an existing password account.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "UPDATE sso_providers SET email_trusted = false",
    )
    .await
    .unwrap();
    Browser::new("alpha")
        .sign_up(app.port, "kept@alpha.test")
        .await;
    let (_, res) = sign_in(&app, "kept@alpha.test", "", |x| x).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM sso_identities").await, 0);
}
