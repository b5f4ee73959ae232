//! A form fuzzer: every POST route, as an anonymous visitor, a learner and an admin, gets
//! malformed bodies — random fields with hostile values, 1 MB values, wrong content types,
//! invalid UTF-8, junk multipart — with and without a valid session token. No answer may be a
//! 5xx and the server must not panic. A few hostile URLs go to the GET routes too.

use std::collections::BTreeMap;

use crate::harness::{
    Browser, Response, TestDb, eduflow_cli, operator_sets_role, parse_response, serve_binary,
    succeeded, tempdir,
};

/// Sends `request` while reading: a server may answer (413, 403) before it has read a large
/// body, and the answer counts as soon as it is complete.
async fn answer(port: u16, request: Vec<u8>) -> Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&request).await;
        write
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let complete = |buf: &[u8]| {
        let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head = String::from_utf8_lossy(&buf[..at]).to_ascii_lowercase();
        head.lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .is_some_and(|n| buf.len() >= at + 4 + n)
    };
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), read.read(&mut chunk)).await
        {
            Ok(Ok(n)) if n > 0 => {
                buf.extend_from_slice(&chunk[..n]);
                if complete(&buf) {
                    break;
                }
            }
            _ => break,
        }
    }
    writer.abort();
    parse_response(&buf)
}

/// Every POST route of `src/routes.rs`, with `{…}` filled from a real course of alpha.
const POST_ROUTES: &[&str] = &[
    "/signup",
    "/login",
    "/courses/{slug}/enroll",
    "/courses/{slug}/unenroll",
    "/courses/{slug}/lessons/{lesson_slug}/complete",
    "/author/courses",
    "/author/courses/{course}",
    "/author/courses/{course}/publish",
    "/author/courses/{course}/sections",
    "/author/courses/{course}/sections/{section}",
    "/author/courses/{course}/sections/{section}/lessons",
    "/author/courses/{course}/lessons/{lesson}",
    "/author/courses/{course}/lessons/{lesson}/arrange",
    "/author/courses/{course}/instructors",
    "/admin/members/{user}",
    "/api/v1/lessons/{lesson}/position",
    "/password/forgot",
    "/password/reset/{token}",
    "/account/verify",
    "/account/language",
    "/account/email",
    "/admin/invitations",
    "/admin/invitations/csv",
    "/invitations/{token}",
    "/author/courses/{course}/announcements",
    "/unsubscribe/{course}/{user}/{token}",
    "/admin/learners/{user}/courses/{course}/remove",
    "/courses/{slug}/lessons/{quiz}/attempts",
    "/certificates/{certificate}/revoke",
    "/certificates/{certificate}/restore",
    "/admin/api",
    "/admin/api/{token}/revoke",
    "/sso/{name}/acs",
    "/admin/sso",
    "/admin/sso/only",
    "/admin/school",
    "/admin/sso/{name}/delete",
    "/admin/webhooks",
    "/admin/webhooks/{endpoint}/{action}",
    "/admin/webhooks/{endpoint}/deliveries/{delivery}/redeliver",
    "/api/v1/users",
    "/api/v1/enrollments",
    "/api/v1/completions",
    "/author/courses/{course}/lti",
    "/author/courses/{course}/scorm",
    "/admin/lti",
    "/courses/{slug}/lessons/{lesson_slug}/scorm/{sco}/commit",
    "/author/courses/{course}/grades",
    "/admin/lti/rotate",
    "/admin/lti/{tool}/delete",
    "/lti/authorize",
    "/lti/token",
    "/lti/deep-links",
    "/lti/courses/{course}/lineitems",
    "/lti/courses/{course}/lineitems/{item}/scores",
    // Late: these end the sessions or accounts the other routes are fuzzed with.
    "/admin/learners/{user}/suspend",
    "/admin/learners/{user}/delete",
    "/account/delete",
    "/logout",
];

const FIELDS: &[&str] = &[
    "name",
    "email",
    "password",
    "next",
    "title",
    "slug",
    "category",
    "level",
    "summary",
    "description",
    "tags",
    "duration_minutes",
    "publish",
    "position",
    "action",
    "kind",
    "body",
    "free_preview",
    "role",
    "user",
    "seconds",
    "section",
    "lesson",
    "video_url",
    "subject",
    "courses",
    "suspend",
    "file",
    "csrf",
    "gift",
    "pass_mark",
    "max_attempts",
    "shuffle",
    "optional",
    "preview",
    "unlock_after_days",
    "unlock_at",
    "prerequisites",
    "reason",
    "url",
    "days",
    "users:write",
    "user.created",
    "q0",
    "q1",
    "q2",
    "",
];

