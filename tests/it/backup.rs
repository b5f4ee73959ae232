//! The point-in-time recovery drill, on the embedded default as shipped: a full backup, writes at
//! T1 at two schools, more writes and deletions at T2, a restore to T1 into a fresh directory,
//! which is started and must hold exactly what T1 held.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use eduflow::backup::Repo;
use eduflow::db::embedded::{Cluster, ClusterOptions};

use crate::harness::{Browser, embedded_cli, serve_embedded};

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    what: String,
}

/// Per school: every tenant table's row count, every account and every enrollment (ids aside).
async fn snapshot(conn: &mut AsyncPgConnection) -> Vec<String> {
    let mut parts: Vec<String> = eduflow::tenancy::lifecycle::TABLES
        .iter()
        .map(|t| {
            format!(
                "SELECT s.slug || ' {t} ' || count(x.tenant_id) AS what FROM tenants s
                   LEFT JOIN {t} x ON x.tenant_id = s.id GROUP BY s.slug"
            )
        })
        .collect();
    parts.push(
        "SELECT s.slug || ' user ' || u.email || ' ' || u.role AS what
           FROM users u JOIN tenants s ON s.id = u.tenant_id"
            .into(),
    );
    parts.push(
        "SELECT s.slug || ' enrolled ' || u.email || ' in ' || c.slug AS what
           FROM enrollments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id
           JOIN tenants s ON s.id = e.tenant_id"
            .into(),
    );
    let rows: Vec<Row> = diesel::sql_query(format!("{} ORDER BY 1", parts.join(" UNION ALL ")))
        .load(conn)
        .await
        .unwrap();
    rows.into_iter().map(|r| r.what).collect()
}

#[derive(QueryableByName)]
struct Now {
    #[diesel(sql_type = diesel::sql_types::Text)]
    now: String,
}

/// The database's clock now, RFC 3339 in UTC: a moment to restore to.
async fn now(conn: &mut AsyncPgConnection) -> String {
    let now: Now = diesel::sql_query(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS now",
    )
    .get_result(conn)
    .await
    .unwrap();
    now.now
}

async fn cli(data_dir: &std::path::Path, args: &[&str]) -> String {
    let out = embedded_cli(data_dir).args(args).output().await.unwrap();
    crate::harness::succeeded(&out)
}

/// Asserts that the command fails saying `reason`.
async fn cli_refused(data_dir: &std::path::Path, args: &[&str], reason: &str) {
    let out = embedded_cli(data_dir).args(args).output().await.unwrap();
    crate::harness::refused(&out, reason);
}

