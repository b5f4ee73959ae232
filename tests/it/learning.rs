//! Enrollment through the school's actor, lessons, progress, positions, and attacks from the
//! other school.

use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::accounts::sign_up;
use crate::harness::{
    Response, TestApp, TestDb, eventually, operator_sets_role, post_form, request, settings,
};

struct Learner<'a> {
    app: &'a TestApp,
    host: &'a str,
    session: String,
    csrf: String,
}

impl<'a> Learner<'a> {
    async fn new(app: &'a TestApp, host: &'a str, email: &str) -> Self {
        let session = sign_up(app, host, email).await;
        let page = request(
            app.port,
            "GET",
            host,
            "/",
            &[("Cookie", &format!("eduflow_session={session}"))],
        )
        .await;
        let csrf = page.csrf_token();
        Self {
            app,
            host,
            session,
            csrf,
        }
    }

    fn cookie(&self) -> String {
        format!("eduflow_session={}", self.session)
    }

    async fn get(&self, path: &str) -> Response {
        request(
            self.app.port,
            "GET",
            self.host,
            path,
            &[("Cookie", &self.cookie())],
        )
        .await
    }

    async fn post(&self, path: &str) -> Response {
        post_form(
            self.app.port,
            self.host,
            path,
            &[("csrf", &self.csrf)],
            &[("Cookie", &self.cookie())],
        )
        .await
    }

    async fn json(&self, path: &str) -> serde_json::Value {
        self.get(path).await.json()
    }
}

/// A published course of `school` with at least three lessons, and its lesson slugs in order.
pub async fn course_with_lessons(db: &TestDb, school: &str) -> (String, Vec<String>) {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        course: String,
        #[diesel(sql_type = Text)]
        lesson: String,
        #[diesel(sql_type = Integer)]
        free: i32,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT c.slug AS course, l.slug AS lesson, l.free_preview::int AS free FROM courses c
           JOIN tenants t ON t.id = c.tenant_id JOIN sections s ON s.course_id = c.id JOIN lessons l ON l.section_id = s.id
          WHERE t.slug = '{school}' AND c.published
            AND c.id = (SELECT c2.id FROM courses c2 JOIN tenants t2 ON t2.id = c2.tenant_id
                         WHERE t2.slug = '{school}' AND c2.published ORDER BY c2.published_at DESC LIMIT 1)
          ORDER BY s.position, l.position"
    ))
    .load(&mut db.superuser().await)
    .await
    .unwrap();
    assert!(rows.len() >= 3 && rows[0].free == 1 && rows[1].free == 0);
    (
        rows[0].course.clone(),
        rows.into_iter().map(|r| r.lesson).collect(),
    )
}

#[actix_web::test]
async fn enroll_complete_and_see_progress_everywhere() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    let page = ada.get(&format!("/courses/{course}")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/courses/{course}/enroll\"")),
        "no enroll button"
    );

    // Enrolling twice is one enrollment.
    for _ in 0..2 {
        let res = ada.post(&format!("/courses/{course}/enroll")).await;
        assert_eq!(
            (res.status, res.header("location")),
            (303, Some(format!("/courses/{course}").as_str()))
        );
    }
    assert_eq!(db.count("SELECT count(*) AS n FROM enrollments").await, 1);
    let total = lessons.len();
    let page = ada.get(&format!("/courses/{course}")).await;
    assert!(
        page.body.contains(&format!("0/{total} lessons complete")),
        "read-your-writes failed"
    );

    // The second lesson (not a preview) is open to her now; complete it.
    let lesson = ada
        .get(&format!("/courses/{course}/lessons/{}", lessons[1]))
        .await;
    assert!(lesson.body.contains("lesson-body") && lesson.body.contains("Mark complete"));
    let done = ada
        .post(&format!(
            "/courses/{course}/lessons/{}/complete",
            lessons[1]
        ))
        .await;
    assert_eq!(
        done.header("location"),
        Some(format!("/courses/{course}/lessons/{}", lessons[2]).as_str())
    );
    ada.post(&format!(
        "/courses/{course}/lessons/{}/complete",
        lessons[1]
    ))
    .await;
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_progress WHERE completed_at IS NOT NULL")
            .await,
        1
    );

    let learn = ada.get("/learn").await;
    assert!(
        learn
            .body
            .contains(&format!("<span class=\"progress-count\">1/{total}</span>")),
        "{}",
        learn.body
    );
    // "Continue" leads to the first unfinished lesson.
    assert!(learn.body.contains(&format!(
        "/courses/{course}/lessons/{}\">Continue",
        lessons[0]
    )));
    let api = ada.json("/api/v1/me/enrollments").await;
    assert_eq!(
        (
            api["items"][0]["completed"].as_u64(),
            api["items"][0]["total"].as_u64()
        ),
        (Some(1), Some(total as u64))
    );
    assert_eq!(
        api["items"][0]["percent"].as_u64(),
        Some((100 / total) as u64)
    );
    assert_eq!(ada.json("/api/v1/me").await["email"], "ada@example.org");

    // The shared catalog page stays cached: nothing per-learner went into it.
    let loads = app.state.registry.loads();
    ada.get(&format!("/courses/{course}")).await;
    request(
        app.port,
        "GET",
        "alpha.localhost",
        &format!("/courses/{course}"),
        &[],
    )
    .await;
    assert_eq!(app.state.registry.loads(), loads);

    let res = ada.post(&format!("/courses/{course}/unenroll")).await;
    assert_eq!(res.status, 303);
    assert!(
        ada.get(&format!("/courses/{course}"))
            .await
            .body
            .contains("/enroll\"")
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM enrollments").await, 0);
}

