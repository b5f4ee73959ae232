//! Mail through a real SMTP server (aiosmtpd): verification, password reset, the enrollment
//! notice, and the outbox's promises — delivered after commit, retried, never sent twice by two
//! instances, nothing lost when no sender was running.

use std::time::Duration;

use diesel_async::SimpleAsyncConnection;

use crate::harness::{Browser, SmtpSink, TestApp, TestDb, eventually, link_in, settings};

const PASSWORD: &str = "correct horse battery";

async fn app_with(db: &TestDb, sink: &SmtpSink) -> TestApp {
    let mut s = settings(db);
    s.mail.transport = sink.transport();
    TestApp::spawn(s).await
}

/// The path of a mailed link, after checking it is absolute and on `origin`.
fn path_of(url: &str, origin: &str) -> String {
    url.strip_prefix(origin)
        .unwrap_or_else(|| panic!("{url} is not on {origin}"))
        .to_owned()
}

/// Queues `n` mails of `kind` at `school` the way any other writer could (plain SQL as a
/// superuser); `recipient` is an SQL expression over the series' `n`.
async fn queue(db: &TestDb, school: &str, kind: &str, recipient: &str, n: u32) {
    db.superuser()
        .await
        .batch_execute(&format!(
            "INSERT INTO outbox (tenant_id, kind, recipient, subject, text_body, html_body)
             SELECT t.id, '{kind}', {recipient}, 'Hello ' || n, 'Hello', '<p>Hello</p>'
               FROM tenants t, generate_series(1, {n}) n WHERE t.slug = '{school}'"
        ))
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_password_reset_is_mailed_works_once_and_ends_every_session() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    // alpha's own host is its custom domain: every mailed link points there.
    let origin = format!("http://learn.alpha.test:{port}");

    let email = "ada@example.org";
    let mut first = Browser::new("alpha");
    first.sign_up(port, email).await;
    let mut second = Browser::new("alpha");
    second.get(port, "/login").await;
    let res = second
        .post(port, "/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(second.get(port, "/account").await.status, 200);

    // The answer is the same whether or not the address has an account.
    let mut visitor = Browser::new("alpha");
    assert_eq!(visitor.get(port, "/password/forgot").await.status, 200);
    let known = visitor
        .post(port, "/password/forgot", &[("email", email)])
        .await;
    let unknown = visitor
        .post(port, "/password/forgot", &[("email", "nobody@example.org")])
        .await;
    assert_eq!((known.status, unknown.status), (200, 200));
    let strip = |body: &str, email: &str| {
        body.replace(email, "EMAIL")
            .split("name=\"csrf\"")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        strip(&known.body, email),
        strip(&unknown.body, "nobody@example.org")
    );
    assert!(known.body.contains("id=\"reset-sent\""));
    let bad = visitor
        .post(port, "/password/forgot", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, 422);

    // Sign-up mailed a verification link; the form, a reset link.
    let mails = sink.wait_for(email, 2).await;
    let reset = mails
        .iter()
        .find(|m| {
            m["headers"]["subject"]
                .as_str()
                .unwrap()
                .starts_with("Reset")
        })
        .expect("a reset mail");
    assert!(
        reset["headers"]["from"]
            .as_str()
            .unwrap()
            .contains("no-reply@localhost")
    );
    assert!(
        reset["html"]
            .as_str()
            .unwrap()
            .replace("&#x2F;", "/")
            .contains(&origin)
    );
    let link = path_of(&link_in(reset, "/password/reset/"), &origin);
    let token = link.rsplit('/').next().unwrap().to_owned();
    assert!(sink.to("nobody@example.org").is_empty());
    // Only the token's hash is stored, and no table holds the token itself.
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM account_tokens WHERE token_hash = sha256('{token}'::bytea)"
        ))
        .await,
        1
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM account_tokens t WHERE t::text LIKE '%{token}%'"
        ))
        .await,
        0
    );
    // The mailed body is not kept once sent.
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM outbox o WHERE o::text LIKE '%{token}%'"
        ))
        .await,
        0
    );

    // Another school's host knows nothing of the link.
    let mut elsewhere = Browser::new("beta");
    assert_eq!(elsewhere.get(port, &link).await.status, 410);

    let mut visitor = Browser::new("alpha");
    let form = visitor.get(port, &link).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"password\""));
    let weak = visitor.post(port, &link, &[("password", "short")]).await;
    assert_eq!(weak.status, 422);
    let done = visitor
        .post(port, &link, &[("password", "a brand new passphrase")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some("/login?reset=1"));

    // Both earlier sessions are over; the link is used up.
    for browser in [&mut first, &mut second] {
        let res = browser.get(port, "/account").await;
        assert_eq!(res.status, 303, "still signed in");
    }
    assert_eq!(visitor.get(port, &link).await.status, 410);
    let again = visitor
        .post(port, &link, &[("password", "another new passphrase")])
        .await;
    assert_eq!(again.status, 410);

    let mut login = Browser::new("alpha");
    login.get(port, "/login?reset=1").await;
    let old = login
        .post(port, "/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(old.status, 401);
    let new = login
        .post(
            port,
            "/login",
            &[("email", email), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(new.status, 303);
    // Reaching the mailbox proved the address.
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'ada@example.org' AND email_verified_at IS NOT NULL")
            .await,
        1
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_reset_link_expires_after_thirty_minutes() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let mut learner = Browser::new("alpha");
    learner.sign_up(port, "late@example.org").await;
    let mut visitor = Browser::new("alpha");
    visitor.get(port, "/password/forgot").await;
    visitor
        .post(port, "/password/forgot", &[("email", "late@example.org")])
        .await;
    let mails = sink.wait_for("late@example.org", 2).await;
    let link = link_in(
        mails
            .iter()
            .find(|m| m["text"].as_str().unwrap().contains("/password/reset/"))
            .unwrap(),
        "/password/reset/",
    );
    let link = path_of(&link, &format!("http://learn.alpha.test:{port}"));
    assert_eq!(
        db.count(
            "SELECT count(*) FROM account_tokens WHERE purpose = 'reset' \
             AND expires_at BETWEEN now() + interval '29 minutes' AND now() + interval '30 minutes'"
        )
        .await,
        1
    );
    db.superuser()
        .await
        .batch_execute(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset'",
        )
        .await
        .unwrap();
    assert_eq!(visitor.get(port, &link).await.status, 410);
    app.stop().await;
}

#[actix_web::test]
async fn a_school_can_require_a_verified_address_before_enrolling() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    db.superuser()
        .await
        .batch_execute(
            "UPDATE tenants SET require_verified_email = true, mail_sender_name = 'Alpha Academy', \
             mail_reply_to = 'help@alpha.test' WHERE slug = 'alpha'",
        )
        .await
        .unwrap();
    // Plain SQL reaches the instance through the tenants trigger.
    let directory = app.state.directory.clone();
    eventually(Duration::from_secs(5), || {
        let d = directory.clone();
        async move {
            d.all()
                .iter()
                .any(|t| t.slug == "alpha" && t.accounts.require_verified_email)
        }
    })
    .await
    .expect("the setting reached the instance");
    let course = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1")
        .await;
    let email = "grace@example.org";
    let mut learner = Browser::new("alpha");
    learner.sign_up(port, email).await;
    learner.get(port, &format!("/courses/{course}")).await;
    let refused = learner
        .post(port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Confirm your email address"));

    let account = learner.get(port, "/account").await;
    assert!(account.body.contains("id=\"unverified\""));
    // Sign-up sent a link a moment ago: asking again at once is throttled.
    let resend = learner.post(port, "/account/verify", &[]).await;
    assert_eq!(resend.status, 429);

    let mails = sink.wait_for(email, 1).await;
    let verify = &mails[0];
    assert_eq!(
        verify["headers"]["subject"],
        "Confirm your email address for School alpha"
    );
    let from = verify["headers"]["from"].as_str().unwrap();
    assert!(from.contains("Alpha Academy"), "{from}");
    assert_eq!(verify["headers"]["reply-to"], "help@alpha.test");
    let link = path_of(
        &link_in(verify, "/account/verify/"),
        &format!("http://learn.alpha.test:{port}"),
    );
    let confirmed = learner.get(port, &link).await;
    assert_eq!(confirmed.status, 200);
    assert_eq!(learner.get(port, &link).await.status, 410);
    assert!(
        learner
            .get(port, "/account")
            .await
            .body
            .contains("id=\"verified\"")
    );
    learner.get(port, &format!("/courses/{course}")).await;
    let enrolled = learner
        .post(port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(enrolled.status, 303, "{}", enrolled.body);
    let mails = sink.wait_for(email, 2).await;
    let notice = &mails[1];
    assert!(
        notice["headers"]["subject"]
            .as_str()
            .unwrap()
            .starts_with("You are enrolled in")
    );
    assert!(
        link_in(notice, &format!("/courses/{course}"))
            .starts_with(&format!("http://learn.alpha.test:{port}/"))
    );
    // Enrolling again changes nothing and mails nothing.
    learner
        .post(port, &format!("/courses/{course}/enroll"), &[])
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.to(email).len(), 2);
    app.stop().await;
}

/// 200 mails written by plain SQL (an operator, or another writer) while two instances run:
/// each is delivered exactly once.
#[actix_web::test]
async fn two_instances_deliver_each_mail_exactly_once() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let a = app_with(&db, &sink).await;
    let b = app_with(&db, &sink).await;
    queue(
        &db,
        "alpha",
        "announcement",
        "'learner' || n || '@example.org'",
        200,
    )
    .await;
    eventually(Duration::from_secs(20), || async {
        sink.messages().len() >= 200
    })
    .await
    .expect("all 200 delivered");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 200);
    let mut recipients: Vec<String> = messages
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 200);
    assert_eq!(
        db.count("SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1")
            .await,
        200
    );
    // Both took part (each claims a batch under SKIP LOCKED).
    let sent = |m: String| {
        m.lines()
            .filter(|l| l.starts_with("eduflow_mail_sent_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let (by_a, by_b) = (sent(a.metrics().await), sent(b.metrics().await));
    assert_eq!(by_a + by_b, 200.0);
    a.stop().await;
    b.stop().await;
}

#[actix_web::test]
async fn mail_waits_out_a_refusing_server_and_a_dead_sender_and_bounces_are_given_up() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    // Committed while no sender runs at all (a crash right after commit): nothing is lost.
    queue(&db, "beta", "enrollment", "'waiting@example.org'", 1).await;
    // A sender that died holding a claim: its lease runs out and another delivers.
    queue(&db, "beta", "enrollment", "'claimed@example.org'", 1).await;
    db.superuser()
        .await
        .batch_execute(
            "UPDATE outbox SET attempts = 1, claimed_until = now() + interval '1 second' \
             WHERE recipient = 'claimed@example.org'",
        )
        .await
        .unwrap();
    sink.refuse(true);
    let app = app_with(&db, &sink).await;
    eventually(Duration::from_secs(10), || async {
        db.count("SELECT count(*) FROM outbox WHERE attempts >= 3 AND last_error LIKE '%451%'")
            .await
            == 2
    })
    .await
    .expect("retried while the server refused");
    assert!(sink.messages().is_empty());
    // The queue's age shows on the sweep after.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let age: f64 = app
        .metrics()
        .await
        .lines()
        .find_map(|l| l.strip_prefix("eduflow_mail_queue_age_seconds "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(age > 0.3, "{age}");
    sink.refuse(false);
    sink.wait_for("waiting@example.org", 1).await;
    sink.wait_for("claimed@example.org", 1).await;
    let metrics = app.metrics().await;
    assert!(metrics.contains("eduflow_mail_retries_total"));
    assert!(!metrics.contains("eduflow_mail_retries_total 0\n"));

    queue(&db, "beta", "enrollment", "'bounce@example.org'", 1).await;
    eventually(Duration::from_secs(10), || async {
        db.count("SELECT count(*) FROM outbox WHERE status = 'failed' AND recipient = 'bounce@example.org' AND attempts = 1")
            .await
            == 1
    })
    .await
    .expect("a permanent refusal is not retried");
    assert!(
        app.metrics()
            .await
            .contains("eduflow_mail_failed_total{kind=\"enrollment\"} 1")
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_new_address_takes_effect_only_once_it_is_confirmed() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let mut me = Browser::new("alpha");
    me.sign_up(port, "old@example.org").await;
    let mut other = Browser::new("alpha");
    other.sign_up(port, "taken@example.org").await;
    me.get(port, "/account").await;
    let wrong = me
        .post(
            port,
            "/account/email",
            &[("email", "new@example.org"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    let taken = me
        .post(
            port,
            "/account/email",
            &[("email", "taken@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status, 409);
    let asked = me
        .post(
            port,
            "/account/email",
            &[("email", "New@Example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(asked.status, 303);
    // Nothing changes until the new address confirms.
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'old@example.org'")
            .await,
        1
    );
    let mail = &sink.wait_for("new@example.org", 1).await[0];
    assert!(
        sink.to("old@example.org")
            .iter()
            .all(|m| !m["text"].as_str().unwrap().contains("/account/email/"))
    );
    let link = path_of(
        &link_in(mail, "/account/email/"),
        &format!("http://learn.alpha.test:{port}"),
    );
    assert_eq!(Browser::new("beta").get(port, &link).await.status, 410);
    let done = Browser::new("alpha").get(port, &link).await;
    assert_eq!(done.status, 200);
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE email = 'new@example.org' AND email_verified_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(Browser::new("alpha").get(port, &link).await.status, 410);
    // The session stays; the next page shows the new address.
    assert!(
        me.get(port, "/account")
            .await
            .body
            .contains("new@example.org")
    );
    app.stop().await;
}

/// A school's announcement to a thousand does not hold up another school's password reset, nor
/// its own.
#[actix_web::test]
async fn mail_a_person_waits_for_does_not_queue_behind_an_announcement() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    queue(
        &db,
        "alpha",
        "announcement",
        "'crowd' || n || '@example.org'",
        1000,
    )
    .await;
    for school in ["alpha", "beta"] {
        queue(
            &db,
            school,
            "reset",
            &format!("'{school}-reset@example.org'"),
            1,
        )
        .await;
    }
    eventually(Duration::from_secs(60), || async {
        sink.messages().len() >= 1002
    })
    .await
    .expect("everything delivered");
    let order: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    let at = |to: &str| order.iter().position(|r| r == to).unwrap();
    let (beta, alpha) = (at("beta-reset@example.org"), at("alpha-reset@example.org"));
    assert!(beta < 200, "beta's reset was mail number {beta} of 1002");
    assert!(alpha < 200, "alpha's reset was mail number {alpha} of 1002");
    app.stop().await;
}

/// `smtp://…?tls=starttls` and `smtps://…`, with the user and password from the URL, against
/// servers that require TLS and that login; a wrong password is refused for good.
#[actix_web::test]
async fn mail_goes_over_starttls_and_smtps_with_the_urls_credentials() {
    use eduflow::mail::transport::Transport;
    let db = TestDb::new().await;
    db.two_schools().await;
    for (mode, scheme, query) in [
        ("starttls", "smtp", "?tls=starttls"),
        ("implicit", "smtps", ""),
    ] {
        let sink = SmtpSink::start_with(&["--tls", mode, "--auth", "ada:s3cr@t"]);
        let url =
            |password: &str| format!("{scheme}://ada:{password}@localhost:{}{query}", sink.port);
        for (password, to) in [("s3cr%40t", "right"), ("wrong", "wrong")] {
            let mut s = settings(&db);
            s.mail.transport = Transport::smtp(&url(password), Some(sink.ca())).unwrap();
            let app = TestApp::spawn(s).await;
            let to = format!("{mode}-{to}@example.org");
            queue(&db, "alpha", "enrollment", &format!("'{to}'"), 1).await;
            let done = eventually(Duration::from_secs(10), || async {
                db.count(&format!(
                    "SELECT count(*) FROM outbox WHERE recipient = '{to}' AND status <> 'pending'"
                ))
                .await
                    == 1
            })
            .await;
            assert!(done.is_some(), "{mode} {password}: still pending");
            let status = db
                .text(&format!(
                    "SELECT status FROM outbox WHERE recipient = '{to}'"
                ))
                .await;
            if password == "wrong" {
                assert_eq!(status, "failed", "{mode}");
                assert!(sink.to(&to).is_empty());
            } else {
                assert_eq!(status, "sent", "{mode}");
                assert_eq!(sink.to(&to).len(), 1);
            }
            app.stop().await;
        }
        // Without the server's certificate, TLS does not verify: nothing is sent.
        let mut s = settings(&db);
        s.mail.transport = Transport::smtp(&url("s3cr%40t"), None).unwrap();
        let app = TestApp::spawn(s).await;
        let to = format!("{mode}-untrusted@example.org");
        queue(&db, "alpha", "enrollment", &format!("'{to}'"), 1).await;
        eventually(Duration::from_secs(10), || async {
            db.count(&format!(
                "SELECT count(*) FROM outbox WHERE recipient = '{to}' AND attempts >= 2"
            ))
            .await
                == 1
        })
        .await
        .expect("retried");
        assert!(sink.to(&to).is_empty());
        app.stop().await;
    }
}