/// Hostile values, as they appear in a urlencoded body (already percent-encoded where needed).
const VALUES: &[&str] = &[
    "",
    "%00",
    "a%00b",
    "%01%1F%7F",
    "%FF%FE%FD",
    "%ED%A0%80",
    "%C3%28",
    "%EF%BB%BF",
    "%E2%80%AE",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "0x10",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "'%20OR%201%3D1%20--",
    "..%2F..%2Fetc%2Fpasswd",
    "admin",
    "instructor",
    "delete",
    "up",
    "video",
    "text",
    "https%3A%2F%2Fevil.test%2F",
    "%2F%2Fevil.test",
    "a%40b",
    "%F0%9F%98%80%CC%81%CC%81",
    "true",
    "on",
    "%25",
    "%",
    "%zz",
    "&&==&&",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// A body and its content type.
fn bodies(rng: &mut Rng, token: &str) -> Vec<(String, Vec<u8>)> {
    const FORM: &str = "application/x-www-form-urlencoded";
    const BOUNDARY: &str = "fuzzboundary";
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    let mut out = Vec::new();
    for _ in 0..20 {
        let n = 1 + rng.next() % 6;
        let mut pairs: Vec<String> = (0..n)
            .map(|_| format!("{}={}", rng.pick(FIELDS), rng.pick(VALUES)))
            .collect();
        if rng.next() % 3 > 0 {
            pairs.push(format!("csrf={token}"));
        }
        out.push((FORM.to_owned(), pairs.join("&").into_bytes()));
    }
    let big = "x".repeat(1 << 20);
    out.push((
        FORM.to_owned(),
        format!("title={big}&csrf={token}").into_bytes(),
    ));
    out.push((
        FORM.to_owned(),
        format!("csrf={token}&name={big}").into_bytes(),
    ));
    let mut invalid = format!("csrf={token}&title=").into_bytes();
    invalid.extend_from_slice(b"\xff\xfe\x00raw\xc3\x28");
    out.push((FORM.to_owned(), invalid));
    out.push((
        "application/json".into(),
        br#"{"seconds": "x", "title": null}"#.to_vec(),
    ));
    out.push(("application/json".into(), br#"{"seconds": 1e999}"#.to_vec()));
    out.push((
        "application/json".into(),
        br#"{"seconds": 30, "x": "\u0000\ud800"}"#.to_vec(),
    ));
    out.push((
        "application/json".into(),
        b"{\"seconds\": [[[[[[[[[[".to_vec(),
    ));
    out.push(("text/plain".into(), b"hello".to_vec()));
    out.push((String::new(), format!("csrf={token}").into_bytes()));
    out.push((
        "application/x-www-form-urlencoded; charset=utf-16".into(),
        b"\xff\xfec\x00s\x00".to_vec(),
    ));
    // Multipart: fields with hostile values, a binary "file", a broken structure.
    let part = |name: &str, value: &[u8]| {
        let mut p =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .into_bytes();
        p.extend_from_slice(value);
        p.extend_from_slice(b"\r\n");
        p
    };
    let mut good = part("csrf", token.as_bytes());
    for _ in 0..4 {
        good.extend(part(rng.pick(FIELDS), b"a\x00b\xff"));
    }
    good.extend(part("title", "x".repeat(300_000).as_bytes()));
    good.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"cover\"; filename=\"x.png\"\r\n\
             Content-Type: image/png\r\n\r\n\u{89}PNG\r\n\x1a\n garbage\r\n--{BOUNDARY}--\r\n"
        )
        .into_bytes(),
    );
    out.push((multipart.clone(), good));
    let mut unterminated = part("csrf", token.as_bytes());
    unterminated.extend_from_slice(
        b"--fuzzboundary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nnever ends",
    );
    out.push((multipart.clone(), unterminated));
    out.push((multipart.clone(), b"no boundary here at all".to_vec()));
    out.push(("multipart/form-data".into(), part("csrf", token.as_bytes())));
    out.push((
        multipart,
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n--{BOUNDARY}--\r\n"
        )
        .into_bytes(),
    ));
    out
}

