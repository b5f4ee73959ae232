//! The owner side and a school's life on a running fleet: commands scope every statement to
//! their school whatever the admin role can bypass; schools are created, changed, suspended and
//! deleted while instances run.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use eduflow::tenancy::lifecycle::TABLES;

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, eventually, media_dir, refused, school_toml, settings,
    succeeded, tempdir,
};

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    what: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Rows per school and table (ids aside), and a few facts an unscoped statement would change,
/// read as the superuser.
async fn snapshot(db: &TestDb) -> Vec<Row> {
    let mut parts: Vec<String> = TABLES
        .iter()
        .map(|t| {
            format!(
                "SELECT s.slug || ' {t}' AS what, count(x.tenant_id) AS n
                   FROM tenants s LEFT JOIN {t} x ON x.tenant_id = s.id GROUP BY s.slug"
            )
        })
        .collect();
    parts.push(
        "SELECT s.slug || ' published' AS what, count(c.id) AS n FROM tenants s
           LEFT JOIN courses c ON c.tenant_id = s.id AND c.published GROUP BY s.slug"
            .into(),
    );
    parts.push(
        "SELECT s.slug || ' admins' AS what, count(u.id) AS n FROM tenants s
           LEFT JOIN users u ON u.tenant_id = s.id AND u.role = 'admin' GROUP BY s.slug"
            .into(),
    );
    parts.push(
        "SELECT s.slug || ' category ' || c.slug AS what, count(k.id) AS n FROM tenants s
           JOIN categories c ON c.tenant_id = s.id
           LEFT JOIN courses k ON k.tenant_id = s.id AND k.category = c.slug
          GROUP BY s.slug, c.slug"
            .into(),
    );
    let sql = format!("{} ORDER BY 1", parts.join(" UNION ALL "));
    diesel::sql_query(sql)
        .load(&mut db.superuser().await)
        .await
        .unwrap()
}

fn school_with(slug: &str, categories: &[&str], admins: &[&str]) -> String {
    let mut text = format!(
        "slug = \"{slug}\"\nname = \"School {slug}\"\nadmins = [{}]\n",
        admins
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for c in categories {
        text.push_str(&format!("[[categories]]\nslug = \"{c}\"\nname = \"{c}\"\n"));
    }
    text
}

/// The same sync, seed, user and publishing commands, run once with the dedicated owner role and
/// once with a superuser (which row-level security does not stop), on an empty database and then
/// a populated one, must leave exactly the same rows.
#[actix_web::test]
async fn owner_side_commands_name_their_school_even_as_a_superuser() {
    let mut snapshots = Vec::new();
    for superuser in [false, true] {
        let db = TestDb::new().await;
        let admin = if superuser {
            db.superuser_url.clone()
        } else {
            db.admin_url.clone()
        };
        let dir = tempdir("owner");
        // Different categories per school: a statement scoped by RLS alone would drop the other
        // school's categories when run as a superuser.
        std::fs::write(
            dir.join("alpha.toml"),
            school_with("alpha", &["programming", "data"], &["boss@both.test"]),
        )
        .unwrap();
        std::fs::write(
            dir.join("beta.toml"),
            school_with("beta", &["languages", "science", "art"], &[]),
        )
        .unwrap();
        succeeded(&eduflow_cli(&db, &admin, &dir, &["tenants", "sync"]).await);
        succeeded(&eduflow_cli(&db, &admin, &dir, &["seed"]).await);
        // Populated now. The same email at beta must stay a learner when alpha's admins apply.
        succeeded(
            &eduflow_cli(
                &db,
                &admin,
                &dir,
                &[
                    "users",
                    "create",
                    "--school",
                    "beta",
                    "--email",
                    "boss@both.test",
                    "--name",
                    "Boss",
                ],
            )
            .await,
        );
        std::fs::write(
            dir.join("alpha.toml"),
            school_with(
                "alpha",
                &["programming", "data", "music"],
                &["boss@both.test"],
            ),
        )
        .unwrap();
        succeeded(&eduflow_cli(&db, &admin, &dir, &["tenants", "sync"]).await);
        let course = db
            .text(
                "SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id
                  WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug LIMIT 1",
            )
            .await;
        let course = course.as_str();
        succeeded(
            &eduflow_cli(
                &db,
                &admin,
                &dir,
                &["courses", "unpublish", "--school", "alpha", course],
            )
            .await,
        );
        let gift = dir.join("quiz.gift");
        std::fs::write(&gift, "Q {=a ~b}\n").unwrap();
        let lesson = succeeded(
            &eduflow_cli(
                &db,
                &admin,
                &dir,
                &[
                    "quiz",
                    "import",
                    "--school",
                    "alpha",
                    "--course",
                    course,
                    "--title",
                    "Check",
                    gift.to_str().unwrap(),
                ],
            )
            .await,
        );
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM quizzes q JOIN lessons l ON l.id = q.lesson_id
                   JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id
                   JOIN tenants t ON t.id = c.tenant_id
                  WHERE t.slug = 'alpha' AND c.slug = '{course}' AND q.tenant_id = t.id
                    AND l.tenant_id = t.id AND l.id = '{}'",
                lesson.trim()
            ))
            .await,
            1,
            "superuser: {superuser}"
        );
        let rows = snapshot(&db).await;
        let get = |what: &str| {
            rows.iter()
                .find(|r| r.what == what)
                .unwrap_or_else(|| panic!("{what} in {rows:?}"))
                .n
        };
        assert_eq!(get("beta categories"), 3, "superuser: {superuser}");
        assert_eq!(get("alpha categories"), 3, "superuser: {superuser}");
        assert_eq!(get("beta courses"), 36, "superuser: {superuser}");
        assert_eq!(get("beta published"), 33, "superuser: {superuser}");
        assert_eq!(get("alpha published"), 32, "superuser: {superuser}");
        assert_eq!(get("beta admins"), 0, "superuser: {superuser}");
        snapshots.push(rows);
    }
    assert_eq!(snapshots[0], snapshots[1]);
}