#[actix_web::test]
async fn lessons_are_for_enrolled_learners_staff_and_previews() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let locked = format!("/courses/{course}/lessons/{}", lessons[1]);
    let preview = format!("/courses/{course}/lessons/{}", lessons[0]);
    // Anonymous: the preview yes, the rest is the course page with its enroll prompt.
    let anon = app.get("alpha.localhost", &locked).await;
    assert!(!anon.body.contains("lesson-body") && anon.body.contains("Log in to enroll"));
    assert!(
        app.get("alpha.localhost", &preview)
            .await
            .body
            .contains("lesson-body")
    );
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    assert!(!ada.get(&locked).await.body.contains("lesson-body"));
    // Marking complete without enrolling changes nothing.
    assert_eq!(ada.post(&format!("{locked}/complete")).await.status, 403);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_progress").await,
        0
    );
    // An instructor of the school sees everything.
    let cookie = ada.cookie();
    let at = (app.port, "alpha.localhost", cookie.as_str());
    operator_sets_role(&db, at, "ada@example.org", "instructor").await;
    assert!(ada.get(&locked).await.body.contains("lesson-body"));
    // Previous / next links walk the curriculum.
    let middle = ada.get(&locked).await;
    assert!(
        middle
            .body
            .contains(&format!("rel=\"prev\" href=\"{preview}\""))
    );
    assert!(middle.body.contains(&format!(
        "rel=\"next\" href=\"/courses/{course}/lessons/{}\"",
        lessons[2]
    )));
    // Anonymous visitors are sent to log in for their dashboard.
    let learn = app.get("alpha.localhost", "/learn").await;
    assert_eq!(
        (learn.status, learn.header("location")),
        (303, Some("/login?next=%2Flearn"))
    );
}

#[actix_web::test]
async fn full_and_closed_courses_refuse() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    db.superuser()
        .await
        .batch_execute(&format!(
            "UPDATE courses SET enrollment_cap = 1 WHERE slug = '{course}'"
        ))
        .await
        .unwrap();
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    let bob = Learner::new(&app, "alpha.localhost", "bob@example.org").await;
    assert_eq!(
        ada.post(&format!("/courses/{course}/enroll")).await.status,
        303
    );
    let full = bob.post(&format!("/courses/{course}/enroll")).await;
    assert_eq!(full.status, 409);
    assert!(full.body.contains("full"));
    db.superuser().await.batch_execute(&format!("UPDATE courses SET enrollment_cap = NULL, enrollment_ends_at = now() - interval '1 day' WHERE slug = '{course}'")).await.unwrap();
    assert_eq!(
        bob.post(&format!("/courses/{course}/enroll")).await.status,
        409
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM enrollments").await, 1);
}

