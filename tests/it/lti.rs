//! LTI 1.3 Advantage with EduFlow as the platform, against a real tool (pylti1p3 in Flask): a
//! launch a learner starts on a lesson page, the tool's grade completing the lesson, the roster,
//! deep linking by an instructor; and the attacks: tokens across schools, replayed nonces and
//! assertions, answers signed by another key, scores for strangers.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use crate::harness::{
    Browser, Response, TestApp, TestDb, autopost_form, eduflow_cli, lti_tool, post_form, raw,
    request, succeeded, tempdir,
};
use crate::learning::course_with_lessons;

/// `eduflow lti add-tool` for the suite's tool; its printed `key\tvalue` lines.
pub async fn register(
    db: &TestDb,
    app: &TestApp,
    school: &str,
    name: &str,
    keys: &[&str],
) -> HashMap<String, String> {
    let tool = lti_tool();
    let port = app.port.to_string();
    let (login, launch) = (tool.url("/login"), tool.url("/launch"));
    let mut args = vec![
        "lti",
        "add-tool",
        "--school",
        school,
        "--name",
        name,
        "--login-url",
        &login,
        "--redirect-uri",
        &launch,
        "--deep-linking-url",
        &launch,
        "--public-port",
        &port,
    ];
    args.extend(keys);
    let out = eduflow_cli(db, &db.admin_url, &tempdir("tenants"), &args).await;
    succeeded(&out)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The suite's tool registered at alpha as `name` (its keys at its JWKS URL), and told so.
async fn configured(db: &TestDb, app: &TestApp, name: &str) -> HashMap<String, String> {
    let reg = register(
        db,
        app,
        "alpha",
        name,
        &["--jwks-url", &lti_tool().url("/jwks")],
    )
    .await;
    lti_tool().configure(&reg).await;
    reg
}

/// The slug of the LTI lesson `lesson` (its id).
async fn slug_of(db: &TestDb, lesson: &str) -> String {
    db.text(&format!(
        "SELECT slug AS t FROM lessons WHERE id = '{lesson}' AND kind = 'lti'"
    ))
    .await
}

pub async fn add_lesson(
    db: &TestDb,
    school: &str,
    course: &str,
    tool: &str,
    title: &str,
) -> String {
    let url = lti_tool().url("/launch");
    let out = eduflow_cli(
        db,
        &db.admin_url,
        &tempdir("tenants"),
        &[
            "lti",
            "add-lesson",
            "--school",
            school,
            "--course",
            course,
            "--tool",
            tool,
            "--title",
            title,
            "--url",
            &url,
        ],
    )
    .await;
    succeeded(&out).trim().to_owned()
}

fn location(res: &Response) -> String {
    res.header("location").expect("a redirect").to_owned()
}

/// The path and query of an absolute URL.
fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    }
}

