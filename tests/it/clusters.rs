//! Schools on several clusters: the directory lists them, every instance routes each school to
//! its own cluster (and refuses any other), follows every cluster's changes, and `eduflow
//! migrate` keeps every cluster at one schema version or touches none.
//!
//! A "cluster" here is a database of its own on the test server: to EduFlow it is a separate
//! PostgreSQL endpoint (its own connections, `tenants`, row-level security and notifications).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel_async::SimpleAsyncConnection;
use eduflow::db::clusters::MediaHome;
use eduflow::db::tenant_tx;
use eduflow::ids::TenantId;
use eduflow::media::key::MediaKey;

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, eventually, local_store, refused, request, settings,
    tempdir,
};

async fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    eduflow_cli(db, &db.admin_url, &tempdir("clusters"), args).await
}

async fn ada_on(db: &TestDb) -> i64 {
    db.count("SELECT count(*) FROM users WHERE email = 'ada@example.org'")
        .await
}

async fn latest(db: &TestDb) -> String {
    db.text("SELECT max(version) FROM __diesel_schema_migrations")
        .await
}

/// Undoes the newest migration (its `down.sql`), as if an older build had set the database up.
async fn one_step_back(db: &TestDb) {
    let mut dirs: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let newest = dirs.last().unwrap();
    let down = std::fs::read_to_string(newest.join("down.sql")).unwrap();
    db.admin()
        .await
        .batch_execute(&format!(
            "{down}
             DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)"
        ))
        .await
        .unwrap();
}

/// The school `gamma`, created on eu (with `extra` flags); what the command said.
async fn gamma_on_eu(db: &TestDb, extra: &[&str]) -> String {
    let mut args = vec![
        "tenants",
        "create",
        "gamma",
        "--cluster",
        "eu",
        "--name",
        "Gamma",
        "--category",
        "data=Data",
    ];
    args.extend_from_slice(extra);
    said(&cli(db, &args).await)
}

