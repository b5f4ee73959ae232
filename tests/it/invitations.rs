//! Invitations from `/admin/members`: one, or a thousand from a CSV, each mailed with a link that
//! creates the account with its role and enrollments.

use std::time::{Duration, Instant};

use crate::harness::{Browser, SmtpSink, TestApp, TestDb, eventually, link_in, settings};

async fn app_with(db: &TestDb, sink: &SmtpSink) -> TestApp {
    let mut s = settings(db);
    s.mail.transport = sink.transport();
    TestApp::spawn(s).await
}

async fn alpha_courses(db: &TestDb) -> Vec<String> {
    db.text(
        "SELECT string_agg(c.slug, ' ' ORDER BY c.slug) FROM courses c JOIN tenants t ON t.id = c.tenant_id \
         WHERE t.slug = 'alpha' AND c.published",
    )
    .await
    .split(' ')
    .map(str::to_owned)
    .collect()
}

#[actix_web::test]
async fn an_invitation_creates_the_account_with_its_role_and_courses_once() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let courses = alpha_courses(&db).await;
    let mut admin = Browser::member(port, &db, "alpha", "admin@alpha.test", "admin").await;
    admin.get(port, "/admin/members").await;
    let wanted = format!("{} {}", courses[0], courses[1]);
    let sent = admin
        .post(
            port,
            "/admin/invitations",
            &[
                ("email", "Newcomer@Example.org"),
                ("name", "Nia Newcomer"),
                ("role", "instructor"),
                ("courses", &wanted),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("1 invitation sent"));
    // A learner cannot invite.
    let mut learner = Browser::new("alpha");
    learner.sign_up(port, "learner@example.org").await;
    let refused = learner
        .post(
            port,
            "/admin/invitations",
            &[("email", "x@example.org"), ("name", "X")],
        )
        .await;
    assert_eq!(refused.status, 403);

    let mail = &sink.wait_for("newcomer@example.org", 1).await[0];
    assert_eq!(
        mail["headers"]["subject"],
        "You are invited to School alpha"
    );
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("as instructor"), "{text}");
    let origin = format!("http://learn.alpha.test:{port}");
    let link = link_in(mail, "/invitations/");
    let path = link.strip_prefix(&origin).expect("on alpha's own host");

    // The link means nothing at another school.
    assert_eq!(Browser::new("beta").get(port, path).await.status, 410);

    let mut invitee = Browser::new("alpha");
    let form = invitee.get(port, path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Nia Newcomer"));
    let weak = invitee
        .post(port, path, &[("name", "Nia"), ("password", "short")])
        .await;
    assert_eq!(weak.status, 422);
    let created = invitee
        .post(
            port,
            path,
            &[("name", "Nia N."), ("password", "a long enough passphrase")],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.header("location"), Some("/learn"));
    let learn = invitee.get(port, "/learn").await;
    assert_eq!(learn.status, 200);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM users WHERE email = 'newcomer@example.org' AND role = 'instructor' \
             AND name = 'Nia N.' AND email_verified_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id \
             WHERE u.email = 'newcomer@example.org' AND c.slug IN ('{}', '{}')",
            courses[0], courses[1]
        ))
        .await,
        2
    );
    // Used up.
    let mut late = Browser::new("alpha");
    assert_eq!(late.get(port, path).await.status, 410);

    // Inviting someone who has an account is refused, and says why.
    let again = admin
        .post(
            port,
            "/admin/invitations",
            &[("email", "newcomer@example.org"), ("name", "Nia")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("already has an account"));
    app.stop().await;
}

#[actix_web::test]
async fn a_thousand_row_csv_applies_its_valid_rows_and_reports_the_rest_by_line() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let courses = alpha_courses(&db).await;
    let mut admin = Browser::member(port, &db, "alpha", "admin@alpha.test", "admin").await;
    Browser::member(port, &db, "alpha", "taken@example.org", "learner").await;
    admin.get(port, "/admin/members").await;

    let mut csv = String::from("email,name,role,courses\n");
    let mut bad = Vec::new();
    for n in 1..=1000u64 {
        let line = n + 1;
        let row = match n {
            100 => {
                bad.push(line);
                "not-an-email,Bad Address,learner,\n".to_owned()
            }
            200 => {
                bad.push(line);
                format!(
                    "person{n}@example.org,Unknown Course,learner,{} no-such-course\n",
                    courses[0]
                )
            }
            300 => {
                bad.push(line);
                "taken@example.org,Has An Account,learner,\n".to_owned()
            }
            400 => {
                bad.push(line);
                format!("person{n}@example.org,Bad Role,teacher,\n")
            }
            _ => format!(
                "person{n}@example.org,Person {n},{},{}\n",
                if n % 50 == 0 { "instructor" } else { "learner" },
                courses[(n as usize) % courses.len()]
            ),
        };
        csv.push_str(&row);
    }
    let start = Instant::now();
    let report = admin
        .upload_files(
            port,
            "/admin/invitations/csv",
            &[],
            &[("file", "people.csv", "text/csv", csv.as_bytes())],
        )
        .await;
    let took = start.elapsed();
    println!("CSV import of 1,000 rows: {took:?}");
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(
        report.body.contains("996 invitations sent"),
        "{}",
        report.body
    );
    let lines: Vec<u64> = report
        .body
        .split("<tr><td>")
        .skip(1)
        .map(|r| r.split('<').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, bad);
    assert!(report.body.contains("no course `no-such-course`"));
    assert!(
        report
            .body
            .contains("taken@example.org already has an account")
    );

    // Every valid row has its token and its mail; no refused row has either.
    assert_eq!(
        db.count("SELECT count(*) FROM account_tokens WHERE purpose = 'invite'")
            .await,
        996
    );
    assert_eq!(
        db.count("SELECT count(*) FROM outbox WHERE kind = 'invite'")
            .await,
        996
    );
    assert_eq!(
        db.count("SELECT count(*) FROM account_tokens WHERE email IN ('person200@example.org', 'person400@example.org')")
            .await,
        0
    );
    eventually(Duration::from_secs(60), || async {
        sink.messages()
            .iter()
            .filter(|m| m["headers"]["subject"] == "You are invited to School alpha")
            .count()
            == 996
    })
    .await
    .expect("every invitation delivered");

    // A file that is not a CSV of people is refused as a whole, nothing applied.
    let junk = admin
        .upload_files(
            port,
            "/admin/invitations/csv",
            &[],
            &[("file", "x.csv", "text/csv", b"\xff\xfe\x00garbage")],
        )
        .await;
    assert_eq!(junk.status, 422);
    assert!(junk.body.contains("0 invitations sent"));
    let empty = admin
        .upload_files(port, "/admin/invitations/csv", &[], &[])
        .await;
    assert_eq!(empty.status, 422);
    assert_eq!(
        db.count("SELECT count(*) FROM account_tokens WHERE purpose = 'invite'")
            .await,
        996
    );
    app.stop().await;
}
