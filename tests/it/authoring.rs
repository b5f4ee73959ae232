//! Authoring: instructors build courses with covers and video lessons; roles and schools fence
//! who may edit what; forms, uploads and Markdown are checked from the attacker's side.

use std::io::Write;

use crate::accounts::sign_up;
use eduflow::startup::Settings;

use crate::harness::{
    FilePart, Response, TestApp, TestDb, operator_sets_role, post_form, post_multipart, request,
    settings, shared,
};

pub const VIDEO: &[u8] = include_bytes!("../../static/demo/lesson.webm");

/// A signed-in member of a school: their session cookie and their session's form token.
pub struct Member {
    pub host: String,
    pub session: String,
    pub csrf: String,
}

impl Member {
    /// Signs `email` up at `school` and gives them `role`.
    pub async fn new(app: &TestApp, db: &TestDb, school: &str, email: &str, role: &str) -> Self {
        let host = format!("{school}.localhost");
        let session = sign_up(app, &host, email).await;
        let cookie = format!("eduflow_session={session}");
        operator_sets_role(db, (app.port, &host, &cookie), email, role).await;
        let mut me = Self {
            host,
            session,
            csrf: String::new(),
        };
        me.csrf = me.get(app, "/learn").await.csrf_token();
        me
    }

    fn cookie(&self) -> String {
        format!("eduflow_session={}", self.session)
    }

    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        request(
            app.port,
            "GET",
            &self.host,
            path,
            &[("Cookie", &self.cookie())],
        )
        .await
    }

    pub async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = fields.to_vec();
        all.push(("csrf", &self.csrf));
        post_form(
            app.port,
            &self.host,
            path,
            &all,
            &[("Cookie", &self.cookie())],
        )
        .await
    }

    pub async fn upload(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
        files: &[FilePart<'_>],
    ) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        post_multipart(
            app.port,
            &self.host,
            path,
            &all,
            files,
            &[("Cookie", &self.cookie())],
        )
        .await
    }
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// An attribute of the page's `<video>` element, unescaped.
pub fn video_attr(page: &Response, name: &str) -> String {
    page.body
        .split("<video")
        .nth(1)
        .and_then(|v| v.split(&format!(" {name}=\"")).nth(1))
        .and_then(|v| v.split('"').next())
        .map(|v| v.replace("&amp;", "&").replace("&#x2F;", "/"))
        .unwrap_or_else(|| panic!("no {name} on the video: {}", page.body))
}

pub fn location(res: &Response) -> &str {
    assert_eq!(res.status, 303, "{}", res.body);
    res.header("location").expect("a redirect")
}

pub const COURSE: &[(&str, &str)] = &[
    ("title", "Rust for Data People"),
    ("summary", "Iterators, ownership and fast parsing."),
    (
        "description",
        "Learn *fast* data work.\n\n- iterators\n- ownership",
    ),
    ("category", "data"),
    ("tags", "rust, parsing"),
    ("level", "intermediate"),
    ("duration_minutes", "95"),
];

/// Creates a course with a cover, a section and a free-preview video lesson; returns the course's
/// editor path and its lesson editor path.
pub async fn build_course(app: &TestApp, author: &Member) -> (String, String) {
    let cover = png(640, 360);
    let res = author
        .upload(
            app,
            "/author/courses",
            COURSE,
            &[("cover", "cover.png", "image/png", &cover)],
        )
        .await;
    let course = location(&res).to_owned();
    assert!(course.starts_with("/author/courses/"), "{course}");
    location(
        &author
            .post(app, &format!("{course}/sections"), &[("title", "Basics")])
            .await,
    );
    let editor = author.get(app, &course).await;
    let section = editor
        .body
        .split("/sections/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a section form")
        .to_owned();
    let res = author
        .upload(
            app,
            &format!("{course}/sections/{section}/lessons"),
            &[
                ("title", "Why Rust"),
                ("body", "Watch **this**."),
                ("free_preview", "on"),
            ],
            &[("video", "intro.webm", "video/webm", VIDEO)],
        )
        .await;
    let lesson = location(&res).to_owned();
    (course, lesson)
}