fn said(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `main` with alpha and beta, and an empty database added as the cluster `eu` (through the
/// CLI, which migrates it).
async fn directory_and_eu() -> (TestDb, TestDb) {
    let db = TestDb::new().await;
    db.two_schools_here().await;
    let eu = TestDb::new().await;
    // The copy of the template is migrated already: take it back one step, as a cluster an
    // older build set up, so `clusters add` has to bring it to this build's schema.
    one_step_back(&eu).await;
    let out = cli(
        &db,
        &[
            "clusters",
            "add",
            "eu",
            "--url",
            &eu.runtime_url,
            "--admin-url",
            &eu.admin_url,
            "--region",
            "fra",
        ],
    )
    .await;
    assert!(said(&out).contains("added cluster eu"));
    (db, eu)
}

#[actix_web::test]
async fn a_school_placed_on_another_cluster_lives_and_is_served_there() {
    let (db, eu) = directory_and_eu().await;
    let one = TestApp::spawn(settings(&db)).await;
    let two = TestApp::spawn(settings(&db)).await;

    // Created on eu while both instances run: each learns of it from eu's announcement (the
    // cluster's own listener, started when the directory listed eu).
    let out = gamma_on_eu(&db, &["--domain", "learn.gamma.test"]).await;
    assert!(out.contains("created gamma"));
    assert_eq!(
        eu.count("SELECT count(*) FROM tenants WHERE slug = 'gamma'")
            .await,
        1
    );
    assert_eq!(
        db.count("SELECT count(*) FROM tenants WHERE slug = 'gamma'")
            .await,
        0
    );
    for app in [&one, &two] {
        let seen = eventually(Duration::from_secs(2), || async {
            app.get("gamma.localhost", "/").await.body.contains("Gamma")
                && app.get("learn.gamma.test", "/").await.status == 200
        })
        .await;
        assert!(seen.is_some(), "an instance did not learn of gamma");
    }
    let listed = said(&cli(&db, &["tenants", "list"]).await);
    let gamma = listed.lines().find(|l| l.starts_with("gamma\t")).unwrap();
    assert!(gamma.ends_with("\teu"), "{listed}");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("alpha\t") && l.ends_with("\tmain"))
    );

    // A learner's writes go to eu, and only there.
    let mut ada = Browser::new("gamma");
    ada.sign_up(one.port, "ada@example.org").await;
    assert_eq!(ada_on(&eu).await, 1);
    assert_eq!(ada_on(&db).await, 0);
    // Her session is recognised by the other instance too (read from eu).
    let page = ada.get(two.port, "/account").await;
    assert_eq!(page.status, 200, "{}", page.body);

    // Owner-side commands find the school's cluster themselves.
    let out = cli(
        &db,
        &[
            "users",
            "create",
            "--school",
            "gamma",
            "--email",
            "grace@example.org",
            "--name",
            "Grace",
            "--role",
            "instructor",
            "--password",
            "correct horse battery",
        ],
    )
    .await;
    said(&out);
    assert_eq!(
        eu.count("SELECT count(*) FROM users WHERE email = 'grace@example.org'")
            .await,
        1
    );

    // A plain-SQL rename on eu reaches both instances' cached pages.
    for app in [&one, &two] {
        assert!(
            app.get("gamma.localhost", "/courses")
                .await
                .body
                .contains("Gamma")
        );
    }
    eu.superuser()
        .await
        .batch_execute("UPDATE tenants SET name = 'Gamma Academy' WHERE slug = 'gamma'")
        .await
        .unwrap();
    for app in [&one, &two] {
        let renamed = eventually(Duration::from_secs(2), || async {
            app.get("gamma.localhost", "/courses")
                .await
                .body
                .contains("Gamma Academy")
        })
        .await;
        assert!(renamed.is_some(), "a cached page kept the old name");
    }

    // A slug or domain is one school's across the fleet.
    let out = cli(&db, &["tenants", "create", "gamma", "--name", "Again"]).await;
    refused(&out, "a school gamma already exists on cluster eu");
    let out = cli(
        &db,
        &[
            "tenants",
            "create",
            "delta",
            "--name",
            "D",
            "--domain",
            "learn.gamma.test",
            "--category",
            "data=Data",
        ],
    )
    .await;
    refused(
        &out,
        "the domain learn.gamma.test belongs to school gamma on cluster eu",
    );
    let out = cli(
        &db,
        &[
            "tenants",
            "update",
            "gamma",
            "--cluster",
            "main",
            "--name",
            "G",
        ],
    )
    .await;
    refused(&out, "tenants move gamma --to main");

    // A cluster holding schools stays; once empty it goes, and every instance forgets it.
    refused(
        &cli(&db, &["clusters", "remove", "eu"]).await,
        "still holds 1 school(s) (gamma)",
    );
    said(&cli(&db, &["tenants", "delete", "gamma", "--confirm", "gamma"]).await);
    assert_eq!(eu.count("SELECT count(*) FROM users").await, 0);
    said(&cli(&db, &["clusters", "remove", "eu"]).await);
    for app in [&one, &two] {
        let gone = eventually(Duration::from_secs(2), || async {
            app.state.clusters.records().len() == 1
                && app.get("gamma.localhost", "/").await.status == 404
        })
        .await;
        assert!(gone.is_some(), "an instance kept the removed cluster");
    }
}