/// Signs a learner up at `school` and enrolls them in its first course.
async fn learner(port: u16, school: &str, email: &str) -> (Browser, String) {
    let mut who = Browser::new(school);
    who.sign_up(port, email).await;
    let catalog = crate::harness::request(
        port,
        "GET",
        &format!("{school}.localhost"),
        "/api/v1/courses",
        &[],
    )
    .await;
    let course = catalog.json()["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    who.get(port, &format!("/courses/{course}")).await;
    let res = who
        .post(port, &format!("/courses/{course}/enroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    (who, course)
}

/// Where both drills start: the embedded default serving under a fresh data directory, a full
/// backup, then (T1) a learner enrolled at each school.
struct AtT1 {
    data: std::path::PathBuf,
    server: tokio::process::Child,
    port: u16,
    db: AsyncPgConnection,
    ada: Browser,
    ada_course: String,
    at_t1: Vec<String>,
    /// RFC 3339.
    t1: String,
}

async fn up_to_t1() -> AtT1 {
    let data = std::env::temp_dir().join(format!("eduflow-pitr-{}", uuid::Uuid::new_v4()));
    let (server, port) = serve_embedded(&data).await;
    let url = format!(
        "postgresql:///eduflow?host={}&user=postgres",
        data.join("pg/run").display()
    );
    let mut db = AsyncPgConnection::establish(&url).await.unwrap();
    let started = Instant::now();
    let said = cli(&data, &["backup", "now"]).await;
    println!("backup: {said} ({:?})", started.elapsed());
    // pgBackRest records a backup's stop time in whole seconds, and a restore target must lie
    // after it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (ada, ada_course) = learner(port, "northwind", "ada@northwind.test").await;
    learner(port, "riverside", "rui@riverside.test").await;
    let at_t1 = snapshot(&mut db).await;
    let t1 = now(&mut db).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    AtT1 {
        data,
        server,
        port,
        db,
        ada,
        ada_course,
        at_t1,
        t1,
    }
}

/// `tenants restore SLUG --to T1`, beside the live school: the new school's slug.
async fn restored_beside(data: &std::path::Path, slug: &str, t1: &str) -> String {
    let started = Instant::now();
    let said = cli(data, &["tenants", "restore", slug, "--to", t1]).await;
    println!("tenants restore {slug}: {said} ({:?})", started.elapsed());
    let stamp: String = t1.chars().filter(char::is_ascii_digit).take(12).collect();
    let restored = format!("{slug}-{stamp}");
    assert!(said.contains(&format!("as {restored}")), "{said}");
    restored
}

/// Stops the server and removes its data directory.
async fn stop(mut server: tokio::process::Child, data: &std::path::Path) {
    let pid = nix::unistd::Pid::from_raw(server.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    server.wait().await.unwrap();
    let _ = std::fs::remove_dir_all(data);
}

/// Part of T2 in both drills: Ada leaves her course, and an operator deletes a course of `school`
/// that nobody is enrolled in, by hand.
async fn ada_leaves_and_a_course_goes(
    port: u16,
    ada: &mut Browser,
    ada_course: &str,
    db: &mut AsyncPgConnection,
    school: &str,
) {
    ada.get(port, &format!("/courses/{ada_course}")).await;
    let res = ada
        .post(port, &format!("/courses/{ada_course}/unenroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    db.batch_execute(&format!(
        "DELETE FROM courses WHERE id = (SELECT c.id FROM courses c JOIN tenants t ON t.id = c.tenant_id
          WHERE t.slug = '{school}' AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id)
          ORDER BY c.slug LIMIT 1)"
    ))
    .await
    .unwrap();
}

#[actix_web::test]
async fn a_restore_to_t1_holds_exactly_what_t1_held() {
    let AtT1 {
        data,
        server,
        port,
        mut db,
        mut ada,
        ada_course,
        at_t1,
        t1,
    } = up_to_t1().await;

    // T2: more of the same, an unenrollment, and an operator deleting a course by hand.
    learner(port, "northwind", "bo@northwind.test").await;
    learner(port, "riverside", "cy@riverside.test").await;
    ada_leaves_and_a_course_goes(port, &mut ada, &ada_course, &mut db, "riverside").await;
    let at_t2 = snapshot(&mut db).await;
    assert_ne!(at_t1, at_t2);

    let report = cli(&data, &["backup", "verify"]).await;
    assert!(report.contains("status: ok"), "{report}");
    assert!(report.contains("no error"), "{report}");
    let list = cli(&data, &["backup", "list"]).await;
    assert!(list.lines().any(|l| l.contains("\tfull\t")), "{list}");

    let restored = data.join("restored");
    let started = Instant::now();
    let said = cli(
        &data,
        &[
            "backup",
            "restore",
            "--to",
            &t1,
            "--into",
            restored.to_str().unwrap(),
        ],
    )
    .await;
    println!("restore: {said} ({:?})", started.elapsed());

    // Start the copy beside the running original, on its own socket.
    let sock = data.join("restored-run");
    std::fs::create_dir_all(&sock).unwrap();
    let postgres = nix::unistd::User::from_name("postgres").unwrap();
    if let Some(user) = &postgres {
        std::os::unix::fs::chown(&sock, Some(user.uid.as_raw()), Some(user.gid.as_raw())).unwrap();
    }
    let pg_ctl = eduflow::db::embedded::find_bindir().unwrap().join("pg_ctl");
    let pg_ctl_as = |args: Vec<String>| {
        let mut cmd = std::process::Command::new(if postgres.is_some() {
            "runuser"
        } else {
            pg_ctl.to_str().unwrap()
        });
        if postgres.is_some() {
            cmd.args(["-u", "postgres", "--", pg_ctl.to_str().unwrap()]);
        }
        cmd.args(args).status().unwrap()
    };
    let status = pg_ctl_as(vec![
        "-D".into(),
        restored.display().to_string(),
        "-l".into(),
        sock.join("restored.log").display().to_string(),
        "-o".into(),
        format!("-c port=5433 -c unix_socket_directories={}", sock.display()),
        "-w".into(),
        "start".into(),
    ]);
    assert!(
        status.success(),
        "{}",
        std::fs::read_to_string(sock.join("restored.log")).unwrap_or_default()
    );
    let copy_url = format!(
        "postgresql:///eduflow?host={}&port=5433&user=postgres",
        sock.display()
    );
    let mut copy = AsyncPgConnection::establish(&copy_url).await.unwrap();
    #[derive(QueryableByName)]
    struct Recovering {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        r: bool,
    }
    let mut promoted = false;
    for _ in 0..100 {
        let r: Recovering = diesel::sql_query("SELECT pg_is_in_recovery() AS r")
            .get_result(&mut copy)
            .await
            .unwrap();
        if !r.r {
            promoted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        promoted,
        "the restored copy finished recovery and was promoted"
    );
    let restored_rows = snapshot(&mut copy).await;
    pg_ctl_as(vec![
        "-D".into(),
        restored.display().to_string(),
        "-m".into(),
        "fast".into(),
        "stop".into(),
    ]);
    assert_eq!(restored_rows, at_t1, "the copy holds what T1 held");

    stop(server, &data).await;
}

/// A nightly backup still running when `serve` stops must not outlive the database: it would keep
/// writing into the repository after EduFlow exited (and race whoever removes the directory).
#[actix_web::test]
async fn stopping_the_database_ends_the_tools_running_against_it() {
    let root = crate::harness::shared().root.join("tools-end");
    let cluster = crate::harness::start_private(&root).await;
    let marker = root.join("tool.pid");
    std::fs::set_permissions(&root, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let script = format!("echo $$ > {}; exec sleep 600", marker.display());
    let tool = {
        let cluster = cluster.clone();
        actix_web::rt::spawn(async move {
            cluster
                .run_tool(std::path::Path::new("/bin/sh"), &["-c", &script])
                .await
        })
    };
    let read_pid = || {
        std::fs::read_to_string(&marker)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
    };
    crate::harness::eventually(Duration::from_secs(10), || async { read_pid().is_some() })
        .await
        .expect("the tool started");
    let pid = read_pid().unwrap();
    let alive = || nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
    assert!(alive(), "the tool runs");

    cluster.stop().await.unwrap();
    assert!(!alive(), "the tool ended before the database stopped");
    let outcome = tool.await.unwrap();
    assert!(
        outcome.is_err(),
        "the tool reports it was ended: {outcome:?}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// `tenants restore`: one school back as it was at T1, beside the live one, then in its place;
/// every other school exactly as it was before each restore, and the replaced one kept whole.
#[actix_web::test]
async fn one_school_comes_back_from_t1_beside_the_live_one_or_in_its_place_and_no_other_moves() {
    let AtT1 {
        data,
        server,
        port,
        mut db,
        mut ada,
        ada_course,
        at_t1,
        t1,
    } = up_to_t1().await;

    // T2: Ada leaves her course, an operator deletes a Northwind course by hand, Riverside grows.
    ada_leaves_and_a_course_goes(port, &mut ada, &ada_course, &mut db, "northwind").await;
    learner(port, "riverside", "cy@riverside.test").await;
    let at_t2 = snapshot(&mut db).await;

    let restored = restored_beside(&data, "northwind", &t1).await;
    let after = snapshot(&mut db).await;

    // Every school but the new one is exactly as at T2 (Northwind's audit log aside: it does not
    // change either, the restore is recorded at the new school).
    // (The mail outbox drains on its own meanwhile.)
    let settled = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| !l.starts_with(&format!("{restored} ")) && !l.contains(" outbox "))
            .cloned()
            .collect()
    };
    assert_eq!(
        settled(&after),
        settled(&at_t2),
        "a school other than the restored one changed"
    );
    // The new school holds what Northwind held at T1, for every table an archive carries.
    let carried = |line: &&String| {
        let table = line.split(' ').nth(1).unwrap_or_default();
        table != "audit_log"
            && (eduflow::tenancy::archive::exported_tables().any(|t| t == table)
                || table == "user"
                || table == "enrolled")
    };
    let back: Vec<String> = after
        .iter()
        .filter_map(|l| l.strip_prefix(&format!("{restored} ")))
        .map(|rest| format!("northwind {rest}"))
        .collect();
    let back: Vec<&String> = back.iter().filter(carried).collect();
    let then: Vec<&String> = at_t1
        .iter()
        .filter(|l| l.starts_with("northwind "))
        .filter(carried)
        .collect();
    assert_eq!(back, then, "the restored school is not Northwind at T1");
    assert!(
        back.iter()
            .any(|l| l.contains("enrolled ada@northwind.test")),
        "{back:?}"
    );
    #[derive(QueryableByName)]
    struct Audit {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let audit: Audit = diesel::sql_query(
        "SELECT count(*) AS n FROM audit_log a JOIN tenants t ON t.id = a.tenant_id
          WHERE t.slug = $1 AND a.action = 'school.restored'",
    )
    .bind::<diesel::sql_types::Text, _>(&restored)
    .get_result(&mut db)
    .await
    .unwrap();
    assert_eq!(audit.n, 1);

    // The running server serves it at once, and Ada signs in there with her password of T1.
    let mut again = Browser::new(&restored);
    let mut served = false;
    for _ in 0..40 {
        if again.get(port, "/login").await.status == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "the restored school is not served");
    let res = again
        .post(
            port,
            "/login",
            &[
                ("email", "ada@northwind.test"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // A second restore to the same moment needs another slug, and leaves nothing behind.
    cli_refused(
        &data,
        &["tenants", "restore", "northwind", "--to", &t1],
        "exists already",
    )
    .await;
    assert!(
        !std::fs::read_dir(&data).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("restore-")),
        "a scratch copy was left behind"
    );

    // In its place: the copy of T1 takes Northwind's slug; the live school is kept, suspended.
    let confirming = |who| {
        [
            "tenants",
            "restore",
            "northwind",
            "--to",
            &t1,
            "--confirm",
            who,
        ]
    };
    cli_refused(
        &data,
        &confirming("riverside"),
        "--confirm must repeat the slug",
    )
    .await;
    let before = snapshot(&mut db).await;
    let said = cli(&data, &confirming("northwind")).await;
    let retired = crate::harness::replaced_school(&said);
    let swapped = snapshot(&mut db).await;
    let school = |lines: &[String], slug: &str| -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(&format!("{slug} ")))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(school(&swapped, "riverside"), school(&before, "riverside"));
    assert_eq!(
        school(&swapped, &restored),
        school(&before, &restored),
        "the side-by-side copy moved"
    );
    assert_eq!(
        school(&swapped, &retired),
        school(&before, "northwind"),
        "the replaced school is not kept whole"
    );
    let carried_part = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|l| {
                let table = l.split(' ').next().unwrap_or_default();
                table != "audit_log"
                    && (eduflow::tenancy::archive::exported_tables().any(|t| t == table)
                        || table == "user"
                        || table == "enrolled")
            })
            .collect()
    };
    assert_eq!(
        carried_part(school(&swapped, "northwind")),
        carried_part(school(&at_t1, "northwind")),
        "northwind is not as it was at T1"
    );
    let closed = crate::harness::request(
        port,
        "GET",
        &format!("{retired}.localhost"),
        "/courses",
        &[],
    )
    .await;
    assert_eq!(closed.status, 503, "the replaced school is not suspended");

    stop(server, &data).await;
}

/// A cluster like the embedded one, under `root`, archiving its WAL to a pgBackRest repository
/// of its own in `root/backups`: its primary and its backups kept together, as an operator's
/// cluster in another region would be.
async fn archived_cluster(root: &std::path::Path) -> (Cluster, Repo) {
    let repo = Repo::new(root);
    let pg = root.join("pg");
    std::fs::create_dir_all(&pg).unwrap();
    repo.configure(
        &std::path::absolute(&pg).unwrap(),
        eduflow::db::embedded::unprivileged_user().unwrap(),
    )
    .unwrap();
    let options = ClusterOptions {
        archive_command: Some(repo.archive_command()),
        ..ClusterOptions::default()
    };
    let cluster = Cluster::start(&pg, options).await.unwrap();
    repo.ensure_stanza(cluster.tools()).await.unwrap();
    (cluster, repo)
}

/// `tenants restore` for a school on another cluster: the school came there with `tenants
/// import --cluster`, its media in that cluster's own store; it comes back from that cluster's
/// own pgBackRest repository (`main` has no backup at all, so nothing could come from there),
/// beside itself on that cluster, with its media. No other school on either cluster changes.
#[actix_web::test]
async fn a_school_on_another_cluster_comes_back_from_that_clusters_own_backups() {
    let data = std::env::temp_dir().join(format!("eduflow-pitr-{}", uuid::Uuid::new_v4()));
    let (main, _) = archived_cluster(&data).await;
    let (eu, eu_repo) = archived_cluster(&data.join("eu")).await;
    cli(&data, &["seed"]).await;
    let urls = eu.provision("eduflow").await.unwrap();
    let conf = data
        .join("eu/backups/pgbackrest.conf")
        .display()
        .to_string();
    let add = |conf: String| {
        let data = data.clone();
        let urls = (urls.runtime.clone(), urls.admin.clone());
        async move {
            embedded_cli(&data)
                .args([
                    "clusters",
                    "add",
                    "eu",
                    "--url",
                    &urls.0,
                    "--admin-url",
                    &urls.1,
                ])
                .args(["--region", "fra", "--media-bucket", "eu-media"])
                .args(["--backup-config", &conf])
                .output()
                .await
                .unwrap()
        }
    };
    crate::harness::refused(&add(format!("{conf}.missing")).await, "no such file here");
    crate::harness::succeeded(&add(conf.clone()).await);
    let listed = cli(&data, &["clusters", "list"]).await;
    assert!(
        listed.contains(&format!(
            "media: bucket eu-media\tbackups: stanza eduflow in {conf}"
        )),
        "{listed}"
    );
    let mut main_db = AsyncPgConnection::establish(&main.url("postgres", "eduflow"))
        .await
        .unwrap();
    let mut eu_db = AsyncPgConnection::establish(&eu.url("postgres", "eduflow"))
        .await
        .unwrap();

    // Northwind, copied onto eu as Faraway: refused under its own slug, which main has.
    let archive = data.join("northwind.zip");
    let archive = archive.display().to_string();
    cli(
        &data,
        &["tenants", "export", "northwind", "--out", &archive],
    )
    .await;
    let clash = ["tenants", "import", &archive, "--cluster", "eu"];
    cli_refused(&data, &clash, "cluster main has a school northwind already").await;
    let import = [
        "tenants",
        "import",
        &archive,
        "--as",
        "faraway",
        "--cluster",
        "eu",
    ];
    let said = cli(&data, &import).await;
    assert!(said.contains("imported"), "{said}");
    listed_on_eu(&data, "faraway").await;
    let faraway: Row =
        diesel::sql_query("SELECT id::text AS what FROM tenants WHERE slug = 'faraway'")
            .get_result(&mut eu_db)
            .await
            .unwrap();
    let objects = |root: std::path::PathBuf| {
        let dir = root.join("t").join(&faraway.what);
        walk(&dir)
    };
    let on_eu = objects(data.join("media/buckets/eu-media"));
    assert!(!on_eu.is_empty(), "faraway's media are not in eu's store");
    assert!(
        objects(data.join("media")).is_empty(),
        "faraway's media went to main's store"
    );

    // A full backup of eu into its own repository; T1; then Faraway loses a course.
    let said = cli(&data, &["backup", "now", "--cluster", "eu"]).await;
    assert!(said.contains("full backup"), "{said}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let eu_t1 = snapshot(&mut eu_db).await;
    let t1 = now(&mut eu_db).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    eu_db
        .batch_execute(
            "DELETE FROM courses WHERE id = (SELECT c.id FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = 'faraway' ORDER BY c.slug LIMIT 1)",
        )
        .await
        .unwrap();
    let (eu_t2, main_t2) = (snapshot(&mut eu_db).await, snapshot(&mut main_db).await);
    assert_ne!(eu_t2, eu_t1);

    let restored = restored_beside(&data, "faraway", &t1).await;

    // On eu: Faraway as at T2, the new school as Faraway at T1; main exactly as it was.
    let eu_now = snapshot(&mut eu_db).await;
    let mine = |lines: &[String], slug: &str| -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(&format!("{slug} ")))
            .filter(|l| !l.starts_with("audit_log ") && !l.starts_with("outbox "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(mine(&eu_now, "faraway"), mine(&eu_t2, "faraway"));
    assert_eq!(mine(&eu_now, &restored), mine(&eu_t1, "faraway"));
    let settled = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|l| !l.contains(" outbox "))
            .collect()
    };
    assert_eq!(settled(snapshot(&mut main_db).await), settled(main_t2));
    listed_on_eu(&data, &restored).await;
    // Its media are in eu's store, under its own id.
    let new_id: Row = diesel::sql_query(format!(
        "SELECT id::text AS what FROM tenants WHERE slug = '{restored}'"
    ))
    .get_result(&mut eu_db)
    .await
    .unwrap();
    let restored_media = walk(&data.join("media/buckets/eu-media/t").join(&new_id.what));
    assert_eq!(restored_media.len(), on_eu.len());
    // A school is restored on its own cluster; once deleted, on the cluster named.
    let on = |cluster| {
        [
            "tenants",
            "restore",
            "faraway",
            "--to",
            &t1,
            "--cluster",
            cluster,
        ]
    };
    cli_refused(&data, &on("main"), "faraway is on cluster eu, not main").await;
    let delete = ["tenants", "delete", "faraway", "--confirm", "faraway"];
    cli(&data, &delete).await;
    let said = cli(&data, &[&on("eu")[..], &["--as", "faraway-back"]].concat()).await;
    assert!(said.contains("as faraway-back"), "{said}");
    let eu_again = snapshot(&mut eu_db).await;
    assert_eq!(mine(&eu_again, "faraway-back"), mine(&eu_t1, "faraway"));
    assert!(mine(&eu_again, "faraway").is_empty());

    // The only repository holding a backup is eu's.
    assert_eq!(cli(&data, &["backup", "list"]).await.trim(), "");
    assert_eq!(eu_repo.list(eu.tools()).await.unwrap().len(), 1);

    drop((main_db, eu_db));
    eu.stop().await.unwrap();
    main.stop().await.unwrap();
    let _ = std::fs::remove_dir_all(&data);
}

/// Asserts that `tenants list` shows `slug` on the cluster `eu`.
async fn listed_on_eu(data: &std::path::Path, slug: &str) {
    let listed = cli(data, &["tenants", "list"]).await;
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(&format!("{slug}\t")) && l.ends_with("\teu")),
        "{listed}"
    );
}

/// The files under `dir`, relative to it, sorted (none when it is missing).
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(at) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found.sort();
    found
}