/// From the tool's login initiation URL to the tool's launch page: the tool sends the browser
/// to `/lti/authorize`, whose page posts the id_token on to the tool. Answers EduFlow's page
/// and the tool's.
async fn through_the_tool(app: &TestApp, me: &mut Browser, login: &str) -> (Response, Response) {
    let tool = lti_tool();
    let res = request(tool.port, "GET", &tool.host(), &path_of(login), &[]).await;
    assert_eq!(res.status, 302, "{}", res.body);
    // The tool's state cookie, which its launch checks.
    let tool_cookies = res
        .set_cookies()
        .iter()
        .map(|(_, v)| v.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    let authorize = location(&res);
    assert!(
        authorize.contains(&format!(":{}/lti/authorize?", app.port)),
        "{authorize}"
    );
    let page = me.get(app.port, &path_of(&authorize)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (action, fields) = autopost_form(&page.body);
    assert_eq!(action, tool.url("/launch"));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let launched = post_form(
        tool.port,
        &tool.host(),
        "/launch",
        &fields,
        &[("Cookie", &tool_cookies)],
    )
    .await;
    (page, launched)
}

pub async fn enrolled(app: &TestApp, email: &str, course: &str) -> Browser {
    let mut me = Browser::new("alpha");
    me.sign_up(app.port, email).await;
    let res = me
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    me
}

#[actix_web::test]
async fn a_learner_launches_a_tool_whose_grade_completes_the_lesson() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let reg = configured(&db, &app, "Practice").await;
    // The issuer is the school's public address: its custom domain.
    let issuer = format!("http://learn.alpha.test:{}", app.port);
    assert_eq!(reg["issuer"], issuer);
    assert_eq!(reg["jwks"], format!("{issuer}/lti/jwks"));
    assert_eq!(reg["authorize"], format!("{issuer}/lti/authorize"));
    assert_eq!(reg["token"], format!("{issuer}/lti/token"));
    let lesson = add_lesson(&db, "alpha", &course, "Practice", "Fractions practice").await;
    let slug = slug_of(&db, &lesson).await;

    // The lesson page offers the tool, not a "mark complete" button.
    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    let page = ada
        .get(app.port, &format!("/courses/{course}/lessons/{slug}"))
        .await;
    assert!(
        page.body
            .contains(&format!("/courses/{course}/lessons/{slug}/launch")),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("/lessons/{slug}/complete")));
    let res = ada
        .post(
            app.port,
            &format!("/courses/{course}/lessons/{slug}/complete"),
            &[],
        )
        .await;
    assert_eq!(res.status, 409, "a tool's lesson is completed by its grade");

    // Third-party initiated login: the launch goes to the tool's login with the platform's
    // parameters, and comes back to the tool as a signed id_token it accepts.
    let res = ada
        .get(
            app.port,
            &format!("/courses/{course}/lessons/{slug}/launch"),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let login = location(&res);
    let q: HashMap<String, String> = url::Url::parse(&login)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(q["iss"], issuer);
    assert_eq!(q["client_id"], reg["client_id"]);
    assert_eq!(q["lti_deployment_id"], reg["deployment_id"]);
    assert_eq!(q["target_link_uri"], lti_tool().url("/launch"));
    let (authorized, launched) = through_the_tool(&app, &mut ada, &login).await;
    assert_eq!(launched.status, 200, "{}", launched.body);
    assert!(
        launched.body.contains("Hello Ada Lovelace"),
        "{}",
        launched.body
    );
    let last = lti_tool().last().await;
    let claims = &last["claims"];
    let user = db
        .text("SELECT id::text AS t FROM users WHERE email = 'ada@example.org'")
        .await;
    let course_id = db.course_id(&course).await;
    let lti = |k: &str| &claims[format!("https://purl.imsglobal.org/spec/lti/claim/{k}")];
    assert_eq!(claims["iss"], issuer);
    assert_eq!(claims["aud"], reg["client_id"]);
    assert_eq!(claims["sub"], user);
    assert_eq!(lti("message_type"), "LtiResourceLinkRequest");
    assert_eq!(lti("version"), "1.3.0");
    assert_eq!(lti("deployment_id"), reg["deployment_id"].as_str());
    assert_eq!(lti("target_link_uri"), lti_tool().url("/launch").as_str());
    assert_eq!(lti("resource_link")["id"], lesson);
    assert_eq!(lti("resource_link")["title"], "Fractions practice");
    assert_eq!(lti("context")["id"], course_id);
    assert_eq!(
        lti("roles"),
        &json!(["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    );
    let ags = &claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"];
    assert!(
        ags["lineitem"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{issuer}/lti/courses/{course_id}/lineitems/"))
    );

    // The authorization answer is taken once: the same nonce again is refused, back to the tool.
    let again = ada
        .get(
            app.port,
            &path_of(&location(
                &request(
                    lti_tool().port,
                    "GET",
                    &lti_tool().host(),
                    &path_of(&login),
                    &[],
                )
                .await,
            )),
        )
        .await;
    assert_eq!(again.status, 200);
    let (_, first) = autopost_form(&authorized.body);
    let nonce_of = |r: &Response| {
        let (_, f) = autopost_form(&r.body);
        f.iter().any(|(k, _)| k == "id_token")
    };
    assert!(first.iter().any(|(k, _)| k == "id_token"));
    assert!(nonce_of(&again), "a fresh login (new nonce) launches again");

    // The tool posts a grade (client credentials with its signed assertion), reads it back and
    // the roster: the learner's lesson is complete.
    let graded = post_form(
        lti_tool().port,
        &lti_tool().host(),
        "/grade",
        &[
            ("launch_id", last["launch_id"].as_str().unwrap()),
            ("score", "90"),
            ("json", "1"),
        ],
        &[],
    )
    .await;
    assert_eq!(graded.status, 200, "{}", graded.body);
    let answer = graded.json();
    assert_eq!(answer["grades"][0]["userId"], user);
    assert_eq!(answer["grades"][0]["resultScore"], 90.0);
    let members = answer["members"].as_array().unwrap();
    assert!(
        members
            .iter()
            .any(|m| m["user_id"] == user && m["name"] == "Ada Lovelace"),
        "{members:?}"
    );
    let done = db
        .count(&format!(
            "SELECT count(*) FROM lesson_progress WHERE lesson_id = '{lesson}' AND user_id = '{user}' AND completed_at IS NOT NULL"
        ))
        .await;
    assert_eq!(done, 1);
    let page = ada
        .get(app.port, &format!("/courses/{course}/lessons/{slug}"))
        .await;
    assert!(page.body.contains("class=\"done\""), "{}", page.body);
    let counted = |event: &str| app.state.metrics.lti.with_label_values(&[event]).get();
    assert!(counted("launch") >= 1 && counted("token") >= 1 && counted("score") >= 1);
}

#[actix_web::test]
async fn a_replayed_nonce_is_refused_back_to_the_tool() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    configured(&db, &app, "Replay").await;
    let lesson = add_lesson(&db, "alpha", &course, "Replay", "Replayed").await;
    let slug = slug_of(&db, &lesson).await;
    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    let res = ada
        .get(
            app.port,
            &format!("/courses/{course}/lessons/{slug}/launch"),
        )
        .await;
    let tool = lti_tool();
    let res = request(
        tool.port,
        "GET",
        &tool.host(),
        &path_of(&location(&res)),
        &[],
    )
    .await;
    let authorize = path_of(&location(&res));
    let first = ada.get(app.port, &authorize).await;
    let (_, fields) = autopost_form(&first.body);
    assert!(
        fields.iter().any(|(k, _)| k == "id_token"),
        "{}",
        first.body
    );
    // The same request again: same nonce.
    let second = ada.get(app.port, &authorize).await;
    let (action, fields) = autopost_form(&second.body);
    assert_eq!(action, tool.url("/launch"));
    assert!(!fields.iter().any(|(k, _)| k == "id_token"));
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "error" && v == "invalid_request"),
        "{fields:?}"
    );
    // Someone else's browser cannot use the learner's login hint.
    let mut eve = enrolled(&app, "eve@example.org", &course).await;
    let stolen = eve
        .get(app.port, &authorize.replace("nonce=", "nonce=x"))
        .await;
    let (_, fields) = autopost_form(&stolen.body);
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "error" && v == "login_required"),
        "{fields:?}"
    );
    // An unregistered redirect URI gets an error page, nothing posted anywhere.
    let elsewhere = authorize.replace(
        &form_urlencoded::byte_serialize(tool.url("/launch").as_bytes()).collect::<String>(),
        "https%3A%2F%2Fevil.example%2Fcatch",
    );
    let res = ada.get(app.port, &elsewhere).await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(!res.body.contains("evil.example"));
}

