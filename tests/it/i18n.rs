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

/// The link in `html` right after `marker`, its entities decoded.
fn link_after(html: &str, marker: &str) -> String {
    html.split(marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {marker} in {html}"))
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

/// The path and query of a link, absolute or not.
fn path_of(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    }
}

fn clone(res: &Response) -> Response {
    Response {
        status: res.status,
        headers: res.headers.clone(),
        body: res.body.clone(),
        bytes: res.bytes.clone(),
    }
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

/// The text a reader sees: tags left out, and with them what is not prose of ours — scripts,
/// code (ids, URLs, event names), form contents, the author's content (lesson bodies, course
/// descriptions), and whatever is marked as written in a language of its own (`lang="…"`:
/// language names in themselves, a course's text).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html.split("</head>").last().unwrap_or(html);
    // The closing tag that ends what is being skipped, and how many of its kind are open.
    let mut skipping: Option<(&str, usize)> = None;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&rest[..open]);
            out.push(' ');
        }
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        let tag = &rest[open..close];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        match &mut skipping {
            None => {
                if ["script", "style", "code", "textarea", "pre"].contains(&name.as_str()) {
                    skipping = Some((
                        match name.as_str() {
                            "script" => "script",
                            "style" => "style",
                            "code" => "code",
                            "textarea" => "textarea",
                            _ => "pre",
                        },
                        1,
                    ));
                } else if tag.contains("class=\"lesson-body\"")
                    || tag.contains("class=\"description\"")
                {
                    skipping = Some((if name == "div" { "div" } else { "section" }, 1));
                } else if tag.contains(" lang=\"") && !tag.ends_with("/>") {
                    let kind: &'static str = match name.as_str() {
                        "option" => "option",
                        "label" => "label",
                        "span" => "span",
                        "a" => "a",
                        "p" => "p",
                        "h1" => "h1",
                        "h3" => "h3",
                        "div" => "div",
                        "li" => "li",
                        _ => "",
                    };
                    if !kind.is_empty() {
                        skipping = Some((kind, 1));
                    }
                }
            }
            Some((kind, depth)) => {
                if name == *kind {
                    *depth += 1;
                } else if name.strip_prefix('/') == Some(*kind) {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                }
            }
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

