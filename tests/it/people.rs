//! Running a school's learners without an operator: the admins' learner list, suspension and
//! removal, each course's roster (and CSV), the enrollment cap and closing date from the course
//! editor, announcements with their unsubscribe links, and a person's data export and erasure.

use std::time::Duration;

use diesel_async::SimpleAsyncConnection;

use crate::harness::{Browser, SmtpSink, TestApp, TestDb, eventually, link_in, settings};

async fn app_with(db: &TestDb, sink: &SmtpSink) -> TestApp {
    let mut s = settings(db);
    s.mail.transport = sink.transport();
    TestApp::spawn(s).await
}

/// Test settings where one address may sign up any number of accounts.
fn many_signups(db: &TestDb) -> eduflow::startup::Settings {
    let mut s = settings(db);
    s.signups_per_address = 0;
    s
}

async fn course_of(db: &TestDb, school: &str) -> (String, String) {
    let row = db
        .text(&format!(
            "SELECT c.id::text || ' ' || c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id \
             WHERE t.slug = '{school}' AND c.published ORDER BY c.slug LIMIT 1"
        ))
        .await;
    let (id, slug) = row.split_once(' ').unwrap();
    (id.to_owned(), slug.to_owned())
}

async fn user_id(db: &TestDb, email: &str) -> String {
    db.text(&format!("SELECT id FROM users WHERE email = '{email}'"))
        .await
}

