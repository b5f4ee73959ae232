//! The gradebook: quiz attempts and a tool's scores against the course's learners, latest and
//! best, pass state and completion; overrides with a comment on the audit log; the CSV; the API
//! with its scope; and who may not see or change it.

use crate::harness::{Browser, TestApp, eduflow_cli, request, succeeded, tempdir};
use crate::learning::course_with_lessons;
use crate::lti::{
    SCORE, SCORE_TYPE, add_lesson, enrolled, own_key, register, service, token_request,
};

/// The gradebook page's row of the learner `who` (their id).
pub fn learner_row(body: &str, who: &str) -> String {
    body.split(&format!("id=\"learner-{who}\""))
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn the_gradebook_shows_latest_and_best_and_takes_overrides_on_the_record() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let course_id = db.course_id(&course).await;
    let (quiz, _) = crate::assessment::import_quiz(
        &db,
        &course,
        "Two and two? {=four ~five}\n",
        &["--pass-mark", "60"],
    )
    .await;
    let key = own_key("grader");
    let file = tempdir("gradebook-key").join("key.json");
    std::fs::write(&file, key.jwk.to_string()).unwrap();
    let reg = register(
        &db,
        &app,
        "alpha",
        "Grader",
        &["--public-key-file", file.to_str().unwrap()],
    )
    .await;
    let lesson = add_lesson(&db, "alpha", &course, "Grader", "Lab work").await;
    let item = db
        .text(&format!(
            "SELECT id::text AS t FROM lti_line_items WHERE lesson_id = '{lesson}'"
        ))
        .await;

    let _ada = enrolled(&app, "ada@example.org", &course).await;
    let mut bob_browser = enrolled(&app, "bob@example.org", &course).await;
    let id_of = |email: &'static str| {
        let db = &db;
        async move {
            db.text(&format!(
                "SELECT id::text AS t FROM users WHERE email = '{email}'"
            ))
            .await
        }
    };
    let (ada, bob) = (
        id_of("ada@example.org").await,
        id_of("bob@example.org").await,
    );
    // Ada passes the quiz, then does worse: latest 40, best 90, passed.
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut db.superuser().await,
        &format!(
            "INSERT INTO quiz_attempts (tenant_id, user_id, lesson_id, number, score, passed, marked)
             SELECT tenant_id, '{ada}', '{quiz}', n, s, s >= 60, '[]' FROM users, (VALUES (1, 90), (2, 40)) v(n, s)
              WHERE id = '{ada}'"
        ),
    )
    .await
    .unwrap();
    // Bob's tool scores: 50, then 80 (passing the lab's 70 and completing it).
    let res = token_request(
        &app,
        "alpha.localhost",
        &key.assertion(&reg["client_id"], &reg["token"], "g1"),
        SCORE,
    )
    .await;
    let token = res.json()["access_token"].as_str().unwrap().to_owned();
    let scores = format!("/lti/courses/{course_id}/lineitems/{item}/scores");
    for (given, at) in [
        (50.0, "2026-12-06T10:00:00Z"),
        (80.0, "2026-12-06T11:00:00Z"),
    ] {
        let body = serde_json::json!({
            "userId": bob, "scoreGiven": given, "scoreMaximum": 100, "timestamp": at,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        });
        let res = service(
            &app,
            "POST",
            "alpha.localhost",
            &scores,
            &token,
            Some((SCORE_TYPE, &body)),
        )
        .await;
        assert_eq!(res.status, 204, "{}", res.body);
    }

    let mut head = Browser::member(app.port, &db, "alpha", "head@example.org", "admin").await;
    let editor = head
        .get(app.port, &format!("/author/courses/{course_id}"))
        .await;
    assert!(
        editor
            .body
            .contains(&format!("/author/courses/{course_id}/grades"))
    );
    let page = head
        .get(app.port, &format!("/author/courses/{course_id}/grades"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let row = |who: &str| learner_row(&page.body, who);
    let ada_row = row(&ada);
    assert!(ada_row.contains("latest 40 %, best 90 %"), "{ada_row}");
    assert!(
        ada_row.contains("passed") && !ada_row.contains("not passed"),
        "{ada_row}"
    );
    let bob_row = row(&bob);
    assert!(bob_row.contains("latest 80 %, best 80 %"), "{bob_row}");
    assert!(bob_row.contains("Completed"), "{bob_row}");

    // An override with a comment: the book shows it, the audit log keeps what it replaced.
    let tool_item = format!("tool:{item}");
    let res = head
        .post(
            app.port,
            &format!("/author/courses/{course_id}/grades"),
            &[
                ("user", &bob),
                ("item", &tool_item),
                ("score", "75"),
                ("comment", "Late lab report accepted"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = head
        .get(app.port, &format!("/author/courses/{course_id}/grades"))
        .await;
    assert!(page.body.contains("Late lab report accepted"));
    let audit = db
        .text("SELECT (before->>'grade') || ' ' || (after->>'grade') || ' ' || (after->>'comment') AS t FROM audit_log WHERE action = 'grade.overridden'")
        .await;
    assert_eq!(audit, "80.0 75.0 Late lab report accepted");
    for (user, score, comment, status) in [
        (bob.as_str(), "150", "too much", 422),
        (bob.as_str(), "70", "", 422),
        ("not-a-user", "70", "why", 422),
    ] {
        let res = head
            .post(
                app.port,
                &format!("/author/courses/{course_id}/grades"),
                &[
                    ("user", user),
                    ("item", &tool_item),
                    ("score", score),
                    ("comment", comment),
                ],
            )
            .await;
        assert_eq!(res.status, status, "{user} {score} {comment}: {}", res.body);
    }
    let mut stranger = Browser::new("alpha");
    stranger.sign_up(app.port, "stranger@example.org").await;
    let stranger_id = id_of("stranger@example.org").await;
    let res = head
        .post(
            app.port,
            &format!("/author/courses/{course_id}/grades"),
            &[
                ("user", &stranger_id),
                ("item", &tool_item),
                ("score", "70"),
                ("comment", "not enrolled"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(db.count("SELECT count(*) FROM grade_overrides").await, 1);
    // The comment is about Bob: it is in his personal-data export.
    let mine = bob_browser.get(app.port, "/account/export").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let mine = mine.json();
    assert_eq!(
        mine["grade_overrides"][0]["comment"],
        "Late lab report accepted"
    );
    assert_eq!(mine["tool_scores"].as_array().unwrap().len(), 2);

    // The CSV has everyone.
    let csv = head
        .get(app.port, &format!("/author/courses/{course_id}/grades/csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.body
            .lines()
            .next()
            .unwrap()
            .contains("Final check (best)")
    );
    assert!(
        csv.body.contains("ada@example.org,40.0,90.0,yes"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("75.0,Late lab report accepted"),
        "{}",
        csv.body
    );

    // A learner, and an instructor of other courses, may not look.
    assert_eq!(
        stranger
            .get(app.port, &format!("/author/courses/{course_id}/grades"))
            .await
            .status,
        403
    );
    let mut other =
        Browser::member(app.port, &db, "alpha", "other@example.org", "instructor").await;
    assert_eq!(
        other
            .get(app.port, &format!("/author/courses/{course_id}/grades"))
            .await
            .status,
        403
    );
    let res = other
        .post(
            app.port,
            &format!("/author/courses/{course_id}/grades"),
            &[
                ("user", &bob),
                ("item", &tool_item),
                ("score", "10"),
                ("comment", "sabotage"),
            ],
        )
        .await;
    assert_eq!(res.status, 403);

    // The API, with its scope, a page at a time; another school's token finds no such course.
    let token_for = |school: &'static str, scope: &'static str| {
        let db = &db;
        async move {
            succeeded(
                &eduflow_cli(
                    db,
                    &db.admin_url,
                    &tempdir("tenants"),
                    &[
                        "tokens", "create", "--school", school, "--name", "grades", "--scope",
                        scope,
                    ],
                )
                .await,
            )
            .trim()
            .to_owned()
        }
    };
    let api = |token: String, path: String| async move {
        request(
            app.port,
            "GET",
            "alpha.localhost",
            &path,
            &[("Authorization", &format!("Bearer {token}"))],
        )
        .await
    };
    let grades_token = token_for("alpha", "grades:read").await;
    let first = api(
        grades_token.clone(),
        format!("/api/v1/courses/{course}/grades?limit=1"),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["rows"].as_array().unwrap().len(), 1);
    assert_eq!(first["rows"][0]["user"], ada.as_str());
    let next = first["next"].as_str().unwrap().to_owned();
    let second = api(
        grades_token.clone(),
        format!("/api/v1/courses/{course}/grades?limit=1&after={next}"),
    )
    .await
    .json();
    assert_eq!(second["rows"][0]["user"], bob.as_str());
    let overridden = second["rows"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["override"].is_null())
        .unwrap()
        .clone();
    assert_eq!(overridden["override"]["score"], 75.0);
    let other_scope = token_for("alpha", "progress:read").await;
    assert_eq!(
        api(other_scope, format!("/api/v1/courses/{course}/grades"))
            .await
            .status,
        403
    );
    let beta = token_for("beta", "grades:read").await;
    let res = request(
        app.port,
        "GET",
        "beta.localhost",
        &format!("/api/v1/courses/{course}/grades"),
        &[("Authorization", &format!("Bearer {beta}"))],
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.body);

    // Erasing Bob takes his scores and the comment about him with him.
    head.get(app.port, &format!("/admin/learners/{bob}")).await;
    let erased = head
        .post(
            app.port,
            &format!("/admin/learners/{bob}/delete"),
            &[("password", "correct horse battery")],
        )
        .await;
    assert_eq!(erased.status, 303, "{}", erased.body);
    for table in ["lti_scores", "grade_overrides"] {
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM {table} WHERE user_id = '{bob}'"
            ))
            .await,
            0,
            "{table}"
        );
    }
}