#[actix_web::test]
async fn the_pseudo_locale_leaves_no_english_on_any_page_type() {
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
    let mut admin = Browser::new("alpha");
    admin.get(app.port, "/?lang=en-XA").await;
    admin.get(app.port, "/signup").await;
    admin
        .post(
            app.port,
            "/signup",
            &[
                ("name", "Ἄλφα"),
                ("email", "omega-admin@example.org"),
                ("password", "a long enough passphrase"),
            ],
        )
        .await;
    let cookie = admin.cookie_header();
    operator_sets_role(
        &db,
        (app.port, "alpha.localhost", &cookie),
        "omega-admin@example.org",
        "admin",
    )
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
        "SELECT name AS v FROM users",
        "SELECT email AS v FROM users",
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
        (
            "not found",
            anonymous.get(app.port, "/courses/no-such-course").await,
        ),
    ];
    let ids = |sql: &'static str| {
        let db = &db;
        async move { db.text(sql).await }
    };
    let course_id = ids("SELECT id::text AS v FROM courses WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha') ORDER BY slug LIMIT 1").await;
    let lesson_id = ids("SELECT l.id::text AS v FROM lessons l JOIN sections s ON s.id = l.section_id WHERE s.course_id = (SELECT id FROM courses WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'alpha') ORDER BY slug LIMIT 1) LIMIT 1").await;
    let learner_id = ids("SELECT id::text AS v FROM users WHERE email = 'omega@example.org'").await;
    let mut staff_pages: Vec<(String, Response)> = Vec::new();
    for path in [
        "/author".to_owned(),
        "/author/courses/new".to_owned(),
        format!("/author/courses/{course_id}"),
        format!("/author/courses/{course_id}/learners"),
        format!("/author/courses/{course_id}/lessons/{lesson_id}"),
        "/admin/members".to_owned(),
        "/admin/learners".to_owned(),
        format!("/admin/learners/{learner_id}"),
        "/admin/api".to_owned(),
        "/admin/sso".to_owned(),
        "/admin/webhooks".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/school".to_owned(),
    ] {
        let res = admin.get(app.port, &path).await;
        staff_pages.push((path, res));
    }
    let pages: Vec<(&str, Response)> = pages
        .into_iter()
        .chain(staff_pages.iter().map(|(p, r)| (p.as_str(), clone(r))))
        .collect();
    for (name, res) in pages {
        let expected = if name == "not found" { 404 } else { 200 };
        assert_eq!(res.status, expected, "{name}");
        assert_eq!(html_lang(&res).0, "en-XA", "{name}");
        let mut text = visible(&res.body);
        for d in &data {
            text = text.replace(d.as_str(), " ");
        }
        let english: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 2)
            // The address is the person's; language names are written in their language.
            .filter(|w| !["omega", "admin", "example", "org", "English", "Deutsch"].contains(w))
            .collect();
        assert!(
            english.is_empty(),
            "{name} has untranslated text: {english:?}"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn errors_speak_the_readers_language_and_keep_a_stable_code() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let missing = page(
        &app,
        "/courses/no-such-course",
        &[("Accept-Language", "ar")],
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(html_lang(&missing), ("ar".into(), "rtl".into()));
    assert!(missing.body.contains("غير موجود"), "{}", missing.body);
    let api = page(
        &app,
        "/api/v1/courses?category=nope",
        &[("Accept-Language", "de")],
    )
    .await;
    assert_eq!(api.status, 400);
    let body = api.json();
    assert_eq!(body["code"], "error-unknown-category");
    assert_eq!(body["error"], "unbekannte Kategorie `nope`");
    let english = page(
        &app,
        "/api/v1/courses?category=nope",
        &[("Accept-Language", "en")],
    )
    .await;
    assert_eq!(english.json()["code"], "error-unknown-category");
    assert_eq!(english.json()["error"], "unknown category `nope`");

    // Form errors from the domain too: a provider's settings (checked alike for the school file)
    // in the school's German, and a GIFT quiz's complaint, with its line, in Arabic.
    let mut admin = Browser::member(app.port, &db, "alpha", "root@alpha.test", "admin").await;
    admin.get(app.port, "/admin/sso").await;
    let sso = admin
        .post(
            app.port,
            "/admin/sso",
            &[
                ("kind", "oidc"),
                ("name", "Not A Name"),
                ("default_role", "learner"),
            ],
        )
        .await;
    assert_eq!(sso.status, 422, "{}", sso.body);
    assert!(sso.body.contains("ist kein Anbietername"), "{}", sso.body);
    let lessons = db
        .text(
            "SELECT '/author/courses/' || s.course_id || '/sections/' || s.id || '/lessons' AS t
               FROM sections s JOIN tenants t ON t.id = s.tenant_id
              WHERE t.slug = 'alpha' LIMIT 1",
        )
        .await;
    admin.get(app.port, "/?lang=ar").await;
    admin.get(app.port, &format!("{lessons}/new")).await;
    let gift = admin
        .upload(
            app.port,
            &lessons,
            &[("title", "Check"), ("gift", "Q1 {=a ~b}\n\nQ2 {=a -> b}\n")],
        )
        .await;
    assert_eq!(gift.status, 422, "{}", gift.body);
    // (Arabic isolates the number it places: U+2068…U+2069.)
    assert!(
        gift.body
            .contains("السطر \u{2068}٣\u{2069}: أسئلة المطابقة"),
        "{}",
        gift.body
    );
    app.stop().await;
}

/// Every message the code names exists in English (the other languages are checked against
/// English by the unit tests).
#[test]
fn every_message_the_code_names_exists() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new("src"), &mut files);
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for opener in ["Msg::new(\"", ".t(\"", ".tr(\n", ".tr(\"", " t(\"", "(t(\""] {
            for piece in text.split(opener).skip(1) {
                let piece = piece.trim_start().trim_start_matches('"');
                let id: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                    .collect();
                if id.contains('-')
                    && id.starts_with(|c: char| c.is_ascii_lowercase())
                    && !eduflow::i18n::Locale::SOURCE.has(&id)
                {
                    missing.push(format!("{}: {id}", file.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "messages missing from locales/en: {missing:?}"
    );
}

#[actix_web::test]
async fn admins_set_the_schools_languages_and_colour_and_every_instance_follows() {
    let db = multilingual("").await;
    let (one, two) = (
        TestApp::spawn(settings(&db)).await,
        TestApp::spawn(settings(&db)).await,
    );
    let admin = crate::authoring::Member::new(&one, &db, "alpha", "head@alpha.test", "admin").await;
    let form = admin.get(&one, "/admin/school").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("name=\"offer-ar\" value=\"1\" checked"));
    let saved = admin
        .post(
            &one,
            "/admin/school",
            &[
                ("offer-en", "1"),
                ("offer-ar", "1"),
                ("locale", "ar"),
                ("accent", "#0f766e"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The other instance hears of it through the school list's reload.
    let arabic = eventually(std::time::Duration::from_secs(2), || async {
        html_lang(&page(&two, "/", &[]).await).0 == "ar"
    })
    .await;
    assert!(arabic.is_some(), "instance two kept the old default");
    let german = page(&two, "/", &[("Accept-Language", "de")]).await;
    assert_eq!(html_lang(&german).0, "ar", "German is no longer offered");
    assert_eq!(
        db.text("SELECT action || ' ' || (after->>'locale') AS v FROM audit_log WHERE action = 'school.look_changed'")
            .await,
        "school.look_changed ar"
    );
    // An unreadable colour is refused, saying by how much and what would do; nothing changes.
    let amber = admin
        .post(
            &one,
            "/admin/school",
            &[("offer-en", "1"), ("locale", "en"), ("accent", "#f59e0b")],
        )
        .await;
    assert_eq!(amber.status, 422);
    // In the school's language (Arabic now), with the darker shade that would pass.
    let Err(eduflow::colour::Refusal::LowContrast { suggestion, .. }) =
        eduflow::colour::accent("#f59e0b")
    else {
        panic!("amber passed");
    };
    assert!(
        amber.body.contains("٤٫٥:١") && amber.body.contains(&suggestion),
        "{}",
        amber.body
    );
    let unoffered = admin
        .post(
            &one,
            "/admin/school",
            &[("offer-en", "1"), ("locale", "de"), ("accent", "#0f766e")],
        )
        .await;
    assert_eq!(unoffered.status, 422);
    assert_eq!(
        db.text("SELECT locale || ' ' || array_to_string(locales, ',') || ' ' || accent_color AS v FROM tenants WHERE slug = 'alpha'")
            .await,
        "ar ar,en #0f766e"
    );
    // Learners may not change the school.
    let learner =
        crate::authoring::Member::new(&one, &db, "alpha", "pupil@alpha.test", "learner").await;
    let refused = learner
        .post(
            &one,
            "/admin/school",
            &[("offer-en", "1"), ("locale", "en"), ("accent", "#0f766e")],
        )
        .await;
    assert_eq!(refused.status, 403);
    one.stop().await;
    two.stop().await;
}

#[actix_web::test]
async fn the_operator_sets_a_schools_languages_on_a_running_fleet() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let dir = tempdir("locales-cli");
    let update = [
        "tenants",
        "update",
        "alpha",
        "--locale",
        "ar",
        "--locales",
        "en,ar",
    ];
    let out = eduflow_cli(&db, &db.admin_url, &dir, &update).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let arabic = eventually(std::time::Duration::from_secs(2), || async {
        html_lang(&page(&app, "/", &[]).await).0 == "ar"
    })
    .await;
    assert!(arabic.is_some(), "the running app kept the old default");
    refused(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &dir,
            &["tenants", "update", "alpha", "--locales", "en,xx"],
        )
        .await,
        "`xx` is not a language EduFlow has",
    );
    refused(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &dir,
            &[
                "tenants",
                "update",
                "alpha",
                "--locale",
                "de",
                "--locales",
                "en,ar",
            ],
        )
        .await,
        "must be one of the school's locales",
    );
    app.stop().await;
}

/// Every audit action has a name people read in the filter, in every language.
#[test]
fn every_audit_action_has_a_name() {
    for action in eduflow::audit::ACTIONS {
        let id = format!("audit-{}", action.replace('.', "-"));
        assert!(eduflow::i18n::Locale::SOURCE.has(&id), "{id}");
    }
}

#[actix_web::test]
async fn a_course_says_its_language_and_the_catalog_filters_by_it() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let mut conn = db.superuser().await;
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE courses SET language = 'ar' WHERE slug = '{course}'"
        )),
        &mut conn,
    )
    .await
    .unwrap();
    // The page around it is German (the school's); its own text is marked as Arabic.
    let page_de = eventually(std::time::Duration::from_secs(2), || async {
        page(&app, &format!("/courses/{course}"), &[])
            .await
            .body
            .contains("lang=\"ar\" dir=\"rtl\"")
    })
    .await;
    assert!(page_de.is_some(), "the course text is not marked as Arabic");
    let shown = page(&app, &format!("/courses/{course}"), &[]).await;
    assert_eq!(html_lang(&shown).0, "de");
    assert!(shown.body.contains("Auf العربية"), "{}", shown.body);
    let catalog = page(&app, "/courses", &[]).await;
    assert!(
        catalog
            .body
            .contains("<select id=\"language\" name=\"language\">")
    );
    let only = page(&app, "/courses?language=ar", &[]).await;
    assert!(only.body.contains(&format!("href=\"/courses/{course}\"")));
    assert_eq!(
        only.body.matches("class=\"card\"").count(),
        1,
        "{}",
        only.body
    );
    let api = page(&app, "/api/v1/courses?language=ar", &[]).await.json();
    let items = api["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["language"], "ar");
    let bad = page(&app, "/api/v1/courses?language=Deutsch", &[]).await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_str()),
        (400, Some("error-not-a-language"))
    );
    // An author chooses it; a form without one keeps the school's.
    let author =
        crate::authoring::Member::new(&app, &db, "alpha", "writer@alpha.test", "instructor").await;
    let mut fields = crate::authoring::COURSE.to_vec();
    fields.push(("language", "fr"));
    let made = author.upload(&app, "/author/courses", &fields, &[]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(
        db.text("SELECT language AS v FROM courses WHERE title = 'Rust for Data People'")
            .await,
        "fr"
    );
    let refused = author
        .upload(
            &app,
            "/author/courses",
            &[
                ("title", "Zweiter"),
                ("category", "data"),
                ("level", "beginner"),
                ("language", "de_DE"),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, 422);
    let plain = author
        .upload(
            &app,
            "/author/courses",
            &[
                ("title", "Dritter"),
                ("category", "data"),
                ("level", "beginner"),
            ],
            &[],
        )
        .await;
    assert_eq!(plain.status, 303, "{}", plain.body);
    assert_eq!(
        db.text("SELECT language AS v FROM courses WHERE title = 'Dritter'")
            .await,
        "de"
    );
    app.stop().await;
}

#[actix_web::test]
async fn captions_and_a_transcript_reach_the_player_and_the_hls_ladder() {
    let db = multilingual("").await;
    let app = TestApp::spawn(settings(&db)).await;
    let author =
        crate::authoring::Member::new(&app, &db, "alpha", "captioner@alpha.test", "admin").await;
    let made = author
        .upload(&app, "/author/courses", crate::authoring::COURSE, &[])
        .await;
    let editor = crate::authoring::location(&made).to_owned();
    let section = author
        .post(&app, &format!("{editor}/sections"), &[("title", "Eins")])
        .await;
    assert_eq!(section.status, 303);
    let outline = author.get(&app, &editor).await;
    let new_lesson = outline
        .body
        .split("href=\"")
        .find_map(|rest| {
            rest.split('"')
                .next()
                .filter(|h| h.ends_with("/lessons/new"))
        })
        .expect("an add-a-lesson link")
        .to_owned();
    let ladder = include_bytes!("../e2e/fixtures/ladder.zip");
    let good = "WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n\n00:02.000 --> 00:04.000\nWelt\n";
    // A file that is not WebVTT is refused, saying so, and nothing is stored.
    let bad = author
        .upload(
            &app,
            &new_lesson.replace("/lessons/new", "/lessons"),
            &[("title", "Mit Untertiteln"), ("captions_lang", "de")],
            &[(
                "captions",
                "notes.vtt",
                "text/vtt",
                b"1\n00:00.000 --> 00:01.000\nhi\n",
            )],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("WEBVTT"), "{}", bad.body);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_captions").await,
        0
    );
    let saved = author
        .upload(
            &app,
            &new_lesson.replace("/lessons/new", "/lessons"),
            &[
                ("title", "Mit Untertiteln"),
                ("free_preview", "on"),
                ("captions_lang", "de"),
                ("transcript", "Hallo Welt, gesprochen."),
            ],
            &[
                ("captions", "de.vtt", "text/vtt", good.as_bytes()),
                ("hls", "ladder.zip", "application/zip", ladder),
            ],
        )
        .await;
    let lesson_editor = crate::authoring::location(&saved).to_owned();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM lesson_captions WHERE language = 'de'")
            .await,
        1
    );
    author
        .post(&app, &format!("{editor}/publish"), &[("publish", "1")])
        .await;
    let course = db
        .text("SELECT slug AS v FROM courses WHERE title = 'Rust for Data People'")
        .await;
    let lesson = page(
        &app,
        &format!("/courses/{course}/lessons/mit-untertiteln"),
        &[],
    )
    .await;
    assert_eq!(lesson.status, 200, "{}", lesson.body);
    // A German reader: the German track is the default one; the transcript is below the player.
    assert!(
        lesson
            .body
            .contains("<track kind=\"captions\" srclang=\"de\" label=\"Deutsch\" src=\""),
        "{}",
        lesson.body
    );
    assert!(lesson.body.contains(" default>"));
    assert!(lesson.body.contains("Hallo Welt, gesprochen."));
    let track = link_after(
        &lesson.body,
        "<track kind=\"captions\" srclang=\"de\" label=\"Deutsch\" src=\"",
    );
    let vtt = page(&app, path_of(&track), &[]).await;
    assert_eq!(vtt.status, 200, "{track}: {}", vtt.body);
    assert!(vtt.header("content-type").unwrap().starts_with("text/vtt"));
    assert_eq!(vtt.body, good);
    // The ladder's master playlist names the captions as a subtitles rendition.
    let master = link_after(&lesson.body, "data-hls=\"");
    let playlist = page(&app, path_of(&master), &[]).await;
    assert_eq!(playlist.status, 200);
    assert!(
        playlist.body.contains(
            "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Deutsch\",LANGUAGE=\"de\""
        ),
        "{}",
        playlist.body
    );
    assert!(playlist.body.contains("SUBTITLES=\"subs\""));
    let subtitles = link_after(&playlist.body, "URI=\"");
    let subs = page(&app, path_of(&subtitles), &[]).await;
    assert_eq!(subs.status, 200, "{subtitles}");
    assert!(subs.body.contains("#EXTINF:4.000,"), "{}", subs.body);
    // Removing the captions takes the track off the page.
    let removed = author
        .upload(
            &app,
            &lesson_editor,
            &[
                ("title", "Mit Untertiteln"),
                ("free_preview", "on"),
                ("remove-captions-de", "on"),
            ],
            &[],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let gone = eventually(std::time::Duration::from_secs(2), || async {
        !page(
            &app,
            &format!("/courses/{course}/lessons/mit-untertiteln"),
            &[],
        )
        .await
        .body
        .contains("<track")
    })
    .await;
    assert!(gone.is_some(), "the track stayed on the cached page");
    app.stop().await;
}
