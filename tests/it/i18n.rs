//! Languages: a school's default and offered locales, the visitor's choice (`?lang=`, its
//! cookie, `Accept-Language`), the account's, pages cached per language on every instance, and
//! the pseudo-locale finding text that skipped translation.

use crate::harness::*;
use crate::learning::course_with_lessons;

/// A fresh database whose `alpha` speaks German by default and offers English, German and
/// Arabic (and `extra`).
async fn multilingual(extra: &str) -> TestDb {
    let db = TestDb::new().await;
    db.two_schools().await;
    let text = format!(
        "locale = \"de\"\nlocales = [\"de\", \"en\", \"ar\"{extra}]\n{}",
        school_toml("alpha", &["learn.alpha.test"])
    );
    db.sync_schools(&[("alpha", &text)]).await;
    db
}

fn html_lang(res: &Response) -> (String, String) {
    let head = res.body.split("<html").nth(1).expect("an html element");
    let attr = |name: &str| {
        head.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    (attr("lang"), attr("dir"))
}

async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Response {
    request(app.port, "GET", "alpha.localhost", path, headers).await
}

#[actix_web::test]
async fn a_school_speaks_its_default_and_visitors_pick_among_its_languages() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let german = page(&app, "/", &[]).await;
    assert_eq!(html_lang(&german), ("de".into(), "ltr".into()));
    assert!(german.body.contains("Neueste Kurse"), "{}", german.body);
    let arabic = page(
        &app,
        "/",
        &[("Accept-Language", "fr-FR, ar;q=0.8, en;q=0.5")],
    )
    .await;
    assert_eq!(html_lang(&arabic), ("ar".into(), "rtl".into()));
    assert!(arabic.body.contains("أحدث الدورات"));
    // Nothing offered is wanted: the school's own language.
    let fallback = page(&app, "/courses", &[("Accept-Language", "fr, ja")]).await;
    assert_eq!(html_lang(&fallback).0, "de");
    // A school that offers only English answers in English whatever is asked.
    let beta = request(
        app.port,
        "GET",
        "beta.localhost",
        "/",
        &[("Accept-Language", "de")],
    )
    .await;
    assert_eq!(html_lang(&beta), ("en".into(), "ltr".into()));
    assert!(beta.body.contains("Newest courses"));

    // `?lang=` keeps the choice and sends the browser back without it.
    let chose = page(&app, "/courses?category=data&lang=ar", &[]).await;
    assert_eq!(chose.status, 303);
    assert_eq!(chose.header("location"), Some("/courses?category=data"));
    assert_eq!(chose.cookie("eduflow_lang").as_deref(), Some("ar"));
    let chosen = page(
        &app,
        "/courses?category=data",
        &[("Cookie", "eduflow_lang=ar"), ("Accept-Language", "en")],
    )
    .await;
    assert_eq!(html_lang(&chosen), ("ar".into(), "rtl".into()));
    // A language the school does not offer is not kept, and a forged cookie is ignored.
    let refused = page(&app, "/?lang=fr", &[]).await;
    assert_eq!(
        (refused.status, refused.cookie("eduflow_lang")),
        (303, None)
    );
    let forged = page(&app, "/", &[("Cookie", "eduflow_lang=xx")]).await;
    assert_eq!(html_lang(&forged).0, "de");
    // Cached pages say that they vary with the language asked for.
    assert!(german.header("vary").unwrap().contains("Accept-Language"));
    app.stop().await;
}