/// `migrate --owner-role` with a superuser admin URL: EduFlow's objects belong to a NOLOGIN
/// owner role, and later commands act as it through the URL's `options`.
#[actix_web::test]
async fn migrate_hands_everything_to_a_dedicated_owner_role() {
    let shared = crate::harness::shared();
    let name = format!("fresh_{}", uuid::Uuid::new_v4().simple());
    let role = format!("owner_{}", &name[6..18]);
    let mut su = AsyncPgConnection::establish(&shared.cluster.url("postgres", "postgres"))
        .await
        .unwrap();
    su.batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let db = TestDb {
        name: name.clone(),
        admin_url: shared.cluster.url("postgres", &name),
        runtime_url: shared
            .cluster
            .url(eduflow::db::embedded::RUNTIME_ROLE, &name),
        superuser_url: shared.cluster.url("postgres", &name),
        eu: Default::default(),
    };
    let dir = tempdir("owner-role");
    let out = eduflow_cli(
        &db,
        &db.superuser_url,
        &dir,
        &["migrate", "--owner-role", &role],
    )
    .await;
    let said = succeeded(&out);
    assert!(said.contains(&format!("role%3D{role}")), "{said}");
    let foreign = db
        .count(&format!(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
              AND relkind IN ('r', 'p') AND relowner <> '{role}'::regrole"
        ))
        .await;
    assert_eq!(foreign, 0, "tables not owned by {role}");
    assert!(
        db.count("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
            .await
            >= 14
    );
    let login = db
        .text(&format!(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = '{role}'"
        ))
        .await;
    assert_eq!(login, "false");

    // Later commands act as the owner role, which row-level security applies to.
    let as_owner = format!("{}&options=-c%20role%3D{role}", db.superuser_url);
    std::fs::write(dir.join("alpha.toml"), school_toml("alpha", &[])).unwrap();
    std::fs::write(dir.join("beta.toml"), school_toml("beta", &[])).unwrap();
    succeeded(&eduflow_cli(&db, &as_owner, &dir, &["tenants", "sync"]).await);
    succeeded(&eduflow_cli(&db, &as_owner, &dir, &["migrate"]).await);
    let mut conn = AsyncPgConnection::establish(&as_owner).await.unwrap();
    let who: Vec<Row> = diesel::sql_query(
        "SELECT current_user::text AS what, (SELECT count(*) FROM categories) AS n",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(who[0].what, role);
    assert_eq!(
        who[0].n, 0,
        "with no school set, the owner role sees no rows"
    );
    assert_eq!(db.count("SELECT count(*) FROM categories").await, 6);
}

/// Asserts that every instance shows `change` (`check` holds) within a second of it.
async fn within_a_second<'a, F, Fut>(apps: &'a [TestApp], change: &str, check: F)
where
    F: Fn(&'a TestApp) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for app in apps {
        let took = eventually(Duration::from_secs(1), || check(app)).await;
        assert!(
            took.is_some(),
            "{change} not seen on {} within 1 s",
            app.port
        );
    }
}