/// The page of the lesson [`build_course`] makes, once the course is published.
pub const LESSON_PAGE: &str = "/courses/rust-for-data-people/lessons/why-rust";

/// Fresh schools, an app on settings changed by `configure`, and an instructor's course built with
/// [`build_course`] and published.
pub async fn published_course(configure: impl FnOnce(&mut Settings)) -> (TestDb, TestApp, Member) {
    let db = TestDb::new().await;
    db.two_schools().await;
    let mut s = settings(&db);
    configure(&mut s);
    let app = TestApp::spawn(s).await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    let (course, _) = build_course(&app, &ines).await;
    location(
        &ines
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await,
    );
    (db, app, ines)
}

#[actix_web::test]
async fn an_instructor_builds_and_publishes_a_course_that_learners_watch() {
    let (db, app) = TestApp::two_schools().await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    // The catalog is cached before the course exists.
    let before = app.get("alpha.localhost", "/courses?tag=parsing").await;
    assert!(!before.body.contains("Rust for Data People"));

    let blank = ines.get(&app, "/author/courses/new").await;
    assert_eq!(blank.status, 200, "{}", blank.body);
    assert!(blank.body.contains("enctype=\"multipart/form-data\""));
    let (course, lesson) = build_course(&app, &ines).await;
    for page in ["/author".to_owned(), course.clone(), lesson.clone()] {
        let res = ines.get(&app, &page).await;
        assert_eq!(res.status, 200, "{page}: {}", res.body);
        assert_eq!(res.header("cache-control"), Some("no-store"));
    }
    let editor = ines.get(&app, &course).await;
    let add_lesson = editor
        .body
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.ends_with("/lessons/new")))
        .expect("an add-lesson link")
        .to_owned();
    assert_eq!(ines.get(&app, &add_lesson).await.status, 200);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM course_instructors ci JOIN users u ON u.id = ci.user_id
              WHERE u.email = 'ines@alpha.test' AND ci.is_owner"
        )
        .await,
        1
    );
    assert_eq!(
        db.count(
            "SELECT count(*) FROM media WHERE content_type = 'image/png' AND width = 640 AND height = 360
               AND key LIKE 't/' || tenant_id || '/image/%.png' AND original_name = 'cover.png'"
        )
        .await,
        1
    );
    // The outline reorders: a second section moves above the first; a second lesson above the
    // first; deleting one leaves the other.
    let order = "SELECT string_agg(title, ',' ORDER BY position) FROM sections \
                 WHERE course_id = (SELECT id FROM courses WHERE slug = 'rust-for-data-people')";
    location(
        &ines
            .post(&app, &format!("{course}/sections"), &[("title", "Setup")])
            .await,
    );
    assert_eq!(db.text(order).await, "Basics,Setup");
    let editor = ines.get(&app, &course).await;
    let setup = editor
        .body
        .split("/sections/")
        .filter_map(|s| s.split('"').next())
        .filter(|id| id.len() == 36)
        .nth(1)
        .expect("the second section")
        .to_owned();
    let moved = ines
        .post(
            &app,
            &format!("{course}/sections/{setup}"),
            &[("action", "up")],
        )
        .await;
    location(&moved);
    assert_eq!(db.text(order).await, "Setup,Basics");
    let lessons = "SELECT string_agg(l.title, ',' ORDER BY l.position) FROM lessons l JOIN sections s ON s.id = l.section_id WHERE s.title = 'Basics'";
    let basics = db
        .text("SELECT id FROM sections WHERE title = 'Basics'")
        .await;
    let second = ines
        .upload(
            &app,
            &format!("{course}/sections/{basics}/lessons"),
            &[("title", "Second")],
            &[],
        )
        .await;
    let second = location(&second).to_owned();
    assert_eq!(db.text(lessons).await, "Why Rust,Second");
    location(
        &ines
            .post(&app, &format!("{second}/arrange"), &[("action", "up")])
            .await,
    );
    assert_eq!(db.text(lessons).await, "Second,Why Rust");
    location(
        &ines
            .post(&app, &format!("{second}/arrange"), &[("action", "delete")])
            .await,
    );
    assert_eq!(db.text(lessons).await, "Why Rust");
    // A deletion is on the school's audit log, by its author.
    assert_eq!(
        db.text("SELECT action || ' ' || actor FROM audit_log WHERE action LIKE 'course.%deleted'")
            .await,
        "course.lesson_deleted ines@alpha.test"
    );
    assert_eq!(
        ines.post(
            &app,
            &format!("{course}/sections/{setup}"),
            &[("action", "sideways")]
        )
        .await
        .status,
        400
    );
    // A draft is not in the catalog.
    assert_eq!(
        app.get("alpha.localhost", "/courses/rust-for-data-people")
            .await
            .status,
        404
    );
    location(
        &ines
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await,
    );

    // Published: the cached catalog page was dropped at once, and the course page renders the
    // sanitised Markdown description.
    let catalog = app.get("alpha.localhost", "/courses?tag=parsing").await;
    assert!(
        catalog.body.contains("Rust for Data People"),
        "{}",
        catalog.body
    );
    let page = app
        .get("alpha.localhost", "/courses/rust-for-data-people")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<em>fast</em>"), "{}", page.body);
    assert!(page.body.contains("<li>iterators</li>"));
    // The other school never sees it.
    assert_eq!(
        app.get("beta.localhost", "/courses/rust-for-data-people")
            .await
            .status,
        404
    );

    // A learner opens the free-preview lesson: signed video with the cover as poster.
    let lesson = app
        .get(
            "alpha.localhost",
            "/courses/rust-for-data-people/lessons/why-rust",
        )
        .await;
    assert_eq!(lesson.status, 200);
    assert!(lesson.body.contains("<strong>this</strong>"));
    let (src, poster) = (video_attr(&lesson, "src"), video_attr(&lesson, "poster"));
    assert!(
        src.starts_with("/media/t/") && src.contains("&sig="),
        "{src}"
    );
    let video = request(app.port, "GET", "alpha.localhost", &src, &[]).await;
    assert_eq!(video.status, 200);
    assert_eq!(
        video.header("content-length"),
        Some(VIDEO.len().to_string().as_str())
    );
    let cover = request(app.port, "GET", "alpha.localhost", &poster, &[]).await;
    assert_eq!(
        (cover.status, cover.header("content-type")),
        (200, Some("image/png"))
    );
}