/// A tool key the test holds: the tool is registered with its public half.
pub struct OwnKey {
    kid: String,
    private: EncodingKey,
    pub jwk: Value,
}

pub fn own_key(kid: &str) -> OwnKey {
    let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let public = private.to_public_key();
    OwnKey {
        kid: kid.to_owned(),
        private: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        jwk: json!({
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        }),
    }
}

impl OwnKey {
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.private).unwrap()
    }

    pub fn assertion(&self, client_id: &str, audience: &str, jti: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.sign(&json!({
            "iss": client_id, "sub": client_id, "aud": audience,
            "iat": now, "exp": now + 60, "jti": jti,
        }))
    }
}

pub async fn token_request(app: &TestApp, host: &str, assertion: &str, scope: &str) -> Response {
    post_form(
        app.port,
        host,
        "/lti/token",
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", scope),
        ],
        &[],
    )
    .await
}

pub async fn service(
    app: &TestApp,
    method: &str,
    host: &str,
    path: &str,
    token: &str,
    body: Option<(&str, &Value)>,
) -> Response {
    let text = body.map(|(_, b)| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n",
        text.len()
    );
    if let Some((content_type, _)) = body {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(&text);
    raw(app.port, head.as_bytes()).await
}

pub const SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINE_ITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCORE_TYPE: &str = "application/vnd.ims.lis.v1.score+json";

#[actix_web::test]
async fn tokens_scores_and_answers_hold_only_where_they_belong() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let key = own_key("test-key-1");
    let file = tempdir("lti-key").join("key.json");
    std::fs::write(&file, key.jwk.to_string()).unwrap();
    let reg = register(
        &db,
        &app,
        "alpha",
        "Own",
        &["--public-key-file", file.to_str().unwrap()],
    )
    .await;
    let lesson = add_lesson(&db, "alpha", &course, "Own", "Graded elsewhere").await;
    let course_id = db.course_id(&course).await;
    let item = db
        .text(&format!(
            "SELECT id::text AS t FROM lti_line_items WHERE lesson_id = '{lesson}'"
        ))
        .await;
    let alpha = "alpha.localhost";
    let token_url = reg["token"].clone();

    // A token for alpha's tool, at alpha.
    let res = token_request(
        &app,
        alpha,
        &key.assertion(&reg["client_id"], &token_url, "j1"),
        &format!("{SCORE} {LINE_ITEM}"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let token = res.json()["access_token"].as_str().unwrap().to_owned();
    // The same assertion again (its jti) is refused.
    let res = token_request(
        &app,
        alpha,
        &key.assertion(&reg["client_id"], &token_url, "j1"),
        SCORE,
    )
    .await;
    assert_eq!(res.status, 401, "{}", res.body);
    assert_eq!(res.json()["error"], "invalid_client");
    assert!(app.state.metrics.lti.with_label_values(&["refused"]).get() >= 1);
    // An assertion signed by another key with the same kid is refused.
    let forger = own_key("test-key-1");
    let res = token_request(
        &app,
        alpha,
        &forger.assertion(&reg["client_id"], &token_url, "j2"),
        SCORE,
    )
    .await;
    assert_eq!(res.status, 401, "{}", res.body);
    // Alpha's client at beta is no client of beta's.
    let res = token_request(
        &app,
        "beta.localhost",
        &key.assertion(&reg["client_id"], &token_url.replace("alpha", "beta"), "j3"),
        SCORE,
    )
    .await;
    assert_eq!(res.status, 401, "{}", res.body);

    // Alpha's token at beta opens nothing, whatever the course id.
    let items = format!("/lti/courses/{course_id}/lineitems");
    let res = service(&app, "GET", "beta.localhost", &items, &token, None).await;
    assert_eq!(res.status, 401, "{}", res.body);
    let res = service(&app, "GET", alpha, &items, &token, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()[0]["resourceLinkId"], lesson);
    // A token without the scope cannot read results.
    let res = service(
        &app,
        "GET",
        alpha,
        &format!("{items}/{item}/results"),
        &token,
        None,
    )
    .await;
    assert_eq!(res.status, 403, "{}", res.body);

    // A score for someone not in the course is refused and nothing is kept.
    let stranger = Browser::new("alpha");
    let mut stranger = stranger;
    stranger.sign_up(app.port, "stranger@example.org").await;
    let stranger_id = db
        .text("SELECT id::text AS t FROM users WHERE email = 'stranger@example.org'")
        .await;
    let score = |user: &str, given: f64, at: &str| {
        json!({
            "userId": user, "scoreGiven": given, "scoreMaximum": 100, "timestamp": at,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        })
    };
    let scores = format!("{items}/{item}/scores");
    let post_score = |user: &str, given: f64, at: &str| {
        let body = score(user, given, at);
        let (app, scores, token) = (&app, &scores, &token);
        async move {
            service(
                app,
                "POST",
                "alpha.localhost",
                scores,
                token,
                Some((SCORE_TYPE, &body)),
            )
            .await
        }
    };
    let res = post_score(&stranger_id, 95.0, "2026-12-06T10:00:00Z").await;
    assert_eq!(res.status, 422, "{}", res.body);
    // Beta's learner, by id, at alpha: not in the course either.
    let mut bo = Browser::new("beta");
    bo.sign_up(app.port, "bo@example.org").await;
    let bo_id = db.text("SELECT u.id::text AS t FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'beta' AND u.email = 'bo@example.org'").await;
    let res = post_score(&bo_id, 95.0, "2026-12-06T10:00:00Z").await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM lti_scores").await, 0);

    // An enrolled learner's passing score completes the lesson; an older one is refused; one
    // below the pass mark does not complete.
    // Alpha reports to an LRS: each final score is a statement, passed or failed.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "UPDATE tenants SET lrs_endpoint = 'http://127.0.0.1:9/xapi/' WHERE slug = 'alpha'",
    )
    .await
    .unwrap();
    let _ada = enrolled(&app, "ada@example.org", &course).await;
    let ada = db
        .text("SELECT id::text AS t FROM users WHERE email = 'ada@example.org'")
        .await;
    let res = post_score(&ada, 50.0, "2026-12-06T10:00:00Z").await;
    assert_eq!(res.status, 204, "{}", res.body);
    let completed = format!(
        "SELECT count(*) FROM lesson_progress WHERE lesson_id = '{lesson}' AND completed_at IS NOT NULL"
    );
    assert_eq!(
        db.count(&completed).await,
        0,
        "50 is under the pass mark of 70"
    );
    let res = post_score(&ada, 80.0, "2026-12-06T09:00:00Z").await;
    assert_eq!(res.status, 409, "{}", res.body);
    let res = post_score(&ada, 80.0, "2026-12-06T11:00:00Z").await;
    assert_eq!(res.status, 204, "{}", res.body);
    assert_eq!(db.count(&completed).await, 1);
    let reported = db
        .text(&format!(
            "SELECT string_agg(verb || ' ' || (result->>'score') || ' ' || (result->>'success'), ', ' ORDER BY created_at) AS t
               FROM xapi_statements WHERE lesson_id = '{lesson}' AND verb IN ('passed', 'failed')"
        ))
        .await;
    assert_eq!(reported, "failed 50 false, passed 80 true");
    // Not JSON, or not a score: a JSON error, nothing kept.
    let res = service(
        &app,
        "POST",
        alpha,
        &scores,
        &token,
        Some((SCORE_TYPE, &json!({"userId": ada}))),
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(res.json()["error"].is_string());
    assert_eq!(db.count("SELECT count(*) FROM lti_scores").await, 2);

    // A line item the tool makes, changes and deletes; another tool's items are not its own.
    let made = service(
        &app,
        "POST",
        alpha,
        &items,
        &token,
        Some((
            "application/vnd.ims.lis.v2.lineitem+json",
            &json!({"label": "Bonus", "scoreMaximum": 5, "tag": "bonus"}),
        )),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let path = path_of(&id);
    let res = service(
        &app,
        "PUT",
        alpha,
        &path,
        &token,
        Some((
            "application/vnd.ims.lis.v2.lineitem+json",
            &json!({"label": "Bonus round", "scoreMaximum": 5}),
        )),
    )
    .await;
    assert_eq!(res.json()["label"], "Bonus round");
    let res = service(
        &app,
        "GET",
        alpha,
        &format!("{items}?tag=bonus"),
        &token,
        None,
    )
    .await;
    assert_eq!(
        res.json().as_array().unwrap().len(),
        0,
        "the tag was cleared by the PUT"
    );
    let res = service(&app, "DELETE", alpha, &path, &token, None).await;
    assert_eq!(res.status, 204);
    let res = service(&app, "GET", alpha, &path, &token, None).await;
    assert_eq!(res.status, 404);

    // A deep-linking answer signed by another key is refused, and adds nothing.
    let lessons = db
        .count("SELECT count(*) FROM lessons WHERE kind = 'lti'")
        .await;
    let now = chrono::Utc::now().timestamp();
    let forged = forger.sign(&json!({
        "iss": reg["client_id"], "aud": reg["issuer"], "iat": now, "exp": now + 60, "nonce": "n",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": reg["deployment_id"],
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [{"type": "ltiResourceLink", "title": "Forged"}],
    }));
    let res = post_form(app.port, alpha, "/lti/deep-links", &[("JWT", &forged)], &[]).await;
    assert_eq!(res.status, 400, "{}", res.body);
    // Signed by the tool's own key, but without data EduFlow sent: refused too.
    let unasked = key.sign(&json!({
        "iss": reg["client_id"], "aud": reg["issuer"], "iat": now, "exp": now + 60, "nonce": "n",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": reg["deployment_id"],
        "https://purl.imsglobal.org/spec/lti-dl/claim/data": "made-up",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [{"type": "ltiResourceLink", "title": "Unasked"}],
    }));
    let res = post_form(
        app.port,
        alpha,
        "/lti/deep-links",
        &[("JWT", &unasked)],
        &[],
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(
        db.count("SELECT count(*) FROM lessons WHERE kind = 'lti'")
            .await,
        lessons
    );
}

#[actix_web::test]
async fn an_instructor_adds_a_tools_content_by_deep_linking() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let reg = configured(&db, &app, "Library").await;
    let tool_id = db
        .text("SELECT id::text AS t FROM lti_tools WHERE name = 'Library'")
        .await;
    let course_id = db.course_id(&course).await;
    let section = db
        .text(&format!("SELECT id::text AS t FROM sections WHERE course_id = '{course_id}' ORDER BY position LIMIT 1"))
        .await;
    // An instructor of this course (not an teacher).
    let mut teacher =
        Browser::member(app.port, &db, "alpha", "teach@example.org", "instructor").await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        &format!(
            "INSERT INTO course_instructors (tenant_id, course_id, user_id, is_owner)
             SELECT tenant_id, '{course_id}', id, false FROM users WHERE email = 'teach@example.org'"
        ),
    )
    .await
    .unwrap();
    let editor = teacher
        .get(app.port, &format!("/author/courses/{course_id}"))
        .await;
    // The editor offers the tools that have content to choose from.
    assert!(
        editor
            .body
            .contains(&format!("action=\"/author/courses/{course_id}/lti\""))
    );
    assert!(
        editor
            .body
            .contains(&format!("<option value=\"{tool_id}\">Library</option>"))
    );
    let page = teacher
        .post(
            app.port,
            &format!("/author/courses/{course_id}/lti"),
            &[("tool", &tool_id), ("section", &section)],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("form-action {}", lti_tool().url(""))),
        "{csp}"
    );
    let (action, fields) = autopost_form(&page.body);
    assert_eq!(action, lti_tool().url("/login"));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&fields)
        .finish();
    let (_, launched) = through_the_tool(&app, &mut teacher, &format!("{action}?{query}")).await;
    assert_eq!(launched.status, 200, "{}", launched.body);
    let last = lti_tool().last().await;
    let claims = &last["claims"];
    assert_eq!(
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"],
        "LtiDeepLinkingRequest"
    );
    let roles = claims["https://purl.imsglobal.org/spec/lti/claim/roles"].to_string();
    assert!(
        roles.contains("#Instructor") && !roles.contains("#Administrator"),
        "{roles}"
    );
    let settings = &claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"];
    assert_eq!(
        settings["deep_link_return_url"],
        format!("{}/lti/deep-links", reg["issuer"])
    );

    // The instructor picks content; the tool's page posts its signed answer back (a cross-site
    // POST: no session cookie comes with it).
    let answer = post_form(
        lti_tool().port,
        &lti_tool().host(),
        "/deep-link",
        &[
            ("launch_id", last["launch_id"].as_str().unwrap()),
            ("title", "Decimals drill"),
        ],
        &[],
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (back, fields) = autopost_form(&answer.body);
    assert_eq!(back, format!("{}/lti/deep-links", reg["issuer"]));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = post_form(
        app.port,
        "alpha.localhost",
        "/lti/deep-links",
        &fields,
        &[("Origin", &lti_tool().url(""))],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(location(&res), format!("/author/courses/{course_id}"));
    let added = db
        .text(&format!(
            "SELECT l.title || ' ' || i.score_maximum AS t FROM lessons l JOIN lti_links k ON k.lesson_id = l.id
               JOIN lti_line_items i ON i.lesson_id = l.id WHERE l.section_id = '{section}' AND l.kind = 'lti'"
        ))
        .await;
    assert_eq!(added, "Decimals drill 10");
    // The same answer twice adds nothing more.
    let res = post_form(app.port, "alpha.localhost", "/lti/deep-links", &fields, &[]).await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert_eq!(
        db.count("SELECT count(*) FROM lessons WHERE kind = 'lti'")
            .await,
        1
    );
    // The editor lists it.
    let editor = teacher
        .get(app.port, &format!("/author/courses/{course_id}"))
        .await;
    assert!(editor.body.contains("Decimals drill"));
}

#[actix_web::test]
async fn the_schools_keys_are_published_sealed_and_rotated_with_an_overlap() {
    let (db, app) = TestApp::two_schools().await;
    let jwks = |host: &'static str| async move {
        let res = request(app.port, "GET", host, "/lti/jwks", &[]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["keys"].as_array().unwrap().clone()
    };
    let alpha = jwks("alpha.localhost").await;
    assert_eq!(alpha.len(), 1);
    assert_eq!(alpha[0]["alg"], "RS256");
    assert!(alpha[0]["kid"].is_string());
    assert!(alpha[0].get("d").is_none(), "no private part is published");
    let beta = jwks("beta.localhost").await;
    assert_ne!(
        alpha[0]["kid"], beta[0]["kid"],
        "each school signs with its own key"
    );
    // The private half is sealed: its modulus bytes appear nowhere in the row.
    let sealed = db.count("SELECT count(*) FROM lti_keys WHERE position('PRIVATE' in encode(private_sealed, 'escape')) = 0").await;
    assert_eq!(sealed, 2);
    let out = eduflow_cli(
        &db,
        &db.admin_url,
        &tempdir("tenants"),
        &[
            "lti",
            "rotate-key",
            "--school",
            "alpha",
            "--overlap-hours",
            "1",
        ],
    )
    .await;
    succeeded(&out);
    // The next signing makes a new key; the old one stays published through the overlap.
    let _ = eduflow::lti::keys::signing(
        app.state.clusters.main().primary(),
        app.state
            .directory
            .all()
            .into_iter()
            .find(|t| t.slug == "alpha")
            .unwrap()
            .id,
        &app.state.lti.seal,
    )
    .await
    .unwrap();
    let after = jwks("alpha.localhost").await;
    assert_eq!(after.len(), 2);
    assert!(after.iter().any(|k| k["kid"] == alpha[0]["kid"]));
    assert_ne!(
        after[0]["kid"], alpha[0]["kid"],
        "the newest key comes first"
    );
    // A school's export never carries its keys, sealed or not.
    let file = tempdir("lti-export").join("alpha.zip");
    let out = eduflow_cli(
        &db,
        &db.admin_url,
        &tempdir("tenants"),
        &[
            "tenants",
            "export",
            "alpha",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .await;
    succeeded(&out);
    let zip = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let names: Vec<&str> = zip.file_names().collect();
    assert!(names.iter().any(|n| n.contains("lessons")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("lti_keys")), "{names:?}");
}

#[actix_web::test]
async fn admins_register_and_remove_their_schools_tools() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let mut admin = Browser::member(app.port, &db, "alpha", "head@example.org", "admin").await;
    let page = admin.get(app.port, "/admin/lti").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let shown = page.body.replace("&#x2F;", "/");
    assert!(shown.contains(&format!("http://learn.alpha.test:{}/lti/jwks", app.port)));
    let tool = lti_tool();
    let fields = [
        ("name", "Quiz bank"),
        ("login_url", &tool.url("/login")),
        (
            "redirect_uris",
            &format!("{}\n{}", tool.url("/launch"), tool.url("/other")),
        ),
        ("jwks_url", &tool.url("/jwks")),
        ("deep_linking_url", ""),
    ];
    let res = admin.post(app.port, "/admin/lti", &fields).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let client_id = db
        .text("SELECT client_id AS t FROM lti_tools WHERE name = 'Quiz bank'")
        .await;
    assert!(res.body.contains(&client_id));
    assert_eq!(
        db.count("SELECT count(*) FROM lti_tools WHERE cardinality(redirect_uris) = 2")
            .await,
        1
    );
    // The same name again, or a login URL that is no URL: refused, nothing added.
    let res = admin.post(app.port, "/admin/lti", &fields).await;
    assert_eq!(res.status, 409, "{}", res.body);
    let mut bad = fields;
    bad[0].1 = "Other";
    bad[1].1 = "javascript:alert(1)";
    let res = admin.post(app.port, "/admin/lti", &bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM lti_tools").await, 1);

    // A learner, and beta's admin, cannot see or remove it.
    let mut learner = Browser::new("alpha");
    learner.sign_up(app.port, "lea@example.org").await;
    assert_eq!(learner.get(app.port, "/admin/lti").await.status, 403);
    let id = db.text("SELECT id::text AS t FROM lti_tools").await;
    let mut other = Browser::member(app.port, &db, "beta", "boss@example.org", "admin").await;
    other.get(app.port, "/admin/lti").await;
    let res = other
        .post(app.port, &format!("/admin/lti/{id}/delete"), &[])
        .await;
    assert_eq!(res.status, 404, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM lti_tools").await, 1);

    // Removed by its school's admin: its lessons stay, as text lessons; the audit log says so.
    let lesson = add_lesson(&db, "alpha", &course, "Quiz bank", "Bank quiz").await;
    admin.get(app.port, "/admin/lti").await;
    let res = admin
        .post(app.port, &format!("/admin/lti/{id}/delete"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM lti_tools").await, 0);
    assert_eq!(
        db.text(&format!(
            "SELECT kind AS t FROM lessons WHERE id = '{lesson}'"
        ))
        .await,
        "text"
    );
    let actions = db.text("SELECT string_agg(action, ' ' ORDER BY at) AS t FROM audit_log WHERE action LIKE 'lti.%'").await;
    assert_eq!(actions, "lti.tool_added lti.tool_removed");
}

#[actix_web::test]
async fn the_operators_school_file_registers_tools_and_keeps_their_ids() {
    let (db, _app) = TestApp::two_schools().await;
    let dir = tempdir("lti-file");
    let file = dir.join("alpha.toml");
    let path = file.to_str().unwrap().to_owned();
    // Top-level keys before the file's tables, `[[lti]]` tables after them.
    let write = |lti: &str| {
        let school = crate::harness::school_toml("alpha", &["learn.alpha.test"]);
        let text = if lti.starts_with("[[") {
            format!("{school}{lti}")
        } else {
            format!("{lti}\n{school}")
        };
        std::fs::write(&file, text).unwrap()
    };
    let entry = |login: &str| {
        format!(
            "[[lti]]\nname = \"Lab\"\nlogin_url = \"{login}\"\nredirect_uris = [\"https://lab.example/launch\"]\n\
             jwks_url = \"https://lab.example/jwks\"\n"
        )
    };
    let update = ["tenants", "update", "alpha", "--from", path.as_str()];
    write(&entry("not a url"));
    let out = eduflow_cli(&db, &db.admin_url, &dir, &update).await;
    crate::harness::refused(&out, "lti[0]");
    write(&entry("https://lab.example/login"));
    succeeded(&eduflow_cli(&db, &db.admin_url, &dir, &update).await);
    let ids = "SELECT client_id || ' ' || deployment_id || ' ' || login_url AS t FROM lti_tools WHERE name = 'Lab'";
    let first = db.text(ids).await;
    assert!(first.ends_with("https://lab.example/login"), "{first}");
    // Changed in the file: the same registration, the new URL.
    write(&entry("https://lab.example/start"));
    succeeded(&eduflow_cli(&db, &db.admin_url, &dir, &update).await);
    let second = db.text(ids).await;
    assert_eq!(
        second.rsplit_once(' ').unwrap().0,
        first.rsplit_once(' ').unwrap().0
    );
    assert!(second.ends_with("https://lab.example/start"));
    // A tool an admin registered is not the file's to remove; `lti = []` removes the file's.
    let out = eduflow_cli(
        &db,
        &db.admin_url,
        &dir,
        &[
            "lti",
            "add-tool",
            "--school",
            "alpha",
            "--name",
            "Own",
            "--login-url",
            "https://own.example/login",
            "--redirect-uri",
            "https://own.example/launch",
            "--jwks-url",
            "https://own.example/jwks",
        ],
    )
    .await;
    succeeded(&out);
    write("lti = []");
    succeeded(&eduflow_cli(&db, &db.admin_url, &dir, &update).await);
    assert_eq!(
        db.text("SELECT string_agg(name, ',') AS t FROM lti_tools")
            .await,
        "Own"
    );
    // A file that says nothing of tools leaves them be.
    write("");
    succeeded(&eduflow_cli(&db, &db.admin_url, &dir, &update).await);
    assert_eq!(db.count("SELECT count(*) FROM lti_tools").await, 1);
}

/// A key set a test publishes and changes at will, at `/jwks` on loopback.
struct PublishedKeys {
    port: u16,
    keys: std::sync::Arc<std::sync::Mutex<Value>>,
}

impl PublishedKeys {
    async fn start(keys: &[&OwnKey]) -> Self {
        use actix_web::{App, HttpResponse, HttpServer, web};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let published = Self {
            port,
            keys: Default::default(),
        };
        published.publish(keys);
        let shared = published.keys.clone();
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().route(
                "/jwks",
                web::get().to(move || {
                    let keys = shared.lock().unwrap().clone();
                    async move { HttpResponse::Ok().json(keys) }
                }),
            )
        })
        .listen(listener)
        .unwrap()
        .workers(1)
        .run();
        actix_web::rt::spawn(server);
        published
    }

    fn publish(&self, keys: &[&OwnKey]) {
        *self.keys.lock().unwrap() =
            json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() });
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/jwks", self.port)
    }
}

/// Whether `app` grants a token for an assertion signed with `key` (a fresh `jti` each time).
async fn grants(app: &TestApp, reg: &HashMap<String, String>, key: &OwnKey) -> bool {
    let jti = uuid::Uuid::new_v4().to_string();
    let res = token_request(
        app,
        "alpha.localhost",
        &key.assertion(&reg["client_id"], &reg["token"], &jti),
        SCORE,
    )
    .await;
    assert!(matches!(res.status, 200 | 401), "{}", res.body);
    res.status == 200
}

/// Each instance keeps its own copy of a tool's published keys. When the tool rotates its key,
/// every instance takes the new one (a key id its copy lacks fetches the set again, at most once
/// per `REFRESH`) and refuses the retired one; an admin pointing the tool at other keys — here in
/// plain SQL, behind both instances' backs — applies on both at the next request.
#[actix_web::test]
async fn a_tools_key_rotation_and_a_new_key_url_reach_every_instance() {
    let (db, a) = TestApp::two_schools().await;
    // A second instance behind the same public address.
    let mut second = crate::harness::settings(&db);
    second.mail.public_port = Some(a.port);
    let b = TestApp::spawn(second).await;
    let (one, two, three) = (own_key("k1"), own_key("k2"), own_key("k3"));
    let published = PublishedKeys::start(&[&one]).await;
    let reg = register(
        &db,
        &a,
        "alpha",
        "Rotating",
        &["--jwks-url", &published.url()],
    )
    .await;
    for app in [&a, &b] {
        assert!(grants(app, &reg, &one).await);
        assert!(!grants(app, &reg, &two).await, "k2 is not published yet");
    }
    // The tool rotates: k2 replaces k1. Once the copies may be fetched again, both take it.
    published.publish(&[&two]);
    tokio::time::sleep(eduflow::lti::tool_keys::REFRESH).await;
    for app in [&a, &b] {
        assert!(grants(app, &reg, &two).await, "the rotated key");
        assert!(!grants(app, &reg, &one).await, "the retired key");
    }
    // Pointed at another key set in plain SQL: both instances read the tool's row, not a copy.
    let elsewhere = PublishedKeys::start(&[&three]).await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        &format!(
            "UPDATE lti_tools SET jwks_url = '{}' WHERE client_id = '{}'",
            elsewhere.url(),
            reg["client_id"]
        ),
    )
    .await
    .unwrap();
    for app in [&a, &b] {
        assert!(grants(app, &reg, &three).await, "the new key set's key");
    }
}