#[actix_web::test]
async fn the_door_refuses_a_school_on_another_clusters_pool() {
    let (db, eu) = directory_and_eu().await;
    gamma_on_eu(&db, &[]).await;
    let app = TestApp::spawn(settings(&db)).await;
    let school = |slug: &str| {
        app.state
            .directory
            .all()
            .into_iter()
            .find(|t| t.slug == slug)
            .unwrap()
    };
    let (gamma, alpha) = (school("gamma"), school("alpha"));
    assert_eq!(gamma.cluster.as_str(), "eu");
    assert_eq!(alpha.cluster.as_str(), "main");

    // gamma's id on main's pool, alpha's on eu's: refused before any statement is sent, even
    // though row-level security there would show nothing.
    let main = app.state.clusters.main();
    let eu_pools = app.state.clusters.named(&"eu".parse().unwrap()).unwrap();
    for (pool, school) in [(main.primary(), gamma.id), (eu_pools.primary(), alpha.id)] {
        let ran = tenant_tx(pool, school, "attack", |_conn| {
            Box::pin(async { Ok::<_, eduflow::error::AppError>(()) })
        })
        .await;
        assert!(
            matches!(ran, Err(eduflow::error::AppError::Internal(_))),
            "a school's transaction ran on another cluster: {ran:?}"
        );
    }
    // Each on its own cluster's pool runs.
    for (pool, school) in [(main.primary(), alpha.id), (eu_pools.primary(), gamma.id)] {
        tenant_tx(pool, school, "own", |_conn| {
            Box::pin(async { Ok::<_, eduflow::error::AppError>(()) })
        })
        .await
        .unwrap();
    }
    assert!(
        app.state
            .pools(gamma.id)
            .unwrap()
            .primary()
            .label()
            .starts_with("eu/")
    );

    // From outside: alpha's session cookie and forms sent to gamma's host find nothing there.
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    let res = request(
        app.port,
        "GET",
        "gamma.localhost",
        "/account",
        &[("Cookie", &ada.cookie_header())],
    )
    .await;
    assert_ne!(
        res.status, 200,
        "alpha's session opened gamma's account page"
    );
    assert_eq!(eu.count("SELECT count(*) FROM users").await, 0);
    assert_eq!(eu.count("SELECT count(*) FROM sessions").await, 0);
}

#[actix_web::test]
async fn migrate_brings_every_cluster_to_one_version_or_touches_none() {
    let (db, eu) = directory_and_eu().await;
    let version = latest(&db).await;
    assert_eq!(latest(&eu).await, version, "clusters add migrated eu");

    // eu behind (an older build's cluster): migrate finishes it.
    one_step_back(&eu).await;
    let out = said(&cli(&db, &["migrate"]).await);
    assert!(out.contains("every cluster (2) is at schema"), "{out}");
    assert_eq!(latest(&eu).await, version);
    let listed = said(&cli(&db, &["clusters", "list"]).await);
    assert!(listed.contains("eu\tfra\t0 school(s)"), "{listed}");

    // eu ahead (a newer build migrated it): nothing is migrated anywhere, and it is named.
    eu.admin()
        .await
        .batch_execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('99990101000000')")
        .await
        .unwrap();
    db.admin()
        .await
        .batch_execute(
            "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
        )
        .await
        .unwrap();
    let out = cli(&db, &["migrate"]).await;
    refused(
        &out,
        "cluster eu has migrations this build does not know (99990101000000)",
    );
    assert_ne!(
        latest(&db).await,
        version,
        "main was migrated although eu was refused"
    );
    assert!(said(&cli(&db, &["clusters", "list"]).await).contains("not this build's"));

    // eu unreachable: refused before anything changes, too.
    eu.admin()
        .await
        .batch_execute("DELETE FROM __diesel_schema_migrations WHERE version = '99990101000000'")
        .await
        .unwrap();
    db.admin()
        .await
        .batch_execute(&format!(
            "UPDATE clusters SET admin_url = '{}' WHERE name = 'eu'",
            eu.admin_url
                .replace(&format!("/{}?", eu.name), "/no_such_database?")
        ))
        .await
        .unwrap();
    let out = cli(&db, &["migrate"]).await;
    refused(
        &out,
        "cluster eu cannot be reached; no cluster was migrated",
    );
    assert_ne!(latest(&db).await, version);
}