#[actix_web::test]
async fn only_the_schools_owners_assignees_and_admins_edit_and_nothing_leaks() {
    let (db, app) = TestApp::two_schools().await;
    let owner = Member::new(&app, &db, "alpha", "owner@alpha.test", "instructor").await;
    let other = Member::new(&app, &db, "alpha", "other@alpha.test", "instructor").await;
    let learner = Member::new(&app, &db, "alpha", "learner@alpha.test", "learner").await;
    let admin = Member::new(&app, &db, "alpha", "admin@alpha.test", "admin").await;
    let foreign = Member::new(&app, &db, "beta", "admin@beta.test", "admin").await;
    let (course, lesson) = build_course(&app, &owner).await;
    let rows = "SELECT count(*) FROM courses WHERE title = 'Rust for Data People'";
    let renamed = "SELECT count(*) FROM courses WHERE title = 'Hijacked'";
    let hijack = [
        ("title", "Hijacked"),
        ("category", "data"),
        ("level", "beginner"),
    ];

    // Anonymous visitors are sent to log in; learners are refused, and nothing is written.
    let anon = app.get("alpha.localhost", "/author").await;
    assert_eq!(anon.status, 303);
    assert!(anon.header("location").unwrap().starts_with("/login?next="));
    assert_eq!(learner.get(&app, "/author").await.status, 403);
    assert_eq!(learner.get(&app, &course).await.status, 403);
    assert_eq!(
        learner
            .upload(&app, "/author/courses", &hijack, &[])
            .await
            .status,
        403
    );
    assert_eq!(
        learner.upload(&app, &course, &hijack, &[]).await.status,
        403
    );
    assert_eq!(learner.get(&app, "/admin/members").await.status, 403);

    // Another instructor of the same school may not edit a course they are not assigned to.
    assert_eq!(other.get(&app, &course).await.status, 403);
    assert_eq!(other.upload(&app, &course, &hijack, &[]).await.status, 403);
    assert_eq!(
        other
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await
            .status,
        403
    );
    assert_eq!(
        other
            .post(&app, &format!("{lesson}/arrange"), &[("action", "delete")])
            .await
            .status,
        403
    );
    assert!(
        !other
            .get(&app, "/author")
            .await
            .body
            .contains("Rust for Data People")
    );

    // Another school's admin, with the same ids on their own host: not found, nothing written.
    for path in [course.clone(), lesson.clone()] {
        assert_eq!(foreign.get(&app, &path).await.status, 404, "{path}");
        assert_eq!(
            foreign.upload(&app, &path, &hijack, &[]).await.status,
            404,
            "{path}"
        );
    }
    assert_eq!(
        foreign
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await
            .status,
        404
    );
    // Their session cookie at alpha's host is no session at all.
    let replayed = request(
        app.port,
        "GET",
        "alpha.localhost",
        &course,
        &[("Cookie", &format!("eduflow_session={}", foreign.session))],
    )
    .await;
    assert_eq!(replayed.status, 303);
    assert_eq!((db.count(rows).await, db.count(renamed).await), (1, 0));

    // A forged form (no token, or another origin) changes nothing.
    let forged = post_multipart(
        app.port,
        "alpha.localhost",
        &course,
        &hijack,
        &[],
        &[("Cookie", &format!("eduflow_session={}", owner.session))],
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(db.count(renamed).await, 0);

    // The owner assigns the other instructor, who may then edit; a learner cannot be assigned.
    let assign = |email: &'static str| {
        let course = course.clone();
        let owner = &owner;
        let app = &app;
        async move {
            owner
                .post(
                    app,
                    &format!("{course}/instructors"),
                    &[("action", "assign"), ("email", email)],
                )
                .await
        }
    };
    assert_eq!(assign("learner@alpha.test").await.status, 422);
    assert_eq!(assign("admin@beta.test").await.status, 422);
    location(&assign("other@alpha.test").await);
    assert_eq!(other.get(&app, &course).await.status, 200);
    // Only the assignment that happened is on the audit log.
    assert_eq!(
        db.text("SELECT string_agg(action || ' ' || (after->>'email'), ',') FROM audit_log WHERE action LIKE 'course.instructor%'")
            .await,
        "course.instructor_assigned other@alpha.test"
    );
    // Admins edit every course of their school.
    location(&admin.upload(&app, &course, &hijack, &[]).await);
    assert_eq!(db.count(renamed).await, 1);

    // Roles: admins only; a foreign member id is not found; an admin cannot demote themselves.
    let members = admin.get(&app, "/admin/members").await;
    assert!(members.body.contains("learner@alpha.test"));
    assert!(!members.body.contains("admin@beta.test"));
    let id_of = |email: &str| format!("SELECT id::text AS v FROM users WHERE email = '{email}'");
    let learner_id = db.text(&id_of("learner@alpha.test")).await;
    let foreign_id = db.text(&id_of("admin@beta.test")).await;
    let admin_id = db.text(&id_of("admin@alpha.test")).await;
    let promote = format!("/admin/members/{learner_id}");
    assert_eq!(
        other
            .post(&app, &promote, &[("role", "admin")])
            .await
            .status,
        403
    );
    assert_eq!(
        admin
            .post(&app, &promote, &[("role", "owner")])
            .await
            .status,
        422
    );
    assert_eq!(
        admin
            .post(
                &app,
                &format!("/admin/members/{foreign_id}"),
                &[("role", "learner")]
            )
            .await
            .status,
        404
    );
    assert_eq!(
        admin
            .post(
                &app,
                &format!("/admin/members/{admin_id}"),
                &[("role", "learner")]
            )
            .await
            .status,
        409
    );
    assert_eq!(
        db.count("SELECT count(*) FROM users WHERE role = 'admin' AND email = 'admin@beta.test'")
            .await,
        1
    );
    location(&admin.post(&app, &promote, &[("role", "instructor")]).await);
    // The new role holds from the learner's next request.
    assert_eq!(learner.get(&app, "/author").await.status, 200);
}

