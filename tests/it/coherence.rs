//! A change committed anywhere reaches every instance's cached pages within a second.

use std::time::Duration;

use crate::harness::{TestApp, TestDb, eventually, settings};

async fn cli(db: &TestDb, args: &[&str]) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args(args)
        .env("DATABASE_URL", &db.runtime_url)
        .env("DATABASE_ADMIN_URL", &db.admin_url)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[actix_web::test]
async fn a_cli_change_reaches_two_running_instances_within_a_second() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let one = TestApp::spawn(settings(&db)).await;
    let two = TestApp::spawn(settings(&db)).await;
    let newest = one
        .get("alpha.localhost", "/api/v1/courses?limit=1")
        .await
        .json()["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    for app in [&one, &two] {
        // Warm both caches: the course is on the home page, in the catalog and has its own page.
        for path in ["/", "/courses"] {
            assert!(
                app.get("alpha.localhost", path)
                    .await
                    .body
                    .contains(&newest),
                "{path}"
            );
        }
        assert_eq!(
            app.get("alpha.localhost", &format!("/courses/{newest}"))
                .await
                .status,
            200
        );
    }
    let loads = one.state.registry.loads();
    assert_eq!(one.get("alpha.localhost", "/courses").await.status, 200);
    assert_eq!(
        one.state.registry.loads(),
        loads,
        "the catalog page was not served from memory"
    );

    cli(&db, &["courses", "unpublish", "--school", "alpha", &newest]).await;
    for app in [&one, &two] {
        let took = eventually(Duration::from_secs(1), || async {
            !app.get("alpha.localhost", "/courses")
                .await
                .body
                .contains(&newest)
                && app
                    .get("alpha.localhost", &format!("/courses/{newest}"))
                    .await
                    .status
                    == 404
                && !app.get("alpha.localhost", "/").await.body.contains(&newest)
        })
        .await;
        assert!(
            took.is_some(),
            "the unpublished course was still served after a second"
        );
    }
    cli(&db, &["courses", "publish", "--school", "alpha", &newest]).await;
    let back = eventually(Duration::from_secs(1), || async {
        two.get("alpha.localhost", &format!("/courses/{newest}"))
            .await
            .status
            == 200
    })
    .await;
    assert!(back.is_some());
}

#[actix_web::test]
async fn a_rebrand_reaches_running_instances() {
    let (db, app) = TestApp::two_schools().await;
    assert!(
        app.get("alpha.localhost", "/")
            .await
            .body
            .contains("<title>School alpha</title>")
    );
    let mut text = crate::harness::school_toml("alpha", &["learn.alpha.test", "new.alpha.test"])
        .replace("School alpha", "Alpha Reborn");
    text.push_str("[branding]\naccent_color = \"#123456\"\n");
    db.sync_schools(&[("alpha", &text)]).await;
    let took = eventually(Duration::from_secs(1), || async {
        app.get("alpha.localhost", "/")
            .await
            .body
            .contains("<title>Alpha Reborn</title>")
            && app
                .get("new.alpha.test", "/brand.css")
                .await
                .body
                .contains("#123456")
    })
    .await;
    assert!(took.is_some(), "rebrand not visible within a second");
}

/// An edit in the course editor on one instance reaches the other's cached pages within a second
/// (this instance's own pages are dropped by the school's actor as soon as the edit commits).
#[actix_web::test]
async fn an_authoring_edit_on_one_instance_reaches_the_other_within_a_second() {
    use crate::authoring::{Member, build_course, location};
    let db = TestDb::new().await;
    db.two_schools().await;
    let one = TestApp::spawn(settings(&db)).await;
    let two = TestApp::spawn(settings(&db)).await;
    let ines = Member::new(&one, &db, "alpha", "ines@alpha.test", "instructor").await;
    let (course, _) = build_course(&one, &ines).await;
    for app in [&one, &two] {
        let page = app.get("alpha.localhost", "/courses?tag=parsing").await;
        assert!(!page.body.contains("Rust for Data People"));
    }
    location(
        &ines
            .post(&one, &format!("{course}/publish"), &[("publish", "1")])
            .await,
    );
    let mine = one.get("alpha.localhost", "/courses?tag=parsing").await;
    assert!(
        mine.body.contains("Rust for Data People"),
        "the editing instance serves its own change at once"
    );
    let took = eventually(Duration::from_secs(1), || async {
        two.get("alpha.localhost", "/courses?tag=parsing")
            .await
            .body
            .contains("Rust for Data People")
    })
    .await;
    assert!(
        took.is_some(),
        "the other instance still served the old page after a second"
    );
}