async fn title_on(app: &TestApp, host: &str) -> Option<String> {
    let res = app.get(host, "/").await;
    (res.status == 200).then(|| {
        res.body
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or_default()
            .to_owned()
    })
}

/// Create, change, suspend, resume and delete a school from the command line while two
/// instances serve: each change reaches both without a restart, and deletion leaves nothing of
/// that school in any table or in the media store.
#[actix_web::test]
async fn a_school_is_created_changed_suspended_and_deleted_on_a_running_fleet() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let apps = [
        TestApp::spawn(settings(&db)).await,
        TestApp::spawn(settings(&db)).await,
    ];
    let before = snapshot(&db).await;
    let dir = tempdir("lifecycle");
    let admin = db.admin_url.clone();
    let host = "gamma.localhost";
    for app in &apps {
        assert_eq!(app.get(host, "/").await.status, 404);
    }

    succeeded(
        &eduflow_cli(
            &db,
            &admin,
            &dir,
            &[
                "tenants",
                "create",
                "gamma",
                "--name",
                "Gamma Academy",
                "--category",
                "data=Data science",
                "--category",
                "design=Design",
                "--domain",
                "learn.gamma.test",
                "--admin",
                "head@gamma.test",
            ],
        )
        .await,
    );
    within_a_second(&apps, "creation", |app| async move {
        title_on(app, host)
            .await
            .is_some_and(|t| t.contains("Gamma Academy"))
    })
    .await;
    for app in &apps {
        assert_eq!(app.get("learn.gamma.test", "/").await.status, 200);
    }
    // Creating it twice, or a bad flag, changes nothing.
    let again = eduflow_cli(
        &db,
        &admin,
        &dir,
        &[
            "tenants",
            "create",
            "gamma",
            "--name",
            "X",
            "--category",
            "a=A",
        ],
    )
    .await;
    refused(&again, "already exists");
    let bad = eduflow_cli(
        &db,
        &admin,
        &dir,
        &["tenants", "update", "gamma", "--accent-color", "red"],
    )
    .await;
    refused(&bad, "accent_color");

    succeeded(
        &eduflow_cli(
            &db,
            &admin,
            &dir,
            &["tenants", "update", "gamma", "--name", "Gamma Institute"],
        )
        .await,
    );
    within_a_second(&apps, "rename", |app| async move {
        title_on(app, host)
            .await
            .is_some_and(|t| t.contains("Gamma Institute"))
    })
    .await;
    assert_eq!(
        db.text("SELECT array_to_string(domains, ',') FROM tenants WHERE slug = 'gamma'")
            .await,
        "learn.gamma.test",
        "an update changes only what it names"
    );

    // Some life at gamma: demo courses with media, a learner enrolled.
    let gamma = eduflow::tenancy::lifecycle::school_id(db.admin_pools().primary(), "gamma")
        .await
        .unwrap();
    eduflow::seed::demo::demo(
        db.admin_pools().primary(),
        &[("gamma".into(), gamma)],
        3,
        &crate::harness::local_store().open().unwrap(),
    )
    .await
    .unwrap();
    let mut learner = Browser::new("gamma");
    learner.sign_up(apps[0].port, "ada@gamma.test").await;
    let course = db
        .text(&format!(
            "SELECT slug FROM courses WHERE tenant_id = '{gamma}' AND published ORDER BY slug LIMIT 1"
        ))
        .await;
    let res = learner
        .post(apps[0].port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    succeeded(&eduflow_cli(&db, &admin, &dir, &["tenants", "suspend", "gamma"]).await);
    within_a_second(&apps, "suspension", |app| async move {
        app.get(host, "/").await.status == 503
    })
    .await;
    for app in &apps {
        for path in [
            "/courses",
            &format!("/courses/{course}"),
            "/login",
            "/learn",
        ] {
            let res = app.get(host, path).await;
            assert_eq!(res.status, 503, "{path}");
            assert!(
                res.body.contains("Gamma Institute is closed for now"),
                "{path}: {}",
                res.body
            );
        }
        let api = app.get(host, "/api/v1/courses").await;
        assert_eq!(api.status, 503);
        assert!(api.json()["error"].as_str().unwrap().contains("closed"));
        let post = learner
            .post(app.port, &format!("/courses/{course}/unenroll"), &[])
            .await;
        assert_eq!(post.status, 503);
        assert_eq!(app.get("alpha.localhost", "/").await.status, 200);
    }
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments WHERE tenant_id = '{gamma}'"
        ))
        .await,
        1,
        "a suspended school keeps its data"
    );
    succeeded(&eduflow_cli(&db, &admin, &dir, &["tenants", "resume", "gamma"]).await);
    within_a_second(&apps, "resumption", |app| async move {
        app.get(host, "/").await.status == 200
    })
    .await;
    let list = succeeded(&eduflow_cli(&db, &admin, &dir, &["tenants", "list"]).await);
    assert!(
        list.lines()
            .any(|l| l.starts_with("gamma\tGamma Institute\tactive\tlearn.gamma.test")),
        "{list}"
    );

    // Deletion: refused without the confirmation, then complete.
    let unconfirmed = eduflow_cli(&db, &admin, &dir, &["tenants", "delete", "gamma"]).await;
    refused(&unconfirmed, "--confirm gamma");
    let wrong = eduflow_cli(
        &db,
        &admin,
        &dir,
        &["tenants", "delete", "gamma", "--confirm", "alpha"],
    )
    .await;
    refused(&wrong, "--confirm gamma");
    assert!(
        db.count(&format!(
            "SELECT count(*) FROM courses WHERE tenant_id = '{gamma}'"
        ))
        .await
            > 0
    );
    let media_root = media_dir().join(format!("t/{gamma}"));
    let objects = count_files(&media_root);
    assert!(objects > 0, "gamma has media");

    let report = succeeded(
        &eduflow_cli(
            &db,
            &admin,
            &dir,
            &["tenants", "delete", "gamma", "--confirm", "gamma"],
        )
        .await,
    );
    assert!(
        report.contains(&format!("{objects:>8} media objects")),
        "{report}"
    );
    assert!(report.contains("enrollments"), "{report}");
    let tables: Vec<Row> = diesel::sql_query(
        "SELECT c.table_name::text AS what, 0::bigint AS n FROM information_schema.columns c
          JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
          ORDER BY 1",
    )
    .load(&mut db.superuser().await)
    .await
    .unwrap();
    let mut listed: Vec<&str> = TABLES.to_vec();
    listed.sort();
    assert_eq!(
        tables.iter().map(|t| t.what.as_str()).collect::<Vec<_>>(),
        listed,
        "lifecycle::TABLES must name every tenant table"
    );
    for table in &tables {
        let left = db
            .count(&format!(
                "SELECT count(*) FROM {} WHERE tenant_id = '{gamma}'",
                table.what
            ))
            .await;
        assert_eq!(left, 0, "{} rows left", table.what);
    }
    assert_eq!(
        db.count("SELECT count(*) FROM tenants WHERE slug = 'gamma'")
            .await,
        0
    );
    assert_eq!(count_files(&media_root), 0, "media objects left");
    assert_eq!(snapshot(&db).await, before, "alpha and beta are untouched");
    within_a_second(&apps, "deletion", |app| async move {
        app.get(host, "/").await.status == 404
    })
    .await;
    for app in apps {
        app.stop().await;
    }
}

