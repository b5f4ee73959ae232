//! The point-in-time recovery drill, on the embedded default as shipped: a full backup, writes at
//! T1 at two schools, more writes and deletions at T2, a restore to T1 into a fresh directory,
//! which is started and must hold exactly what T1 held.

use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

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

async fn cli(data_dir: &std::path::Path, args: &[&str]) -> String {
    let out = embedded_cli(data_dir).args(args).output().await.unwrap();
    crate::harness::succeeded(&out)
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

#[actix_web::test]
async fn a_restore_to_t1_holds_exactly_what_t1_held() {
    let data = std::env::temp_dir().join(format!("eduflow-pitr-{}", uuid::Uuid::new_v4()));
    let (mut server, port) = serve_embedded(&data).await;
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

    // T1: learners and enrollments at two schools.
    let (mut ada, ada_course) = learner(port, "northwind", "ada@northwind.test").await;
    learner(port, "riverside", "rui@riverside.test").await;
    let at_t1 = snapshot(&mut db).await;
    #[derive(QueryableByName)]
    struct Now {
        #[diesel(sql_type = diesel::sql_types::Text)]
        now: String,
    }
    let t1: Now = diesel::sql_query(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS now",
    )
    .get_result(&mut db)
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;

    // T2: more of the same, an unenrollment, and an operator deleting a course by hand.
    learner(port, "northwind", "bo@northwind.test").await;
    learner(port, "riverside", "cy@riverside.test").await;
    ada.get(port, &format!("/courses/{ada_course}")).await;
    let res = ada
        .post(port, &format!("/courses/{ada_course}/unenroll"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    db.batch_execute(
        "DELETE FROM courses WHERE id = (SELECT c.id FROM courses c JOIN tenants t ON t.id = c.tenant_id
          WHERE t.slug = 'riverside' AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id)
          ORDER BY c.slug LIMIT 1)",
    )
    .await
    .unwrap();
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
            &t1.now,
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

    let pid = nix::unistd::Pid::from_raw(server.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    server.wait().await.unwrap();
    let _ = std::fs::remove_dir_all(&data);
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