#[actix_web::test]
async fn a_rolled_back_enrollment_never_reaches_memory() {
    let (db, app) = TestApp::two_schools().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    assert!(
        ada.get(&format!("/courses/{course}"))
            .await
            .body
            .contains("/enroll\"")
    );
    // The database refuses the write after the insert ran: the transaction rolls back.
    db.superuser()
        .await
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
             CREATE TRIGGER refuse AFTER INSERT ON enrollments FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .await
        .unwrap();
    let res = ada.post(&format!("/courses/{course}/enroll")).await;
    assert_eq!(res.status, 500);
    assert!(
        !res.body.contains("refused"),
        "a database error leaked to the page"
    );
    assert!(
        ada.get(&format!("/courses/{course}"))
            .await
            .body
            .contains("/enroll\""),
        "memory shows a rolled-back enrollment"
    );
    assert_eq!(
        ada.json("/api/v1/me/enrollments").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[actix_web::test]
async fn playback_positions_are_batched_into_few_writes() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.position_flush = Duration::from_millis(300);
    let app = TestApp::spawn(s).await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    ada.post(&format!("/courses/{course}/enroll")).await;
    let lesson = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: uuid::Uuid,
        }
        diesel::sql_query(format!(
            "SELECT l.id FROM lessons l JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id
              WHERE c.slug = '{course}' AND c.tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha') ORDER BY s.position, l.position LIMIT 1"
        ))
        .get_result::<Id>(&mut db.superuser().await)
        .await
        .unwrap()
        .id
    };
    let beacon = |seconds: i32| {
        let body = format!("{{\"seconds\":{seconds}}}");
        let head = format!(
            "POST /api/v1/lessons/{lesson}/position HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\nOrigin: http://alpha.localhost\r\n\
             Cookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            ada.cookie(),
            ada.csrf,
            body.len()
        );
        let port = app.port;
        async move { crate::harness::raw(port, head.as_bytes()).await }
    };
    for seconds in [5, 10, 15, 20, 25] {
        assert_eq!(beacon(seconds).await.status, 202);
    }
    // Nothing written yet: the beacons wait in the actor.
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_progress").await,
        0
    );
    let written = eventually(Duration::from_secs(3), || async {
        db.count("SELECT count(*) AS n FROM lesson_progress WHERE position_seconds = 25")
            .await
            == 1
    })
    .await;
    assert!(
        written.is_some(),
        "the batched position never reached the database"
    );
    let progress = ada.json("/api/v1/me/progress").await;
    assert_eq!(progress["items"][0]["lessons"][0]["position_seconds"], 25);
    // The same well-formed beacon without the session's token (a cross-site request riding on
    // the cookie) or with another token is refused by the CSRF check, and never written.
    for token in ["", "X-CSRF-Token: not-the-token\r\n"] {
        let body = "{\"seconds\":40}";
        let head = format!(
            "POST /api/v1/lessons/{lesson}/position HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\nOrigin: http://alpha.localhost\r\n\
             Cookie: {}\r\n{token}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            ada.cookie(),
            body.len()
        );
        let forged = crate::harness::raw(app.port, head.as_bytes()).await;
        assert_eq!(forged.status, 403, "{token:?}: {}", forged.body);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_progress WHERE position_seconds = 40")
            .await,
        0
    );
}

#[actix_web::test]
async fn the_other_schools_courses_and_lessons_are_404_and_nothing_is_written() {
    let (db, app) = TestApp::two_schools().await;
    let (alpha_course, alpha_lessons) = course_with_lessons(&db, "alpha").await;
    // The slug must exist at alpha only.
    let at_beta = db.count(&format!("SELECT count(*) AS n FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'beta' AND c.slug = '{alpha_course}'")).await;
    assert_eq!(at_beta, 0);
    let mallory = Learner::new(&app, "beta.localhost", "mallory@example.org").await;
    for path in [
        format!("/courses/{alpha_course}"),
        format!("/courses/{alpha_course}/lessons/{}", alpha_lessons[0]),
    ] {
        assert_eq!(mallory.get(&path).await.status, 404, "{path}");
    }
    for path in [
        format!("/courses/{alpha_course}/enroll"),
        format!("/courses/{alpha_course}/unenroll"),
        format!(
            "/courses/{alpha_course}/lessons/{}/complete",
            alpha_lessons[0]
        ),
    ] {
        assert_eq!(mallory.post(&path).await.status, 404, "{path}");
    }
    assert_eq!(db.count("SELECT count(*) AS n FROM enrollments").await, 0);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_progress").await,
        0
    );
    assert_eq!(
        mallory.json("/api/v1/me/enrollments").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // No session, no API.
    assert_eq!(app.get("beta.localhost", "/api/v1/me").await.status, 401);
}