#[actix_web::test]
async fn bad_forms_are_shown_again_with_their_values_and_store_nothing() {
    let (db, app) = TestApp::two_schools().await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    let before = db.count("SELECT count(*) FROM courses").await;
    let res = ines
        .upload(
            &app,
            "/author/courses",
            &[
                ("title", "<b>Kept</b> as typed"),
                ("slug", "Bad Slug!"),
                ("category", "cooking"),
                ("level", "expert"),
                ("tags", "ok, not a tag"),
                ("duration_minutes", "soon"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("value=\"&lt;b&gt;Kept&lt;&#x2F;b&gt; as typed\""),
        "{}",
        res.body
    );
    for (field, message) in [
        ("slug", "Use lowercase letters"),
        ("category", "Choose one of the school"),
        ("level", "Choose a level"),
        ("tags", "is not a tag"),
        ("duration_minutes", "A whole number"),
    ] {
        let shown = res
            .body
            .split(&format!("id=\"{field}-error\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("no message for {field}"));
        assert!(shown.contains(message), "{field}: {shown:.80}");
    }
    assert_eq!(db.count("SELECT count(*) FROM courses").await, before);
    // A form with no fields at all (a hand-made request) is answered the same way.
    let empty = ines.upload(&app, "/author/courses", &[], &[]).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(db.count("SELECT count(*) FROM courses").await, before);

    // A slug another course uses: shown on the slug field, nothing stored.
    let alpha_courses = "SELECT count(*) FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha'";
    let taken = db.count(alpha_courses).await;
    let slug = db
        .text("SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'alpha' LIMIT 1")
        .await;
    let copy = [
        ("title", "Copy"),
        ("slug", slug.as_str()),
        ("category", "data"),
        ("level", "beginner"),
    ];
    let res = ines.upload(&app, "/author/courses", &copy, &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Another course already uses this slug."));
    assert_eq!(db.count(alpha_courses).await, taken);
    // …while the same slug at the other school is fine (slugs are per school).
    let beta = Member::new(&app, &db, "beta", "ines@beta.test", "instructor").await;
    let res = beta.upload(&app, "/author/courses", &copy, &[]).await;
    location(&res);
}

#[actix_web::test]
async fn hostile_markdown_loses_its_scripts_on_every_page() {
    let (db, app) = TestApp::two_schools().await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    let hostile = "Hello <script>alert(1)</script><img src=x onerror=alert(2)> \
                   [x](javascript:alert(3)) <a href=\"jAvAsCrIpT:alert(4)\">y</a> \
                   <iframe src=\"https://evil.test\"></iframe> **bold**";
    let res = ines
        .upload(
            &app,
            "/author/courses",
            &[
                ("title", "Hostile"),
                ("category", "data"),
                ("level", "beginner"),
                ("description", hostile),
            ],
            &[],
        )
        .await;
    let course = location(&res).to_owned();
    location(
        &ines
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await,
    );
    let page = app.get("alpha.localhost", "/courses/hostile").await;
    assert_eq!(page.status, 200);
    let description = page
        .body
        .split("<section class=\"description\">")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_lowercase();
    assert!(
        description.contains("<strong>bold</strong>"),
        "{description}"
    );
    for banned in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!description.contains(banned), "{banned} in {description}");
    }
}

#[actix_web::test]
async fn uploads_are_sniffed_and_limited_and_refusals_leave_nothing_behind() {
    let (db, app) = TestApp::two_schools().await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    let media_rows = "SELECT count(*) FROM media";
    let before = db.count(media_rows).await;
    let course = [
        ("title", "Uploads"),
        ("category", "data"),
        ("level", "beginner"),
    ];
    let png = png(32, 32);
    let mut huge_header = png.clone();
    // IHDR width and height (bytes 16..24): 20000×20000, far over the pixel limit.
    huge_header[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    huge_header[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let mut garbage_png = b"\x89PNG\r\n\x1a\n".to_vec();
    garbage_png.extend_from_slice(&[7; 200]);
    // One pixel past WebP's side limit, well under the pixel limit (5.2 MP, one colour).
    let tall = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(320, 16_384)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    // A valid signature and header (64×64), then broken image data.
    let mut broken_data = self::png(64, 64);
    let idat = broken_data.windows(4).position(|w| w == b"IDAT").unwrap();
    for b in &mut broken_data[idat + 4..idat + 40] {
        *b ^= 0x5a;
    }
    let avif = [
        &[0, 0, 0, 0x1c][..],
        b"ftypavif",
        &[0, 0, 0, 0],
        b"avifmif1miaf",
        &[0; 64],
    ]
    .concat();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(1)</script></svg>";
    let mut big_video = VIDEO.to_vec();
    big_video.resize(5 << 20, 0); // over the test limit of 4 MiB
    let cases: [(&str, FilePart<'_>, u16); 10] = [
        (
            "html as png",
            (
                "cover",
                "x.png",
                "image/png",
                b"<!doctype html><script>alert(1)</script>",
            ),
            415,
        ),
        ("svg", ("cover", "x.svg", "image/svg+xml", svg), 415),
        (
            "png declared jpeg",
            ("cover", "x.jpg", "image/jpeg", &png),
            415,
        ),
        (
            "video as cover",
            ("cover", "v.webm", "video/webm", VIDEO),
            415,
        ),
        (
            "over the pixel limit",
            ("cover", "big.png", "image/png", &huge_header),
            422,
        ),
        (
            "not a readable image",
            ("cover", "bad.png", "image/png", &garbage_png),
            422,
        ),
        (
            "past WebP's 16383-pixel side",
            ("cover", "tall.png", "image/png", &tall),
            422,
        ),
        (
            "a valid header with broken data",
            ("cover", "broken.png", "image/png", &broken_data),
            422,
        ),
        (
            "AVIF, which cannot be decoded here",
            ("cover", "x.avif", "image/avif", &avif),
            415,
        ),
        (
            "too large",
            ("cover", "v.webm", "video/webm", &big_video),
            413,
        ),
    ];
    for (what, file, status) in cases {
        let res = ines.upload(&app, "/author/courses", &course, &[file]).await;
        assert_eq!(res.status, status, "{what}: {}", res.body);
        assert_eq!(db.count(media_rows).await, before, "{what}");
        assert_eq!(
            db.count("SELECT count(*) FROM courses WHERE title = 'Uploads'")
                .await,
            0,
            "{what}"
        );
    }
    let staging = std::fs::read_dir(shared().root.join("staging"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(staging, 0, "staged files are removed");
    // An MP4 lesson video (its moov box at the end): accepted, sized and timed from its headers.
    let clip = include_bytes!("../fixtures/clip.mp4");
    let created = ines.upload(&app, "/author/courses", &course, &[]).await;
    let editor = location(&created).to_owned();
    location(
        &ines
            .post(&app, &format!("{editor}/sections"), &[("title", "One")])
            .await,
    );
    let section = db
        .text("SELECT s.id FROM sections s JOIN courses c ON c.id = s.course_id WHERE c.title = 'Uploads'")
        .await;
    let lesson = ines
        .upload(
            &app,
            &format!("{editor}/sections/{section}/lessons"),
            &[("title", "Clip")],
            &[("video", "clip.mp4", "video/mp4", clip)],
        )
        .await;
    location(&lesson);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM media WHERE content_type = 'video/mp4' AND width = 320 AND height = 180
               AND duration_seconds = 3 AND original_name = 'clip.mp4'"
        )
        .await,
        1
    );
    assert_eq!(
        db.text("SELECT duration_seconds FROM lessons WHERE slug = 'clip'")
            .await,
        "3"
    );
    let before = db.count(media_rows).await;
    // The same cover on two courses is one object and one row.
    for title in ["Once", "Twice"] {
        let fields = [
            ("title", title),
            ("category", "data"),
            ("level", "beginner"),
        ];
        location(
            &ines
                .upload(
                    &app,
                    "/author/courses",
                    &fields,
                    &[("cover", "c.png", "image/png", &png)],
                )
                .await,
        );
    }
    assert_eq!(db.count(media_rows).await, before + 1);
}

/// An HLS ladder as a zip: a master, one variant, two segments (and whatever `extra` adds).
pub fn ladder(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let files: Vec<(&str, &[u8])> = vec![
        ("ladder/master.m3u8", b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=320x180\n180p/index.m3u8\n"),
        ("ladder/180p/index.m3u8", b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg0.ts\n#EXTINF:2.0,\n../seg/seg1.ts\n#EXT-X-ENDLIST\n"),
        ("ladder/180p/seg0.ts", &[0x47, 1, 2, 3]),
        ("ladder/seg/seg1.ts", &[0x47, 4, 5, 6, 7]),
    ];
    for (name, bytes) in files.into_iter().chain(extra.iter().copied()) {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn an_hls_ladder_plays_through_per_request_signed_playlists() {
    let (db, app) = TestApp::two_schools().await;
    let ines = Member::new(&app, &db, "alpha", "ines@alpha.test", "instructor").await;
    let (course, lesson) = build_course(&app, &ines).await;
    let fields = [("title", "Why Rust"), ("free_preview", "on")];
    // Refused ladders: an escaping path, a stray HTML file, no master playlist.
    let escaping = ladder(&[("../../evil.ts", &[0x47])]);
    let html = ladder(&[("ladder/index.html", b"<script>alert(1)</script>")]);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("a.ts", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&[0x47]).unwrap();
    let masterless = zip.finish().unwrap().into_inner();
    let rows = db.count("SELECT count(*) FROM media").await;
    for (what, bytes, status) in [
        ("escaping", &escaping, 422),
        ("html", &html, 415),
        ("no master", &masterless, 422),
    ] {
        let res = ines
            .upload(
                &app,
                &lesson,
                &fields,
                &[("hls", "l.zip", "application/zip", bytes)],
            )
            .await;
        assert_eq!(res.status, status, "{what}: {}", res.body);
        assert_eq!(db.count("SELECT count(*) FROM media").await, rows, "{what}");
    }
    let good = ladder(&[]);
    location(
        &ines
            .upload(
                &app,
                &lesson,
                &fields,
                &[("hls", "l.zip", "application/zip", &good)],
            )
            .await,
    );
    location(
        &ines
            .post(&app, &format!("{course}/publish"), &[("publish", "1")])
            .await,
    );

    let page = app
        .get(
            "alpha.localhost",
            "/courses/rust-for-data-people/lessons/why-rust",
        )
        .await;
    assert!(page.body.contains("/static/vendor/hls.light.min.js"));
    let master_url = page
        .body
        .split("data-hls=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a ladder on the video")
        .replace("&amp;", "&")
        .replace("&#x2F;", "/");
    assert!(master_url.starts_with("/hls/t/"), "{master_url}");
    let get = |url: String| {
        let app = &app;
        async move { request(app.port, "GET", "alpha.localhost", &url, &[]).await }
    };
    let master = get(master_url.clone()).await;
    assert_eq!(master.status, 200);
    assert_eq!(
        master.header("content-type"),
        Some("application/vnd.apple.mpegurl")
    );
    let variant_url = master
        .body
        .lines()
        .find(|l| l.starts_with("/hls/"))
        .expect("a signed variant")
        .to_owned();
    let variant = get(variant_url).await;
    assert_eq!(variant.status, 200);
    let segments: Vec<_> = variant
        .body
        .lines()
        .filter(|l| l.starts_with("/media/"))
        .map(str::to_owned)
        .collect();
    assert_eq!(segments.len(), 2, "{}", variant.body);
    let first = get(segments[0].clone()).await;
    assert_eq!(
        (first.status, first.header("content-type")),
        (200, Some("video/mp2t"))
    );
    assert_eq!(first.body.as_bytes(), [0x47, 1, 2, 3]);
    assert_eq!(
        get(segments[1].clone()).await.body.as_bytes(),
        [0x47, 4, 5, 6, 7]
    );
    // A tampered playlist link, or the playlist at the other school: refused.
    assert_eq!(get(master_url.replace("sig=", "sig=x")).await.status, 403);
    assert_eq!(
        request(app.port, "GET", "beta.localhost", &master_url, &[])
            .await
            .status,
        404
    );
}