/// The course editor's form as stored, with some fields changed.
async fn save_course(
    admin: &mut Browser,
    port: u16,
    db: &TestDb,
    course: &str,
    changes: &[(&str, &str)],
) -> crate::harness::Response {
    let row = db
        .text(&format!(
            "SELECT json_build_object('title', title, 'slug', slug, 'summary', summary, 'description', description, \
             'category', category, 'tags', array_to_string(tags, ', '), 'level', level, \
             'duration_minutes', duration_minutes::text) FROM courses WHERE id = '{course}'"
        ))
        .await;
    let stored: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&row).unwrap();
    let mut fields: Vec<(String, String)> = stored
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
        .collect();
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push(((*k).to_owned(), (*v).to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    admin.get(port, &format!("/author/courses/{course}")).await;
    admin
        .upload(port, &format!("/author/courses/{course}"), &fields)
        .await
}

#[actix_web::test]
async fn thirty_learners_racing_for_three_seats_get_exactly_three() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let app = TestApp::spawn(many_signups(&db)).await;
    let port = app.port;
    let (course, slug) = course_of(&db, "alpha").await;
    let mut admin = Browser::member(port, &db, "alpha", "admin@alpha.test", "admin").await;
    let bad = save_course(
        &mut admin,
        port,
        &db,
        &course,
        &[("enrollment_cap", "zero")],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("enrollment_cap-error"));
    let saved = save_course(&mut admin, port, &db, &course, &[("enrollment_cap", "3")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM courses WHERE id = '{course}' AND enrollment_cap = 3"
        ))
        .await,
        1
    );
    assert!(
        admin
            .get(port, &format!("/author/courses/{course}"))
            .await
            .body
            .contains("name=\"enrollment_cap\" value=\"3\"")
    );

    let mut learners = Vec::new();
    for n in 0..30 {
        let mut b = Browser::new("alpha");
        b.sign_up(port, &format!("racer{n}@example.org")).await;
        b.get(port, &format!("/courses/{slug}")).await;
        learners.push(b);
    }
    let path = format!("/courses/{slug}/enroll");
    let results = futures_util::future::join_all(learners.iter_mut().map(|b| {
        let path = path.clone();
        async move { b.post(port, &path, &[]).await.status }
    }))
    .await;
    assert_eq!(
        results.iter().filter(|s| **s == 303).count(),
        3,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|s| **s == 409).count(),
        27,
        "{results:?}"
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments WHERE course_id = '{course}'"
        ))
        .await,
        3
    );

    // The closing date, set in the editor, closes enrollment.
    let saved = save_course(
        &mut admin,
        port,
        &db,
        &course,
        &[
            ("enrollment_cap", ""),
            ("enrollment_ends_at", "2001-01-01T00:00"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303);
    let late = learners[29].post(port, &path, &[]).await;
    assert_eq!(late.status, 409);
    assert!(late.body.contains("closed"));
    let bad = save_course(
        &mut admin,
        port,
        &db,
        &course,
        &[("enrollment_ends_at", "someday")],
    )
    .await;
    assert_eq!(bad.status, 422);
    app.stop().await;
}

#[actix_web::test]
async fn admins_find_suspend_and_unenroll_learners_and_instructors_see_their_roster() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let app = TestApp::spawn(many_signups(&db)).await;
    let port = app.port;
    let (course, slug) = course_of(&db, "alpha").await;
    let mut admin = Browser::member(port, &db, "alpha", "admin@alpha.test", "admin").await;
    let mut learners = Vec::new();
    for n in 0..60 {
        let mut b = Browser::new("alpha");
        b.sign_up(port, &format!("pupil{n:02}@example.org")).await;
        learners.push(b);
    }
    // Keyset pages of 50, newest first, every account exactly once.
    let first = admin.get(port, "/admin/learners").await;
    assert_eq!(first.status, 200);
    let next = first
        .body
        .split("id=\"next\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let second = admin.get(port, &next).await;
    let emails = |body: &str| -> Vec<String> {
        body.split("<td>")
            .filter(|c| c.contains("@") && !c.contains("<a"))
            .map(|c| c.split('<').next().unwrap().to_owned())
            .collect()
    };
    let (a, b) = (emails(&first.body), emails(&second.body));
    assert_eq!(a.len(), 50);
    assert_eq!(b.len(), 11, "60 learners and the admin");
    let mut all: Vec<String> = a.into_iter().chain(b).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 61);
    assert!(!second.body.contains("id=\"next\""));
    // Search by part of the email or name; beta's accounts never appear.
    Browser::member(port, &db, "beta", "pupil77@example.org", "learner").await;
    let found = admin.get(port, "/admin/learners?q=PUPIL0").await;
    assert_eq!(emails(&found.body).len(), 10);
    let none = admin.get(port, "/admin/learners?q=pupil77").await;
    assert_eq!(emails(&none.body).len(), 0);
    assert_eq!(
        admin.get(port, "/admin/learners?after=junk").await.status,
        400
    );
    assert_eq!(
        admin.get(port, "/admin/learners?q=100%25_").await.status,
        200
    );
    // Learners and instructors may not see the list.
    assert_eq!(learners[0].get(port, "/admin/learners").await.status, 403);

    // A learner's page shows their progress per course.
    let pupil = &mut learners[0];
    pupil.get(port, &format!("/courses/{slug}")).await;
    assert_eq!(
        pupil
            .post(port, &format!("/courses/{slug}/enroll"), &[])
            .await
            .status,
        303
    );
    let lesson = db
        .text(&format!(
            "SELECT l.slug FROM lessons l JOIN sections s ON s.id = l.section_id WHERE s.course_id = '{course}' \
             ORDER BY s.position, l.position LIMIT 1"
        ))
        .await;
    pupil
        .get(port, &format!("/courses/{slug}/lessons/{lesson}"))
        .await;
    assert_eq!(
        pupil
            .post(
                port,
                &format!("/courses/{slug}/lessons/{lesson}/complete"),
                &[]
            )
            .await
            .status,
        303
    );
    let total = db
        .count(&format!(
            "SELECT count(*) FROM lessons l JOIN sections s ON s.id = l.section_id WHERE s.course_id = '{course}'"
        ))
        .await;
    let id = user_id(&db, "pupil00@example.org").await;
    let page = admin.get(port, &format!("/admin/learners/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("1 of {total} lessons")),
        "{}",
        page.body
    );
    // Another school's admin cannot see them, whatever the id.
    let mut beta_admin = Browser::member(port, &db, "beta", "admin@beta.test", "admin").await;
    assert_eq!(
        beta_admin
            .get(port, &format!("/admin/learners/{id}"))
            .await
            .status,
        404
    );

    // The course's roster and CSV, for the school's staff only.
    let roster = admin
        .get(port, &format!("/author/courses/{course}/learners"))
        .await;
    assert_eq!(roster.status, 200);
    assert!(roster.body.contains("pupil00@example.org"));
    let csv = admin
        .get(port, &format!("/author/courses/{course}/learners.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let mut rows = csv.body.lines();
    assert_eq!(
        rows.next(),
        Some("name,email,enrolled_at,completed_lessons,total_lessons,percent,last_activity")
    );
    let row: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(&row[..2], ["Ada Lovelace", "pupil00@example.org"]);
    assert_eq!((row[3], row[4]), ("1", total.to_string().as_str()));
    assert_eq!(
        beta_admin
            .get(port, &format!("/author/courses/{course}/learners.csv"))
            .await
            .status,
        404
    );
    assert_eq!(
        learners[1]
            .get(port, &format!("/author/courses/{course}/learners"))
            .await
            .status,
        403
    );

    // Removal from the course; then suspension ends their sessions and refuses their login.
    let remove = admin
        .post(
            port,
            &format!("/admin/learners/{id}/courses/{course}/remove"),
            &[],
        )
        .await;
    assert_eq!(remove.status, 303);
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments WHERE user_id = '{id}'"
        ))
        .await,
        0
    );
    let suspend = admin
        .post(
            port,
            &format!("/admin/learners/{id}/suspend"),
            &[("suspend", "1")],
        )
        .await;
    assert_eq!(suspend.status, 303);
    assert_eq!(learners[0].get(port, "/account").await.status, 303);
    let mut again = Browser::new("alpha");
    again.get(port, "/login").await;
    let refused = again
        .post(
            port,
            "/login",
            &[
                ("email", "pupil00@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("suspended"));
    let reinstate = admin
        .post(
            port,
            &format!("/admin/learners/{id}/suspend"),
            &[("suspend", "0")],
        )
        .await;
    assert_eq!(reinstate.status, 303);
    let back = again
        .post(
            port,
            "/login",
            &[
                ("email", "pupil00@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(back.status, 303);
    // Beta's admin cannot suspend alpha's learner.
    let admin_id = user_id(&db, "admin@alpha.test").await;
    let foreign = beta_admin
        .post(
            port,
            &format!("/admin/learners/{id}/suspend"),
            &[("suspend", "1")],
        )
        .await;
    assert_eq!(foreign.status, 404);
    let myself = admin
        .post(
            port,
            &format!("/admin/learners/{admin_id}/suspend"),
            &[("suspend", "1")],
        )
        .await;
    assert_eq!(myself.status, 409);
    app.stop().await;
}

#[actix_web::test]
async fn announcements_reach_enrolled_learners_and_unsubscribing_needs_no_login() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let (course, slug) = course_of(&db, "alpha").await;
    let mut instructor = Browser::member(port, &db, "alpha", "teacher@alpha.test", "admin").await;
    for n in 0..5 {
        let mut b = Browser::new("alpha");
        b.sign_up(port, &format!("listener{n}@example.org")).await;
        b.get(port, &format!("/courses/{slug}")).await;
        assert_eq!(
            b.post(port, &format!("/courses/{slug}/enroll"), &[])
                .await
                .status,
            303
        );
    }
    let mut outsider = Browser::new("alpha");
    outsider.sign_up(port, "outsider@example.org").await;
    instructor
        .get(port, &format!("/author/courses/{course}"))
        .await;
    let sent = instructor
        .post(
            port,
            &format!("/author/courses/{course}/announcements"),
            &[
                ("subject", "Week 2"),
                ("body", "Read **chapter 2** before Monday."),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(sent.header("location").unwrap().ends_with("announced=5"));
    let mut first = None;
    for n in 0..5 {
        let to = format!("listener{n}@example.org");
        let mails = sink.wait_for(&to, 3).await;
        let note = mails
            .iter()
            .find(|m| {
                m["headers"]["subject"]
                    .as_str()
                    .unwrap()
                    .ends_with("Week 2")
            })
            .expect("the announcement");
        assert!(
            note["html"]
                .as_str()
                .unwrap()
                .contains("<strong>chapter 2</strong>")
        );
        let header = note["headers"]["list-unsubscribe"].as_str().unwrap();
        assert!(header.starts_with(&format!("<http://learn.alpha.test:{port}/unsubscribe/")));
        assert_eq!(
            note["headers"]["list-unsubscribe-post"],
            "List-Unsubscribe=One-Click"
        );
        if n == 0 {
            first = Some(note.clone());
        }
    }
    assert!(sink.to("outsider@example.org").iter().all(|m| {
        !m["headers"]["subject"]
            .as_str()
            .unwrap()
            .ends_with("Week 2")
    }));

    // The link works without a session: a page on GET, the change on POST (one-click too).
    let link = link_in(first.as_ref().unwrap(), "/unsubscribe/");
    let path = link
        .strip_prefix(&format!("http://learn.alpha.test:{port}"))
        .unwrap()
        .to_owned();
    let page = crate::harness::request(port, "GET", "alpha.localhost", &path, &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        db.count("SELECT count(*) FROM enrollments WHERE announcements = false")
            .await,
        0
    );
    let tampered = format!("{}x", path);
    let forged = crate::harness::post_form(port, "alpha.localhost", &tampered, &[], &[]).await;
    assert_eq!(forged.status, 404);
    let elsewhere = crate::harness::post_form(port, "beta.localhost", &path, &[], &[]).await;
    assert_eq!(elsewhere.status, 404);
    let done = crate::harness::post_form(
        port,
        "alpha.localhost",
        &path,
        &[("List-Unsubscribe", "One-Click")],
        &[],
    )
    .await;
    assert_eq!(done.status, 200);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id \
                  WHERE u.email = 'listener0@example.org' AND NOT e.announcements"
        )
        .await,
        1
    );
    let again = instructor
        .post(
            port,
            &format!("/author/courses/{course}/announcements"),
            &[("subject", "Week 3"), ("body", "More.")],
        )
        .await;
    assert!(again.header("location").unwrap().ends_with("announced=4"));
    eventually(Duration::from_secs(10), || async {
        (1..5).all(|n| {
            sink.to(&format!("listener{n}@example.org"))
                .iter()
                .any(|m| {
                    m["headers"]["subject"]
                        .as_str()
                        .unwrap()
                        .ends_with("Week 3")
                })
        })
    })
    .await
    .expect("week 3 delivered");
    assert!(sink.to("listener0@example.org").iter().all(|m| {
        !m["headers"]["subject"]
            .as_str()
            .unwrap()
            .ends_with("Week 3")
    }));
    let empty = instructor
        .post(
            port,
            &format!("/author/courses/{course}/announcements"),
            &[("subject", ""), ("body", "x")],
        )
        .await;
    assert_eq!(empty.status, 422);
    app.stop().await;
}

/// Every table, as the superuser: rows whose text mentions `needle` (case-insensitive).
async fn mentions(db: &TestDb, needle: &str) -> Vec<String> {
    let tables = db
        .text("SELECT string_agg(table_name, ' ') FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        .await;
    let mut found = Vec::new();
    for table in tables.split(' ') {
        let n = db
            .count(&format!(
                "SELECT count(*) FROM \"{table}\" t WHERE t::text ILIKE '%{needle}%'"
            ))
            .await;
        if n > 0 {
            found.push(format!("{table}: {n}"));
        }
    }
    found
}

#[actix_web::test]
async fn a_person_downloads_their_data_and_erasure_leaves_no_trace_of_them() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let sink = SmtpSink::start();
    let app = app_with(&db, &sink).await;
    let port = app.port;
    let (course, slug) = course_of(&db, "alpha").await;
    db.superuser()
        .await
        .batch_execute(&format!(
            "UPDATE courses SET enrollment_cap = 5 WHERE id = '{course}'"
        ))
        .await
        .unwrap();
    let email = "zebulon.quixote@example.org";
    let mut me = Browser::new("alpha");
    me.get(port, "/signup").await;
    let res = me
        .post(
            port,
            "/signup",
            &[
                ("name", "Zebulon Quixote"),
                ("email", email),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    me.get(port, &format!("/courses/{slug}")).await;
    assert_eq!(
        me.post(port, &format!("/courses/{slug}/enroll"), &[])
            .await
            .status,
        303
    );
    sink.wait_for(email, 2).await;
    let mut visitor = Browser::new("alpha");
    visitor.get(port, "/password/forgot").await;
    visitor
        .post(port, "/password/forgot", &[("email", email)])
        .await;
    sink.wait_for(email, 3).await;

    let export = me.get(port, "/account/export").await;
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    let data = export.json();
    assert_eq!(data["profile"]["email"], email);
    assert_eq!(data["profile"]["name"], "Zebulon Quixote");
    assert_eq!(data["enrollments"][0]["course"], slug.as_str());
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    assert!(data["sessions"][0].get("token_hash").is_none());
    let kinds: Vec<&str> = data["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["verify", "enrollment", "reset"]);
    // Another school's host does not know this session.
    let mut thief = Browser::new("beta");
    thief.get(port, "/").await;
    assert_eq!(
        crate::harness::request(
            port,
            "GET",
            "beta.localhost",
            "/account/export",
            &[("Cookie", &me.cookie_header())]
        )
        .await
        .status,
        303
    );

    // The admin exports on the person's behalf, too.
    let mut admin = Browser::member(port, &db, "alpha", "admin@alpha.test", "admin").await;
    let id = user_id(&db, email).await;
    let theirs = admin
        .get(port, &format!("/admin/learners/{id}/export"))
        .await;
    assert_eq!(theirs.json()["profile"]["email"], email);

    me.get(port, "/account").await;
    let wrong = me
        .post(port, "/account/delete", &[("password", "not my password")])
        .await;
    assert_eq!(wrong.status, 403);
    assert!(!mentions(&db, "quixote").await.is_empty());
    let gone = me
        .post(
            port,
            "/account/delete",
            &[("password", "correct horse battery")],
        )
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(mentions(&db, "quixote").await, Vec::<String>::new());
    assert_eq!(mentions(&db, "zebulon").await, Vec::<String>::new());
    // Signed out everywhere; the seat in the capped course is still counted.
    assert_eq!(me.get(port, "/account").await.status, 303);
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments WHERE course_id = '{course}'"
        ))
        .await,
        1
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM lesson_progress WHERE user_id = '{id}'"
        ))
        .await,
        0
    );
    let mut login = Browser::new("alpha");
    login.get(port, "/login").await;
    let refused = login
        .post(
            port,
            "/login",
            &[("email", email), ("password", "correct horse battery")],
        )
        .await;
    assert_eq!(refused.status, 401);
    // The address is free for a new account.
    login.sign_up(port, email).await;

    // An admin erases another learner on their behalf, with the admin's own password.
    let mut other = Browser::new("alpha");
    other.get(port, "/signup").await;
    other
        .post(
            port,
            "/signup",
            &[
                ("name", "Wilhelmina Yarrow"),
                ("email", "wy@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    let other_id = user_id(&db, "wy@example.org").await;
    admin
        .get(port, &format!("/admin/learners/{other_id}"))
        .await;
    let denied = admin
        .post(
            port,
            &format!("/admin/learners/{other_id}/delete"),
            &[("password", "wrong")],
        )
        .await;
    assert_eq!(denied.status, 403);
    let erased = admin
        .post(
            port,
            &format!("/admin/learners/{other_id}/delete"),
            &[("password", "correct horse battery")],
        )
        .await;
    assert_eq!(erased.status, 303);
    assert_eq!(mentions(&db, "yarrow").await, Vec::<String>::new());
    assert_eq!(mentions(&db, "wy@example.org").await, Vec::<String>::new());
    assert_eq!(
        admin
            .get(port, &format!("/admin/learners/{other_id}"))
            .await
            .status,
        404
    );
    app.stop().await;
}