#[actix_web::test]
async fn a_schools_writes_are_replayed_to_its_clusters_region() {
    let (db, eu) = directory_and_eu().await;
    gamma_on_eu(&db, &[]).await;
    // An instance in ams, where main's primary is; eu's is in fra.
    let mut s = settings(&db);
    s.main_region = "ams".into();
    s.writes.here = Some("ams".into());
    let ams = TestApp::spawn(s).await;
    let signup = |host: &'static str| {
        crate::harness::post_form(
            ams.port,
            host,
            "/signup",
            &[("email", "x@example.org")],
            &[],
        )
    };
    let gamma = signup("gamma.localhost").await;
    assert_eq!(gamma.status, 409);
    assert_eq!(gamma.header("fly-replay"), Some("region=fra"));
    assert_eq!(eu.count("SELECT count(*) FROM users").await, 0);
    // alpha's cluster is here: its write runs (and is refused for the missing fields alone).
    let alpha = signup("alpha.localhost").await;
    assert!(alpha.header("fly-replay").is_none());
    assert_ne!(alpha.status, 409);
    // An instance in fra runs gamma's writes and replays alpha's to ams.
    let mut s = settings(&db);
    s.main_region = "ams".into();
    s.writes.here = Some("fra".into());
    let fra = TestApp::spawn(s).await;
    let alpha = crate::harness::post_form(
        fra.port,
        "alpha.localhost",
        "/signup",
        &[("email", "x@example.org")],
        &[],
    )
    .await;
    assert_eq!(alpha.header("fly-replay"), Some("region=ams"));
    let mut ada = Browser::new("gamma");
    ada.sign_up(fra.port, "ada@example.org").await;
    assert_eq!(ada_on(&eu).await, 1);
}

/// The id of the school `slug` on `db`.
async fn school_id(db: &TestDb, slug: &str) -> TenantId {
    let id = db
        .text(&format!("SELECT id FROM tenants WHERE slug = '{slug}'"))
        .await;
    TenantId(id.parse().unwrap())
}

static OBJECTS: AtomicUsize = AtomicUsize::new(0);

/// A new object of `tenant`, stored through `app`'s media stores (`None`: refused, as for a
/// school the instance has not placed).
async fn new_object(app: &TestApp, tenant: TenantId) -> Option<MediaKey> {
    let bytes = format!(
        "object {} of {tenant}",
        OBJECTS.fetch_add(1, Ordering::Relaxed)
    );
    let key = MediaKey::of_bytes(tenant, "image", bytes.as_bytes(), "png");
    let stores = &app.state.media.store;
    stores
        .put_bytes(&key, bytes.as_bytes(), "image/png")
        .await
        .ok()?;
    Some(key)
}

/// Each instance's media stores follow the directory: a bucket given to a cluster by plain SQL
/// reaches both running instances, whose next object of that cluster's school is stored there,
/// while a school on `main` stays in the instances' own store.
#[actix_web::test]
async fn a_clusters_media_bucket_reaches_every_instance() {
    let (db, eu) = directory_and_eu().await;
    let one = TestApp::spawn(settings(&db)).await;
    let two = TestApp::spawn(settings(&db)).await;
    gamma_on_eu(&db, &[]).await;
    let (gamma, alpha) = (school_id(&eu, "gamma").await, school_id(&db, "alpha").await);
    let own = local_store().open().unwrap();
    let home = MediaHome {
        bucket: "eu-home".into(),
        region: None,
        endpoint: None,
    };
    let eu_bucket = local_store().at(Some(&home)).open().unwrap();
    for app in [&one, &two] {
        let placed = eventually(Duration::from_secs(2), || async {
            new_object(app, gamma).await.is_some()
        })
        .await;
        assert!(placed.is_some(), "an instance did not learn of gamma");
        let key = new_object(app, gamma).await.unwrap();
        assert!(own.size(&key).await.unwrap().is_some());
        assert!(eu_bucket.size(&key).await.unwrap().is_none());
    }

    db.admin()
        .await
        .batch_execute("UPDATE clusters SET media_bucket = 'eu-home' WHERE name = 'eu'")
        .await
        .unwrap();
    for app in [&one, &two] {
        let moved = eventually(Duration::from_secs(2), || async {
            let key = new_object(app, gamma).await.unwrap();
            eu_bucket.size(&key).await.unwrap().is_some() && own.size(&key).await.unwrap().is_none()
        })
        .await;
        assert!(
            moved.is_some(),
            "an instance still stores eu's media in its own store"
        );
        let key = new_object(app, alpha).await.unwrap();
        assert!(own.size(&key).await.unwrap().is_some());
        assert!(eu_bucket.size(&key).await.unwrap().is_none());
    }
}