pub fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// `serve --sync-tenants` creates the schools its files add, never reverts a change made since
/// through the command line, and reports a bad file without refusing to start.
#[actix_web::test]
async fn serve_creates_missing_schools_and_keeps_changes_made_since() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let dir = tempdir("serve-sync");
    std::fs::write(
        dir.join("alpha.toml"),
        school_toml("alpha", &["learn.alpha.test"]),
    )
    .unwrap();
    std::fs::write(dir.join("delta.toml"), school_toml("delta", &[])).unwrap();
    std::fs::write(dir.join("broken.toml"), "slug = \"broken\"\nname = 5\n").unwrap();
    succeeded(
        &eduflow_cli(
            &db,
            &db.admin_url,
            &dir,
            &["tenants", "update", "alpha", "--name", "Alpha Renamed"],
        )
        .await,
    );
    let (child, port) = crate::harness::serve_binary(
        &db,
        &[
            ("EDUFLOW_SYNC_TENANTS", "true"),
            ("EDUFLOW_TENANTS_DIR", dir.to_str().unwrap()),
        ],
    )
    .await;
    let res = crate::harness::request(port, "GET", "delta.localhost", "/", &[]).await;
    assert_eq!(res.status, 200, "the new file's school was created");
    assert_eq!(
        db.text("SELECT name FROM tenants WHERE slug = 'alpha'")
            .await,
        "Alpha Renamed",
        "a start does not revert a change made through the CLI"
    );
    let mut child = child;
    child.start_kill().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("broken.toml") && log.contains("school file skipped"),
        "{log}"
    );
}