#[actix_web::test]
async fn an_account_keeps_its_language_for_its_browsers_and_its_mail() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let mut browser = Browser::new("alpha");
    assert_eq!(browser.get(app.port, "/signup?lang=ar").await.status, 303);
    browser.get(app.port, "/signup").await;
    let signed_up = browser
        .post(
            app.port,
            "/signup",
            &[
                ("name", "Layla"),
                ("email", "layla@example.org"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(signed_up.status, 303, "{}", signed_up.body);
    let stored = "SELECT coalesce(locale, '') AS v FROM users WHERE email = 'layla@example.org'";
    assert_eq!(
        db.text(stored).await,
        "ar",
        "the sign-up's language is the account's"
    );
    let account = browser.get(app.port, "/account").await;
    assert_eq!(html_lang(&account).0, "ar");
    assert!(account.body.contains("حسابك"));
    // A language the school does not offer is refused, and nothing changes.
    let refused = browser
        .post(app.port, "/account/language", &[("locale", "fr")])
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(db.text(stored).await, "ar");
    let changed = browser
        .post(app.port, "/account/language", &[("locale", "de")])
        .await;
    assert_eq!(changed.status, 303);
    assert_eq!(changed.cookie("eduflow_lang").as_deref(), Some("de"));
    assert_eq!(db.text(stored).await, "de");
    // Another browser, with nothing chosen, gets the account's language when it signs in.
    let mut other = Browser::new("alpha");
    other.get(app.port, "/login").await;
    let login = other
        .post(
            app.port,
            "/login",
            &[
                ("email", "layla@example.org"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    assert_eq!(login.status, 303);
    assert_eq!(login.cookie("eduflow_lang").as_deref(), Some("de"));
    let learn = other.get(app.port, "/learn").await;
    assert_eq!(html_lang(&learn).0, "de");
    assert!(learn.body.contains("Mein Lernen"));
    app.stop().await;
}

#[actix_web::test]
async fn two_instances_serve_two_languages_and_drop_both_after_a_change() {
    let db = multilingual("").await;
    let (one, two) = (
        TestApp::spawn(settings(&db)).await,
        TestApp::spawn(settings(&db)).await,
    );
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let path = format!("/courses/{course}");
    let de = [("Accept-Language", "de")];
    let ar = [("Accept-Language", "ar")];
    for app in [&one, &two] {
        let (german, arabic) = (page(app, &path, &de).await, page(app, &path, &ar).await);
        assert!(german.body.contains("Lehrplan") && !german.body.contains("المنهج"));
        assert!(arabic.body.contains("المنهج") && !arabic.body.contains("Lehrplan"));
    }
    // An operator's plain SQL (no tenant set, no actor told) renames the course.
    let mut conn = db.superuser().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE courses SET title = 'Renamed in SQL' WHERE slug = '{course}'"
        )),
        &mut conn,
    )
    .await
    .unwrap();
    for app in [&one, &two] {
        for headers in [&de, &ar] {
            let fresh = eventually(std::time::Duration::from_secs(2), || async {
                page(app, &path, headers)
                    .await
                    .body
                    .contains("Renamed in SQL")
            })
            .await;
            assert!(fresh.is_some(), "a stale {headers:?} page on one instance");
        }
    }
    one.stop().await;
    two.stop().await;
}

/// The text a reader sees: tags, scripts and the author's content (lesson bodies, course
/// descriptions) left out.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html.split("</head>").last().unwrap_or(html);
    let mut depth_skip = 0usize;
    while let Some(open) = rest.find('<') {
        if depth_skip == 0 {
            out.push_str(&rest[..open]);
            out.push(' ');
        }
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        let tag = &rest[open..close];
        if tag.contains("class=\"lesson-body\"") || tag.contains("class=\"description\"") {
            depth_skip = 1;
        } else if depth_skip > 0 && (tag.starts_with("<div") || tag.starts_with("<section")) {
            depth_skip += 1;
        } else if depth_skip > 0 && (tag.starts_with("</div") || tag.starts_with("</section")) {
            depth_skip -= 1;
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

#[actix_web::test]
async fn the_pseudo_locale_shows_no_english_left_on_a_learners_pages() {
    let db = multilingual(", \"en-XA\"").await;
    let app = TestApp::spawn(settings(&db)).await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let mut learner = Browser::new("alpha");
    learner.get(app.port, "/?lang=en-XA").await;
    let mut anonymous = Browser::new("alpha");
    anonymous.get(app.port, "/?lang=en-XA").await;
    learner.get(app.port, "/signup").await;
    learner
        .post(
            app.port,
            "/signup",
            &[
                ("name", "Ωμέγα"),
                ("email", "omega@example.org"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    learner.get(app.port, &format!("/courses/{course}")).await;
    learner
        .post(app.port, &format!("/courses/{course}/enroll"), &[])
        .await;
    // What the school's people wrote stays as written: it is not ours to translate.
    let mut data: Vec<String> = Vec::new();
    for sql in [
        "SELECT title AS v FROM courses",
        "SELECT summary AS v FROM courses",
        "SELECT title AS v FROM lessons",
        "SELECT title AS v FROM sections",
        "SELECT name AS v FROM categories",
        "SELECT name AS v FROM tenants",
        "SELECT unnest(tags) AS v FROM courses",
        "SELECT slug AS v FROM categories",
    ] {
        #[derive(diesel::QueryableByName)]
        struct V {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let rows: Vec<V> =
            diesel_async::RunQueryDsl::load(diesel::sql_query(sql), &mut db.superuser().await)
                .await
                .unwrap();
        data.extend(rows.into_iter().map(|r| r.v));
    }
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    let lesson = format!("/courses/{course}/lessons/{}", lessons[0]);
    let pages: Vec<(&str, Response)> = vec![
        ("home", anonymous.get(app.port, "/").await),
        ("catalog", anonymous.get(app.port, "/courses").await),
        (
            "course",
            anonymous.get(app.port, &format!("/courses/{course}")).await,
        ),
        ("lesson (visitor)", anonymous.get(app.port, &lesson).await),
        ("login", anonymous.get(app.port, "/login").await),
        ("signup", anonymous.get(app.port, "/signup").await),
        (
            "password",
            anonymous.get(app.port, "/password/forgot").await,
        ),
        (
            "course (enrolled)",
            learner.get(app.port, &format!("/courses/{course}")).await,
        ),
        ("lesson (enrolled)", learner.get(app.port, &lesson).await),
        ("learn", learner.get(app.port, "/learn").await),
        ("account", learner.get(app.port, "/account").await),
    ];
    for (name, res) in pages {
        assert_eq!(res.status, 200, "{name}");
        assert_eq!(html_lang(&res).0, "en-XA", "{name}");
        let mut text = visible(&res.body);
        for d in &data {
            text = text.replace(d.as_str(), " ");
        }
        let english: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 2)
            // The address is the person's; language names are written in their language.
            .filter(|w| !["omega", "example", "org", "English", "Deutsch"].contains(w))
            .collect();
        assert!(
            english.is_empty(),
            "{name} has untranslated text: {english:?}"
        );
    }
    app.stop().await;
}