/// A form every route would accept (each handler reads the fields it knows), as pairs of
/// percent-encoded values.
fn valid_fields(user_id: &str, n: u64) -> Vec<(&'static str, String)> {
    [
        ("name", "Ada Lovelace".to_owned()),
        ("email", format!("fuzz{n}%40alpha.test")),
        ("password", "correct+horse+battery".to_owned()),
        ("title", "A fuzzed title".to_owned()),
        ("slug", format!("fuzzed-{n}")),
        ("category", "data".to_owned()),
        ("level", "beginner".to_owned()),
        ("summary", "Short".to_owned()),
        ("description", "Long+text".to_owned()),
        ("tags", "a%2Cb".to_owned()),
        ("duration_minutes", "5".to_owned()),
        ("kind", "text".to_owned()),
        ("body", "Some+*markdown*".to_owned()),
        ("free_preview", "on".to_owned()),
        ("publish", "1".to_owned()),
        ("action", "rename".to_owned()),
        ("role", "instructor".to_owned()),
        ("subject", "Week+1".to_owned()),
        ("courses", "data-101".to_owned()),
        ("suspend", "1".to_owned()),
        ("user", user_id.to_owned()),
        ("next", "%2Flearn".to_owned()),
        ("gift", "Q%3F+%7B%3Da+~b%7D%0A%0AN+%7B%231..5%7D".to_owned()),
        ("pass_mark", "50".to_owned()),
        ("max_attempts", "3".to_owned()),
        ("unlock_after_days", "2".to_owned()),
        ("unlock_at", "2030-01-01T10%3A00".to_owned()),
        ("prerequisites", "data-101".to_owned()),
        ("reason", "Shared+answers".to_owned()),
        ("q0", "0".to_owned()),
        ("q1", "3".to_owned()),
    ]
    .into()
}

/// Hostile replacements for one field of a valid form (percent-encoded).
const HOSTILE: &[&str] = &[
    "%00",
    "a%00b",
    "%01",
    "%1B%5B31m",
    "%7F",
    "%FF%FE",
    "%ED%A0%80",
    "%C0%80",
    "",
    "-1",
    "99999999999999999999",
    "%E2%80%AE",
    "%0D%0ASet-Cookie%3A+x%3Dy",
];

fn urlencoded(fields: &[(&str, String)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// The same fields as multipart parts (values percent-decoded to their raw bytes).
fn multipart(fields: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--fuzzboundary\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n")
                .as_bytes(),
        );
        out.extend(percent_decoded(&v.replace('+', " ")));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--fuzzboundary--\r\n");
    out
}

fn percent_decoded(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) if b[i] == b'%' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    out
}