/// Both access paths of the seed design — a learner's courses, a course's learners — are index
/// seeks for the runtime role on a large data set.
#[actix_web::test]
async fn enrollment_queries_use_indexes_leading_with_the_school() {
    let db = TestDb::new().await;
    let pools = db.admin_pools();
    eduflow::seed::bench::generate(pools.primary(), 2, 1000, 3, 2)
        .await
        .unwrap();
    eduflow::seed::bench::generate_learners(pools.primary(), 2, 1500, 4, 3)
        .await
        .unwrap();
    let mut su = db.superuser().await;
    su.batch_execute("ANALYZE").await.unwrap();
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        tenant: uuid::Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        user_id: uuid::Uuid,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        course_id: uuid::Uuid,
    }
    let ids: Ids = diesel::sql_query(
        "SELECT e.tenant_id AS tenant, e.user_id, e.course_id FROM enrollments e
           JOIN tenants t ON t.id = e.tenant_id WHERE t.slug = 'bench-00002' LIMIT 1",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    // Random picks may repeat a course for one learner; the unique key keeps one of each.
    let enrolled = db.count("SELECT count(*) AS n FROM enrollments").await;
    assert!(
        (11_000..=12_000).contains(&enrolled),
        "{enrolled} enrollments"
    );
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let mut conn = db.runtime().await;
    conn.batch_execute(&format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{}', true)",
        ids.tenant
    ))
    .await
    .unwrap();
    for (query, index) in [
        (
            format!(
                "SELECT courses.id, courses.slug, courses.title FROM enrollments INNER JOIN courses ON enrollments.course_id = courses.id
                  WHERE enrollments.user_id = '{}' ORDER BY enrollments.created_at DESC",
                ids.user_id
            ),
            "enrollments_tenant_id_user_id_course_id_key",
        ),
        (format!("SELECT count(*) FROM enrollments WHERE course_id = '{}'", ids.course_id), "enrollments_course_idx"),
    ] {
        let plan: Vec<Plan> = diesel::sql_query(format!("EXPLAIN {query}")).load(&mut conn).await.unwrap();
        let plan = plan.into_iter().map(|p| p.line).collect::<Vec<_>>().join("\n");
        assert!(plan.contains(index), "expected {index}:\n{plan}");
        assert!(!plan.contains("Seq Scan on enrollments"), "{plan}");
    }
    conn.batch_execute("ROLLBACK").await.unwrap();
}

/// An idle learner's state leaves memory even while the school's actor stays busy.
#[actix_web::test]
async fn idle_learner_state_is_evicted_from_a_busy_actor() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    s.actor_idle = Duration::from_millis(400);
    let app = TestApp::spawn(s).await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let ada = Learner::new(&app, "alpha.localhost", "ada@example.org").await;
    ada.get(&format!("/courses/{course}")).await;
    let gauge = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("eduflow_learner_states "))
            .map(|v| v.trim().to_owned())
    };
    let metrics = |port| async move {
        request(port, "GET", "127.0.0.1", "/metrics", &[])
            .await
            .body
    };
    assert_eq!(
        gauge(&metrics(app.metrics_port.unwrap()).await).as_deref(),
        Some("1")
    );
    // Someone else keeps the school busy; Ada is idle.
    let gone = eventually(Duration::from_secs(3), || async {
        app.get("alpha.localhost", "/").await;
        gauge(&metrics(app.metrics_port.unwrap()).await).as_deref() == Some("0")
    })
    .await;
    assert!(gone.is_some(), "idle learner state stayed in memory");
    assert_eq!(
        app.state.registry.live(),
        1,
        "the school's actor should still be running"
    );
    // Coming back loads it again, from the database.
    assert!(
        ada.get(&format!("/courses/{course}"))
            .await
            .body
            .contains("/enroll\"")
    );
}
