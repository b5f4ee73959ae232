//! Quizzes (GIFT in, graded on the server, attempts limited), completion, certificates (PDF,
//! verification, revocation) and drip schedules on a moved clock.

use diesel_async::SimpleAsyncConnection;

use crate::harness::{
    Browser, LRS_PASSWORD, LRS_USER, TestApp, TestDb, eduflow_cli, eduflow_cli_with, eventually,
    lrs, refused, request, succeeded, tempdir,
};
use crate::learning::course_with_lessons;

/// Three questions: a learner who answers "Paris", "true" and "4" gets 100 %; "Lyon", "false"
/// and "5" gets 0 %.
const QUIZ: &str = "// Imported from Moodle
$CATEGORY: $course$/Final

::Capital::What is the capital of France? {
  =Paris#Right: Paris has been the capital since 987.
  ~Lyon#Lyon is the third largest city, not the capital.
  ~Marseille
}

::Sun::The sun rises in the east. {TRUE#Look at a sunrise again.#Indeed.}

Two plus two is {#4:0}.
";

const RIGHT: &[(&str, &str)] = &[("q0", "0"), ("q1", "true"), ("q2", "4")];
const WRONG: &[(&str, &str)] = &[("q0", "1"), ("q1", "false"), ("q2", "5")];

fn write_quiz(text: &str) -> std::path::PathBuf {
    let path = tempdir("gift").join("final.gift");
    std::fs::write(&path, text).unwrap();
    path
}

/// Imports `QUIZ` into `course` of alpha with the CLI; returns the lesson's id and slug.
async fn import(db: &TestDb, course: &str, extra: &[&str]) -> (String, String) {
    import_quiz(db, course, QUIZ, extra).await
}

/// Imports the GIFT text `gift` as "Final check" into `course` of alpha with the CLI; returns
/// the lesson's id and slug.
pub async fn import_quiz(
    db: &TestDb,
    course: &str,
    gift: &str,
    extra: &[&str],
) -> (String, String) {
    import_quiz_at(db, "alpha", course, gift, extra).await
}

/// [`import_quiz`] into `school`'s course.
pub async fn import_quiz_at(
    db: &TestDb,
    school: &str,
    course: &str,
    gift: &str,
    extra: &[&str],
) -> (String, String) {
    let file = write_quiz(gift);
    let mut args = vec![
        "quiz",
        "import",
        "--school",
        school,
        "--course",
        course,
        "--title",
        "Final check",
    ];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    let out = eduflow_cli(db, &db.admin_url, &tempdir("tenants"), &args).await;
    let id = succeeded(&out).trim().to_owned();
    let slug = db
        .text(&format!("SELECT slug AS t FROM lessons WHERE id = '{id}'"))
        .await;
    (id, slug)
}

async fn enrolled(app: &TestApp, email: &str, course: &str) -> Browser {
    let mut me = Browser::new("alpha");
    me.sign_up(app.port, email).await;
    let res = me
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    me
}

/// Completes every lesson that is not a quiz.
async fn complete_lessons(app: &TestApp, me: &mut Browser, course: &str, lessons: &[String]) {
    for lesson in lessons {
        me.get(app.port, &format!("/courses/{course}/lessons/{lesson}"))
            .await;
        let res = me
            .post(
                app.port,
                &format!("/courses/{course}/lessons/{lesson}/complete"),
                &[],
            )
            .await;
        assert_eq!(res.status, 303, "{lesson}: {}", res.body);
    }
}

async fn submit(
    app: &TestApp,
    me: &mut Browser,
    course: &str,
    quiz: &str,
    answers: &[(&str, &str)],
) -> crate::harness::Response {
    me.get(app.port, &format!("/courses/{course}/lessons/{quiz}"))
        .await;
    me.post(
        app.port,
        &format!("/courses/{course}/lessons/{quiz}/attempts"),
        answers,
    )
    .await
}

/// The signed link a certificate's download answers with, and the PDF it serves.
async fn download(app: &TestApp, learner: &mut Browser, verify: &str) -> (String, Vec<u8>) {
    let pdf = learner.get(app.port, &format!("{verify}/pdf")).await;
    assert_eq!(pdf.status, 303);
    let file = request(
        app.port,
        "GET",
        "alpha.localhost",
        pdf.header("location").unwrap(),
        &[],
    )
    .await;
    assert_eq!(file.status, 200);
    assert!(file.bytes.starts_with(b"%PDF-1.4"));
    (pdf.header("location").unwrap().to_owned(), file.bytes)
}

fn pdf_text(bytes: &[u8]) -> String {
    let path = tempdir("pdf").join("certificate.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[actix_web::test]
async fn a_gift_quiz_is_graded_on_the_server_and_passing_it_completes_the_course() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;

    // A file with an unsupported construct is refused with its line; nothing is added.
    let bad = write_quiz("Q1 {=a ~b}\n\n// a comment\nMatch {\n=cat -> animal\n}\n");
    let out = eduflow_cli(
        &db,
        &db.admin_url,
        &tempdir("tenants"),
        &[
            "quiz",
            "import",
            "--school",
            "alpha",
            "--course",
            &course,
            "--title",
            "Bad",
            bad.to_str().unwrap(),
        ],
    )
    .await;
    refused(&out, "line 4: Matching questions (->) are not supported.");
    assert_eq!(db.count("SELECT count(*) AS n FROM quizzes").await, 0);

    let (quiz_id, quiz) = import(&db, &course, &["--pass-mark", "60", "--attempts", "2"]).await;
    // At the end of the course's last section.
    assert_eq!(
        db.text(&format!(
            "SELECT l.id::text AS t FROM lessons l JOIN sections s ON s.id = l.section_id
               JOIN courses c ON c.id = s.course_id WHERE c.slug = '{course}'
                AND c.tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha')
              ORDER BY s.position DESC, l.position DESC LIMIT 1"
        ))
        .await,
        quiz_id
    );

    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    let page = ada
        .get(app.port, &format!("/courses/{course}/lessons/{quiz}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("What is the capital of France?"));
    assert!(page.body.contains("Pass mark 60%") && page.body.contains("2 left"));
    // Neither the right answers' marks nor any feedback is in the page before submitting.
    for secret in [
        "capital since 987",
        "third largest",
        "Indeed",
        "Look at a sunrise",
        "=Paris",
    ] {
        assert!(!page.body.contains(secret), "{secret} leaked");
    }
    // A quiz is completed by passing it, not by a button.
    let res = ada
        .post(
            app.port,
            &format!("/courses/{course}/lessons/{quiz}/complete"),
            &[],
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.body);

    complete_lessons(&app, &mut ada, &course, &lessons).await;
    let api = ada.get(app.port, "/api/v1/me/enrollments").await.json();
    assert_eq!(api["items"][0]["complete"], false, "{api}");
    assert!(api["items"][0]["certificate_url"].is_null());

    // A failed attempt: the score, "not passed" and the feedback of each chosen answer.
    let res = submit(&app, &mut ada, &course, &quiz, WRONG).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let result = ada.get(app.port, res.header("location").unwrap()).await;
    assert!(
        result.body.contains("<span class=\"score\">0%</span>"),
        "{}",
        result.body
    );
    assert!(result.body.contains("Not passed"));
    assert!(
        result
            .body
            .contains("Lyon is the third largest city, not the capital.")
    );
    assert!(result.body.contains("Look at a sunrise again."));
    assert!(result.body.contains("1 left"));
    assert_eq!(
        ada.get(app.port, "/api/v1/me/enrollments").await.json()["items"][0]["complete"],
        false
    );

    // Someone else (another learner of the school) cannot read her attempt.
    let mut bob = enrolled(&app, "bob@example.org", &course).await;
    let theirs = bob.get(app.port, res.header("location").unwrap()).await;
    assert_eq!(theirs.status, 404);

    // Passing completes the quiz, then the course: a certificate is issued.
    let res = submit(&app, &mut ada, &course, &quiz, RIGHT).await;
    let result = ada.get(app.port, res.header("location").unwrap()).await;
    assert!(result.body.contains("<span class=\"score\">100%</span>"));
    assert!(result.body.contains("Passed") && result.body.contains("Indeed."));
    assert!(
        result.body.contains("Download your certificate"),
        "{}",
        result.body
    );
    let api = ada.get(app.port, "/api/v1/me/enrollments").await.json();
    assert_eq!(api["items"][0]["complete"], true, "{api}");
    let verify = api["items"][0]["certificate_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let learn = ada.get(app.port, "/learn").await;
    assert!(
        learn.body.contains("Course complete") && learn.body.contains(&verify),
        "{}",
        learn.body
    );

    // Past the limit: a clear refusal, and no third attempt stored.
    let res = submit(&app, &mut ada, &course, &quiz, RIGHT).await;
    assert_eq!(res.status, 409);
    assert!(
        res.body
            .contains("You have used all 2 attempts at this quiz."),
        "{}",
        res.body
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM quiz_attempts").await, 2);

    // The PDF: stored in the media store, and it reads back with the learner and course.
    let text = pdf_text(&download(&app, &mut ada, &verify).await.1);
    let title = db
        .text(&format!(
            "SELECT title AS t FROM courses WHERE slug = '{course}'
               AND tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha')"
        ))
        .await;
    for expected in [
        "Ada Lovelace",
        "Certificate of Completion",
        title.as_str(),
        &verify[14..],
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM media WHERE key LIKE '%/certificates/%.pdf'")
            .await,
        1
    );

    // It is printed in the learner's language. With Arabic offered and on her account, the
    // next drawing (forced here by forgetting the stored one) is Arabic, her name as written.
    let mut sql = db.superuser().await;
    sql.batch_execute(
        "UPDATE tenants SET locales = '{en,ar}' WHERE slug = 'alpha';
         UPDATE users SET locale = 'ar' WHERE email = 'ada@example.org'
            AND tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha');",
    )
    .await
    .unwrap();
    let offered = eventually(std::time::Duration::from_secs(3), || async {
        request(
            app.port,
            "GET",
            "alpha.localhost",
            "/",
            &[("Accept-Language", "ar")],
        )
        .await
        .body
        .contains("dir=\"rtl\"")
    })
    .await;
    assert!(
        offered.is_some(),
        "the instance learns the school offers Arabic"
    );
    sql.batch_execute(
        "UPDATE certificates SET pdf_key = NULL
          WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha');
         DELETE FROM media WHERE key LIKE '%/certificates/%.pdf'
            AND tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha');",
    )
    .await
    .unwrap();
    let (signed, bytes) = download(&app, &mut ada, &verify).await;
    let text = pdf_text(&bytes);
    for expected in ["شهادة إتمام", "Ada Lovelace", title.as_str()] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert!(!text.contains("Certificate of Completion"), "{text}");

    // The verification page is public on the school's host, and nowhere else.
    let page = app.get("alpha.localhost", &verify).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Ada Lovelace") && page.body.contains("Valid."));
    assert_eq!(app.get("beta.localhost", &verify).await.status, 404);
    assert_eq!(
        app.get("beta.localhost", &format!("{verify}/pdf"))
            .await
            .status,
        404
    );

    // An admin revokes it: the page says so, the PDF is withheld, /learn drops the link.
    let mut admin = Browser::member(app.port, &db, "alpha", "root@example.org", "admin").await;
    assert_eq!(
        bob.post(app.port, &format!("{verify}/revoke"), &[("reason", "x")])
            .await
            .status,
        403
    );
    admin.get(app.port, &verify).await;
    let res = admin
        .post(
            app.port,
            &format!("{verify}/revoke"),
            &[("reason", "Answers were shared")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = app.get("alpha.localhost", &verify).await;
    assert!(page.body.contains("Revoked") && page.body.contains("Answers were shared"));
    assert_eq!(
        app.get("alpha.localhost", &format!("{verify}/pdf"))
            .await
            .status,
        409
    );
    assert!(!ada.get(app.port, "/learn").await.body.contains(&verify));

    // Erasing her account erases her attempts, her certificate and its PDF.
    let stored = request(app.port, "GET", "alpha.localhost", &signed, &[]).await;
    assert_eq!(stored.status, 200);
    ada.get(app.port, "/account").await;
    let res = ada
        .post(
            app.port,
            "/account/delete",
            &[("password", "correct horse battery")],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    for table in ["quiz_attempts", "certificates"] {
        assert_eq!(
            db.count(&format!("SELECT count(*) AS n FROM {table} WHERE user_id = (SELECT id FROM users WHERE name = 'Erased account')"))
                .await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM media WHERE key LIKE '%.pdf'")
            .await,
        0
    );
    let gone = request(app.port, "GET", "alpha.localhost", &signed, &[]).await;
    assert_eq!(gone.status, 404);
    assert_eq!(app.get("alpha.localhost", &verify).await.status, 404);
    app.stop().await;
}

#[actix_web::test]
async fn optional_lessons_do_not_hold_back_completion_and_two_racing_attempts_count_once() {
    let (db, app) = TestApp::two_schools().await;
    // A second instance of the same deployment, which has Ada's state in memory.
    let other = TestApp::spawn(crate::harness::settings(&db)).await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let (_, quiz) = import(&db, &course, &["--attempts", "1"]).await;
    // Plain SQL, as an operator would: every instance hears of it.
    db.superuser()
        .await
        .batch_execute(&format!(
            "UPDATE lessons SET optional = true WHERE slug = '{}' AND section_id IN
               (SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id
                 WHERE c.slug = '{course}' AND c.tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha'))",
            lessons[0]
        ))
        .await
        .unwrap();
    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    complete_lessons(&app, &mut ada, &course, &lessons[1..]).await;
    assert!(
        !ada.get(other.port, "/learn")
            .await
            .body
            .contains("Course complete")
    );
    ada.get(app.port, &format!("/courses/{course}/lessons/{quiz}"))
        .await;
    let path = format!("/courses/{course}/lessons/{quiz}/attempts");
    let mut fields = RIGHT.to_vec();
    let csrf = ada.csrf().to_owned();
    fields.push(("csrf", &csrf));
    let cookie = ada.cookie_header();
    let headers = [("Cookie", cookie.as_str())];
    let post = || crate::harness::post_form(app.port, "alpha.localhost", &path, &fields, &headers);
    let (a, b) = futures_util::join!(post(), post());
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(db.count("SELECT count(*) AS n FROM quiz_attempts").await, 1);
    let api = ada.get(app.port, "/api/v1/me/enrollments").await.json();
    assert_eq!(api["items"][0]["complete"], true, "{api}");
    assert_eq!(db.count("SELECT count(*) AS n FROM certificates").await, 1);
    // The other instance hears of it (the learner's version moved) and shows it too.
    let learn = ada.get(other.port, "/learn").await;
    assert!(
        learn.body.contains("Course complete") && learn.body.contains("Download certificate"),
        "{}",
        learn.body
    );
    other.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn instructors_write_preview_and_export_gift_in_the_lesson_editor() {
    let (db, app) = TestApp::two_schools().await;
    let mut teacher = Browser::member(app.port, &db, "alpha", "t@example.org", "instructor").await;
    let res = teacher
        .upload(
            app.port,
            "/author/courses",
            &[
                ("title", "Quizzing"),
                ("category", &db.text("SELECT c.slug AS t FROM categories c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' LIMIT 1").await),
                ("level", "beginner"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let course_page = res.header("location").unwrap().to_owned();
    teacher.get(app.port, &course_page).await;
    let res = teacher
        .post(
            app.port,
            &format!("{course_page}/sections"),
            &[("title", "Week 1")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let section = db
        .text("SELECT id::text AS t FROM sections WHERE title = 'Week 1'")
        .await;
    let new = format!("{course_page}/sections/{section}/lessons");
    teacher.get(app.port, &format!("{new}/new")).await;

    // A mistake is shown by its line, and nothing is saved.
    let res = teacher
        .upload(
            app.port,
            &new,
            &[("title", "Check"), ("gift", "Q1 {=a ~b}\n\nQ2 {}\n")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("line 3: Essay questions ({}) are not supported."),
        "{}",
        res.body
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM quizzes").await, 0);

    // Preview shows the parsed questions with their answers, and saves nothing.
    let res = teacher
        .upload(
            app.port,
            &new,
            &[
                ("title", "Check"),
                ("gift", QUIZ),
                ("pass_mark", "80"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body.contains("Preview") && res.body.contains("Paris (100%)"),
        "{}",
        res.body
    );
    assert!(res.body.contains("4 ± 0"));
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lessons WHERE kind = 'quiz'")
            .await,
        0
    );

    let res = teacher
        .upload(
            app.port,
            &new,
            &[
                ("title", "Check"),
                ("gift", QUIZ),
                ("pass_mark", "80"),
                ("max_attempts", "3"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let editor = res.header("location").unwrap().to_owned();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM quizzes WHERE pass_mark = 80 AND max_attempts = 3 AND NOT shuffle")
            .await,
        1
    );
    let page = teacher.get(app.port, &editor).await;
    assert!(page.body.contains("Export as GIFT"));
    let export = teacher.get(app.port, &format!("{editor}/quiz.gift")).await;
    assert_eq!(export.status, 200);
    assert!(
        export
            .body
            .contains("::Capital::What is the capital of France?")
    );
    assert_eq!(
        eduflow::assessment::gift::parse(&export.body).unwrap(),
        eduflow::assessment::gift::parse(QUIZ).unwrap()
    );
    // A learner cannot export.
    let mut learner = Browser::new("alpha");
    learner.sign_up(app.port, "l@example.org").await;
    assert_eq!(
        learner
            .get(app.port, &format!("{editor}/quiz.gift"))
            .await
            .status,
        403
    );
    app.stop().await;
}

#[actix_web::test]
async fn dripped_sections_open_when_the_clock_reaches_them() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let school = "(SELECT id FROM tenants WHERE slug = 'alpha')";
    let section_of = |lesson: &str| {
        format!(
            "(SELECT l.section_id FROM lessons l JOIN sections s ON s.id = l.section_id
               JOIN courses c ON c.id = s.course_id
              WHERE l.slug = '{lesson}' AND c.slug = '{course}' AND c.tenant_id = {school})"
        )
    };
    let last = lessons.last().unwrap();
    db.superuser()
        .await
        .batch_execute(&format!(
            "UPDATE sections SET unlock_after_days = 7 WHERE id = {}",
            section_of(last)
        ))
        .await
        .unwrap();
    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    let path = format!("/courses/{course}/lessons/{last}");
    let res = ada.get(app.port, &path).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("This lesson opens on"), "{}", res.body);
    let res = ada.post(app.port, &format!("{path}/complete"), &[]).await;
    assert_eq!(res.status, 403);
    // The course page says when.
    let page = ada.get(app.port, &format!("/courses/{course}")).await;
    assert!(
        page.body.contains("Opens 7 days after you enroll"),
        "{}",
        page.body
    );

    app.state.clock.advance(chrono::Duration::days(6));
    assert_eq!(ada.get(app.port, &path).await.status, 403);
    app.state.clock.advance(chrono::Duration::days(1));
    assert_eq!(ada.get(app.port, &path).await.status, 200);

    // A date: shut until then, for everyone enrolled.
    let on = app.state.clock.now() + chrono::Duration::days(30);
    db.superuser()
        .await
        .batch_execute(&format!(
            "UPDATE sections SET unlock_after_days = NULL, unlock_at = '{}' WHERE id = {}",
            on.to_rfc3339(),
            section_of(last)
        ))
        .await
        .unwrap();
    // An operator's change reaches the instance's memory by NOTIFY, within milliseconds.
    let mut res = ada.get(app.port, &path).await;
    for _ in 0..50 {
        if res.status == 403 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        res = ada.get(app.port, &path).await;
    }
    assert_eq!(res.status, 403);
    assert!(
        res.body.contains(&on.format("%-d %B %Y").to_string()),
        "{}",
        res.body
    );
    app.state.clock.advance(chrono::Duration::days(31));
    assert_eq!(ada.get(app.port, &path).await.status, 200);
    app.stop().await;
}

#[actix_web::test]
async fn prerequisites_gate_enrollment_until_the_required_course_is_completed() {
    let (db, app) = TestApp::two_schools().await;
    let (first, lessons) = course_with_lessons(&db, "alpha").await;
    let alpha = "(SELECT id FROM tenants WHERE slug = 'alpha')";
    let first_title = db
        .text(&format!(
            "SELECT title AS t FROM courses WHERE slug = '{first}' AND tenant_id = {alpha}"
        ))
        .await;
    let (second_id, second) = {
        let row = db
            .text(&format!(
                "SELECT id::text || ' ' || slug AS t FROM courses WHERE tenant_id = {alpha}
                   AND published AND slug <> '{first}' ORDER BY slug LIMIT 1"
            ))
            .await;
        let (id, slug) = row.split_once(' ').unwrap();
        (id.to_owned(), slug.to_owned())
    };
    let category = db
        .text(&format!(
            "SELECT category AS t FROM courses WHERE id = '{second_id}'"
        ))
        .await;

    // An admin sets the prerequisite in the course editor; an unknown slug is refused.
    let mut admin = Browser::member(app.port, &db, "alpha", "root@example.org", "admin").await;
    let editor = format!("/author/courses/{second_id}");
    admin.get(app.port, &editor).await;
    let fields = |requires| {
        [
            ("title", "Second course"),
            ("slug", second.as_str()),
            ("category", category.as_str()),
            ("level", "beginner"),
            ("prerequisites", requires),
        ]
    };
    let res = admin
        .upload(app.port, &editor, &fields("no-such-course"))
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("There is no course “no-such-course” at this school.")
    );
    let res = admin.upload(app.port, &editor, &fields(&first)).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM course_prerequisites")
            .await,
        1
    );
    // …and drips a section in the same editor.
    let section = db
        .text(&format!("SELECT id::text AS t FROM sections WHERE course_id = '{second_id}' ORDER BY position LIMIT 1"))
        .await;
    admin.get(app.port, &editor).await;
    let res = admin
        .post(
            app.port,
            &format!("{editor}/sections/{section}"),
            &[
                ("action", "rename"),
                ("title", "Week one"),
                ("unlock_after_days", "3"),
                ("unlock_at", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) AS n FROM sections WHERE id = '{section}' AND unlock_after_days = 3"
        ))
        .await,
        1
    );

    // The course page and the catalog say what is required.
    let page = app
        .get("alpha.localhost", &format!("/courses/{second}"))
        .await;
    assert!(
        page.body.contains("Requires completing first"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("<a href=\"/courses/{first}\">{first_title}</a>"))
    );
    assert!(page.body.contains("Opens 3 days after you enroll"));
    let catalog = app.get("alpha.localhost", "/courses?q=Second").await;
    assert!(catalog.body.contains("Requires:"), "{}", catalog.body);

    let mut ada = enrolled(&app, "ada@example.org", &first).await;
    ada.get(app.port, &format!("/courses/{second}")).await;
    let res = ada
        .post(app.port, &format!("/courses/{second}/enroll"), &[])
        .await;
    assert_eq!(res.status, 403);
    assert!(
        res.body.contains(&format!("Complete {first_title} first.")),
        "{}",
        res.body
    );

    complete_lessons(&app, &mut ada, &first, &lessons).await;
    ada.get(app.port, &format!("/courses/{second}")).await;
    let res = ada
        .post(app.port, &format!("/courses/{second}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    app.stop().await;
}

/// Every query any pool of `app` ran so far.
/// Queries made for requests (the outbox senders' background sweeps left out).
/// The app's query counts by kind (the outbox's own sweep left out), so a failure names the
/// query that ran.
async fn all_queries(app: &TestApp) -> Vec<String> {
    app.metrics()
        .await
        .lines()
        .filter(|l| l.starts_with("eduflow_db_query_duration_seconds_count"))
        .filter(|l| !l.contains("\"outbox_sweep\""))
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn a_learners_pages_are_answered_from_memory_with_no_query_and_no_template() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let (_, quiz) = import(&db, &course, &["--attempts", "3"]).await;
    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    // Once the read-your-writes cookie has gone, as for most of a learner's requests.
    ada.drop_cookie("eduflow_seen");
    let (lesson, quiz) = (
        format!("/courses/{course}/lessons/{}", lessons[1]),
        format!("/courses/{course}/lessons/{quiz}"),
    );
    let pages = [
        "/learn".to_owned(),
        format!("/courses/{course}"),
        lesson,
        quiz,
    ];
    for page in &pages {
        assert_eq!(ada.get(app.port, page).await.status, 200, "{page}");
    }
    let (queries, renders) = (all_queries(&app).await, app.state.views.renders());
    for _ in 0..3 {
        let learn = ada.get(app.port, &pages[0]).await;
        assert!(learn.body.contains("progress-count\">0/"), "{}", learn.body);
        let course_page = ada.get(app.port, &pages[1]).await;
        assert!(course_page.body.contains("You are enrolled."));
        let lesson = ada.get(app.port, &pages[2]).await;
        assert!(lesson.body.contains("lesson-body") && lesson.body.contains("Mark complete"));
        assert!(lesson.body.contains(&format!("value=\"{}\"", ada.csrf())));
        let quiz = ada.get(app.port, &pages[3]).await;
        assert!(
            quiz.body.contains("3 left") && quiz.body.contains("What is the capital of France?")
        );
        assert_eq!(quiz.header("cache-control"), Some("no-store"));
    }
    assert_eq!(
        all_queries(&app).await,
        queries,
        "a warm page went to the database"
    );
    assert_eq!(
        app.state.views.renders(),
        renders,
        "a warm page ran a template"
    );

    // An attempt is the learner's own write: the quiz page shows it at once, attempts left down.
    let res = ada
        .post(app.port, &format!("{}/attempts", pages[3]), &[("q0", "0")])
        .await;
    assert!(res.status == 200 || res.status == 303, "{}", res.body);
    let quiz = ada.get(app.port, &pages[3]).await;
    assert!(
        quiz.body.contains("2 left") && quiz.body.contains("Your attempts"),
        "{}",
        quiz.body
    );
}

/// The verbs the LRS holds about `user` of the school at `home`, once the sender caught up.
async fn verbs_at_lrs(home: &str, user: &str, expected: usize) -> Vec<serde_json::Value> {
    let mut held = Vec::new();
    for _ in 0..250 {
        held = lrs().statements(home, user).await;
        if held.len() >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    held
}

#[actix_web::test]
async fn learning_reaches_the_schools_lrs_as_xapi_statements_kept_once_each() {
    let (db, app) = TestApp::two_schools().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let (_, quiz) = import(&db, &course, &["--pass-mark", "60"]).await;
    let tenants = tempdir("tenants");

    // The operator points alpha at its LRS; the password comes from a variable, and an endpoint
    // that is not an http(s) URL is refused.
    let update_alpha = |args: &'static [&'static str], endpoint: String| {
        let (db, tenants) = (&db, &tenants);
        async move {
            let mut all = vec!["tenants", "update", "alpha", "--lrs-endpoint", &endpoint];
            all.extend(args);
            eduflow_cli_with(
                db,
                &db.admin_url,
                tenants,
                &all,
                &[("LRS_SECRET", LRS_PASSWORD)],
            )
            .await
        }
    };
    let bad = update_alpha(&[], "ftp://lrs.example.org/".into()).await;
    refused(&bad, "The LRS endpoint is not usable");
    let lrs = lrs();
    let out = update_alpha(
        &[
            "--lrs-username",
            LRS_USER,
            "--lrs-password-env",
            "LRS_SECRET",
        ],
        lrs.endpoint(),
    )
    .await;
    succeeded(&out);

    let mut ada = enrolled(&app, "ada@example.org", &course).await;
    complete_lessons(&app, &mut ada, &course, &lessons).await;
    assert_eq!(
        submit(&app, &mut ada, &course, &quiz, WRONG).await.status,
        303
    );
    assert_eq!(
        submit(&app, &mut ada, &course, &quiz, RIGHT).await.status,
        303
    );
    let api = ada.get(app.port, "/api/v1/me/enrollments").await.json();
    let verify = api["items"][0]["certificate_url"]
        .as_str()
        .unwrap()
        .to_owned();
    // The learner's account is on the school's public address (its custom domain, else its
    // subdomain), as its mail links are.
    let school = app
        .state
        .directory
        .all()
        .into_iter()
        .find(|t| t.slug == "alpha")
        .unwrap();
    let home = app.state.mail.origin(&school);
    let user = db
        .text("SELECT id::text AS t FROM users WHERE email = 'ada@example.org'")
        .await;

    // Each lesson (the quiz too, once passed): launched, completed, and the course progressed;
    // the quiz failed, then passed; the course completed and its certificate earned.
    let expected = 3 * (lessons.len() + 1) + 4;
    let held = verbs_at_lrs(&home, &user, expected).await;
    let errors = db
        .text("SELECT coalesce(string_agg(DISTINCT verb || ': ' || coalesce(last_error, status), '; '), '') AS t FROM xapi_statements")
        .await;
    assert_eq!(held.len(), expected, "{errors}");
    let of = |verb: &str| -> Vec<&serde_json::Value> {
        held.iter()
            .filter(|s| {
                s["verb"]["id"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("/{verb}"))
            })
            .collect()
    };
    for (verb, n) in [
        ("launched", lessons.len() + 1),
        ("completed", lessons.len() + 2),
        ("progressed", lessons.len() + 1),
        ("passed", 1),
        ("failed", 1),
        ("earned", 1),
    ] {
        assert_eq!(of(verb).len(), n, "{verb}: {held:#?}");
    }
    let passed = of("passed")[0];
    assert_eq!(passed["result"]["score"]["scaled"], 1.0);
    assert_eq!(passed["result"]["success"], true);
    assert_eq!(
        passed["object"]["id"],
        format!("{home}/courses/{course}/lessons/{quiz}")
    );
    assert_eq!(
        passed["object"]["definition"]["type"],
        "http://adlnet.gov/expapi/activities/assessment"
    );
    assert_eq!(of("failed")[0]["result"]["success"], false);
    assert_eq!(of("earned")[0]["object"]["id"], format!("{home}{verify}"));
    assert_eq!(
        of("earned")[0]["verb"]["id"],
        "http://id.tincanapi.com/verb/earned"
    );
    let progress: Vec<i64> = of("progressed")
        .iter()
        .map(|s| {
            s["result"]["extensions"]["https://w3id.org/xapi/cmi5/result/extensions/progress"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert!(progress.contains(&100), "{progress:?}");
    // Each statement's id is its row's, and every row was delivered.
    assert_eq!(
        db.count("SELECT count(*) AS n FROM xapi_statements WHERE status = 'delivered'")
            .await,
        expected as i64
    );

    // A retry (a lease that ran out, a lost record) sends the same statements again: the LRS
    // keeps each once.
    db.superuser()
        .await
        .batch_execute(
            "UPDATE xapi_statements SET status = 'pending', next_attempt_at = now()
              WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha')",
        )
        .await
        .unwrap();
    let resent = eventually(std::time::Duration::from_secs(10), || async {
        db.count("SELECT count(*) AS n FROM xapi_statements WHERE status = 'pending'")
            .await
            == 0
    })
    .await;
    assert!(resent.is_some(), "the statements are sent again");
    assert_eq!(lrs.statements(&home, &user).await.len(), expected);

    // A school without an LRS writes no statement at all.
    let (beta_course, beta_lessons) = course_with_lessons(&db, "beta").await;
    let mut bob = Browser::new("beta");
    bob.sign_up(app.port, "bob@example.org").await;
    bob.post(app.port, &format!("/courses/{beta_course}/enroll"), &[])
        .await;
    bob.post(
        app.port,
        &format!(
            "/courses/{beta_course}/lessons/{}/complete",
            beta_lessons[0]
        ),
        &[],
    )
    .await;
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM lesson_progress p JOIN tenants t ON t.id = p.tenant_id
              WHERE t.slug = 'beta' AND p.completed_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM xapi_statements s JOIN tenants t ON t.id = s.tenant_id
              WHERE t.slug = 'beta'"
        )
        .await,
        0
    );
    app.stop().await;
}