#[actix_web::test]
async fn malformed_posts_to_every_route_never_get_a_5xx_or_a_panic() {
    let routes = include_str!("../../src/routes.rs");
    assert_eq!(
        routes.matches("web::post()").count(),
        POST_ROUTES.len(),
        "a POST route is missing from the fuzzer's list"
    );
    let db = TestDb::new().await;
    db.two_schools().await;
    let (mut child, port) = serve_binary(
        &db,
        &[("RUST_LOG", "warn"), ("EDUFLOW_SIGNUPS_PER_ADDRESS", "0")],
    )
    .await;
    let mut learner = Browser::new("alpha");
    learner.sign_up(port, "learner@alpha.test").await;
    let mut admin = Browser::new("alpha");
    admin.sign_up(port, "admin@alpha.test").await;
    let admin_cookie = admin.cookie_header();
    operator_sets_role(
        &db,
        (port, &admin.host, &admin_cookie),
        "admin@alpha.test",
        "admin",
    )
    .await;
    let ids = [
        (
            "{slug}",
            "SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1",
        ),
        (
            "{course}",
            "SELECT c.id FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1",
        ),
        (
            "{section}",
            "SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug, s.position LIMIT 1",
        ),
        (
            "{lesson}",
            "SELECT l.id FROM lessons l JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug, s.position, l.position LIMIT 1",
        ),
        (
            "{lesson_slug}",
            "SELECT l.slug FROM lessons l JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug, s.position, l.position LIMIT 1",
        ),
        (
            "{user}",
            "SELECT u.id FROM users u WHERE u.email = 'learner@alpha.test'",
        ),
        ("{token}", "SELECT 'not-a-token'"),
    ];
    // A quiz in the first course (the learner enrolls in it while the routes above are fuzzed)
    // and a certificate to revoke.
    let course_slug = db.text(ids[0].1).await;
    let gift = tempdir("fuzz-gift").join("q.gift");
    std::fs::write(&gift, "Q1 {=a ~b}\n\nQ2 {#3:1}\n\nQ3 {~%50%x ~%50%y ~z}\n").unwrap();
    let out = eduflow_cli(
        &db,
        &db.admin_url,
        &tempdir("fuzz-tenants"),
        &[
            "quiz",
            "import",
            "--school",
            "alpha",
            "--course",
            &course_slug,
            "--title",
            "Fuzz quiz",
            gift.to_str().unwrap(),
        ],
    )
    .await;
    succeeded(&out);
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        "INSERT INTO certificates (tenant_id, user_id, course_id, learner_name, course_title)
         SELECT u.tenant_id, u.id, c.id, u.name, c.title FROM users u JOIN courses c ON c.tenant_id = u.tenant_id
          WHERE u.email = 'learner@alpha.test' AND c.published ORDER BY c.slug LIMIT 1",
    )
    .await
    .unwrap();
    let certificate = db.text("SELECT id FROM certificates").await;
    let mut filled = BTreeMap::new();
    for (k, sql) in ids {
        filled.insert(k, db.text(sql).await);
    }
    filled.insert("{quiz}", "fuzz-quiz".to_owned());
    filled.insert("{endpoint}", uuid::Uuid::new_v4().to_string());
    filled.insert("{delivery}", uuid::Uuid::new_v4().to_string());
    filled.insert("{action}", "rotate".to_owned());
    filled.insert("{item}", uuid::Uuid::new_v4().to_string());
    filled.insert("{tool}", uuid::Uuid::new_v4().to_string());
    filled.insert("{sco}", "sco-1".to_owned());
    filled.insert("{name}", "fuzz-provider".to_owned());
    filled.insert("{certificate}", certificate);
    // Tokens are read from a page each user can see.
    learner.get(port, "/learn").await;
    admin.get(port, "/author").await;
    // A visitor who has read the sign-up form: its token and cookie pass the CSRF checks.
    let mut anonymous = Browser::new("alpha");
    anonymous.get(port, "/signup").await;

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut sent = 0;
    for route in POST_ROUTES {
        let mut path = route.to_string();
        for (k, v) in &filled {
            path = path.replace(k, v);
        }
        for (who, user) in [
            ("anonymous", &anonymous),
            ("learner", &learner),
            ("admin", &admin),
        ] {
            let mut cases = bodies(&mut rng, user.csrf());
            // Valid forms with one field made hostile, so the bad value gets past the checks
            // that come before it.
            for i in 0..24u64 {
                let mut fields = valid_fields(&filled["{user}"], rng.next());
                let at = (rng.next() % fields.len() as u64) as usize;
                fields[at].1 = rng.pick(HOSTILE).to_owned();
                fields.push(("csrf", user.csrf().to_owned()));
                if i % 2 == 0 {
                    cases.push((
                        "application/x-www-form-urlencoded".into(),
                        urlencoded(&fields),
                    ));
                } else {
                    cases.push((
                        "multipart/form-data; boundary=fuzzboundary".into(),
                        multipart(&fields),
                    ));
                }
            }
            for (content_type, body) in cases {
                let mut head = format!(
                    "POST {path} HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\n\
                     Origin: http://alpha.localhost\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
                     Content-Length: {}\r\n",
                    user.cookie_header(),
                    user.csrf(),
                    body.len()
                );
                if !content_type.is_empty() {
                    head.push_str(&format!("Content-Type: {content_type}\r\n"));
                }
                let mut request = format!("{head}\r\n").into_bytes();
                request.extend_from_slice(&body);
                let res = answer(port, request).await;
                sent += 1;
                *statuses.entry(res.status).or_default() += 1;
                if res.status >= 500 || res.status == 0 {
                    failures.push(format!(
                        "{who} {path} [{content_type}] {} bytes → {}: {}",
                        body.len(),
                        res.status,
                        res.body.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
    }
    // Hostile URLs on the GET side.
    for path in [
        "/courses?q=%00",
        "/courses?tag=%00",
        "/courses?category=%FF",
        "/courses?cursor=%00",
        "/courses?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/courses?page=-1",
        "/courses/%00",
        "/courses/%FF%FE",
        "/courses/a%00b/lessons/x",
        "/login?next=%00",
        "/login?next=%0d%0aSet-Cookie:%20x=y",
        "/api/v1/courses?limit=99999999999999999999",
        "/api/v1/courses/%00",
        "/author/courses/%00",
        "/author/courses/not-a-uuid",
        "/img/99999999999/t/x/y/z.png",
        "/img/320/..%2F..%2Fetc%2Fpasswd",
        "/media/t/%00",
        "/hls/%00",
        "/static/..%2F..%2FCargo.toml",
        "/brand.css?%00",
    ] {
        for user in [&anonymous, &admin] {
            let res = crate::harness::request(
                port,
                "GET",
                "alpha.localhost",
                path,
                &[("Cookie", &user.cookie_header())],
            )
            .await;
            sent += 1;
            *statuses.entry(res.status).or_default() += 1;
            if res.status >= 500 || res.status == 0 {
                failures.push(format!("GET {path} → {}", res.status));
            }
        }
    }
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    child.wait().await.unwrap();
    let mut log = String::new();
    tokio::io::AsyncReadExt::read_to_string(child.stderr.as_mut().unwrap(), &mut log)
        .await
        .unwrap();
    println!("fuzzer: {sent} requests, statuses {statuses:?}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(!log.contains("panicked"), "a panic in the log:\n{log}");
    assert!(sent > 1500, "{sent}");
}
