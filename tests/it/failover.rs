//! A primary failover with nothing acknowledged lost. Two instances are given multi-host URLs
//! (`target_session_attrs=read-write` for the primary, `read-only` for replicas) over a Patroni
//! cluster of two nodes in synchronous mode. Under steady writes from both (enrollments,
//! progress, quiz attempts) the primary node is killed with `kill -9`; once the old primary is
//! back as a standby, the new primary is frozen with SIGSTOP.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eduflow::db::embedded::RUNTIME_ROLE;
use nix::sys::signal::Signal;

use crate::fleet::psql;
use crate::harness::{Browser, TestApp, TestDb, eventually, settings};
use crate::learning::course_with_lessons;
use crate::patroni::Patroni;
use crate::steady::{Acked, Log, Plan, QUIZ, found, read_steadily, window, write_steadily};

#[actix_web::test]
async fn a_failover_loses_no_acknowledged_write_and_needs_no_restart() {
    let mut pg = Patroni::start().await;
    let db = pg.database().await;
    db.two_schools_here().await;
    let (course, lessons) = course_with_lessons(&db, "alpha").await;
    let (_, quiz) = crate::assessment::import_quiz(&db, &course, QUIZ, &[]).await;
    let others = db
        .text(&format!(
            "SELECT string_agg(c.slug, ',') FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = 'alpha' AND c.published AND c.slug <> '{course}'"
        ))
        .await;
    let plan = Arc::new(Plan {
        course: course.clone(),
        lessons,
        quiz,
        others: others.split(',').map(str::to_owned).collect(),
    });

    let spawn = || {
        let mut s = settings(&db);
        s.replica_urls = vec![pg.url(RUNTIME_ROLE, "eduflow", "read-only")];
        s.signups_per_address = 0;
        // A frozen server is given up on after twice this.
        s.pool.limits.statement = Duration::from_secs(2);
        TestApp::spawn(s)
    };
    let (one, two) = (spawn().await, spawn().await);
    let log = Arc::new(Mutex::new(Log::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for i in 0..4 {
        let port = [one.port, two.port][i % 2];
        let email = format!("steady{i}@alpha.test");
        let mut me = Browser::new("alpha");
        me.sign_up(port, &email).await;
        let enrolled = me
            .post(port, &format!("/courses/{course}/enroll"), &[])
            .await;
        assert_eq!(enrolled.status, 303, "{}", enrolled.body);
        let (plan, log, stop) = (plan.clone(), log.clone(), stop.clone());
        tasks.push(actix_web::rt::spawn(write_steadily(
            port, me, email, plan, log, stop,
        )));
    }
    for port in [one.port, two.port] {
        tasks.push(actix_web::rt::spawn(read_steadily(
            port,
            "alpha.localhost",
            log.clone(),
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!log.lock().unwrap().acked.is_empty(), "no steady writes");

    // 1. The primary node dies: Patroni and every PostgreSQL process, at once.
    let first = pg.leader().await.expect("a leader");
    let killed = Instant::now();
    pg.kill(&first);
    let promoted = pg
        .wait(Duration::from_secs(60), "a new leader", |m| {
            crate::patroni::with_role(m, "leader").is_some_and(|l| l != first)
        })
        .await;
    let second = crate::patroni::with_role(&promoted, "leader").unwrap();
    let acked_again = eventually(Duration::from_secs(30), || async {
        log.lock().unwrap().first_ack_after(killed).is_some()
    })
    .await;
    assert!(
        acked_again.is_some(),
        "writes did not resume after the kill"
    );
    let (kill_gap, kill_pages_failed) = window(&log.lock().unwrap(), killed);
    // The old primary comes back, is rewound and follows the new one.
    pg.start_node(&first);
    pg.wait_standby(&first).await;
    // A change made in plain SQL on the new primary reaches both instances' cached pages: their
    // listeners are on the new primary.
    renamed_everywhere(&db, &[&one, &two], &course, "Renamed after the kill").await;

    // 2. The new primary freezes (a paused machine): nothing is closed, nothing answers.
    let frozen_at = Instant::now();
    let frozen = pg.signal(&second, Signal::SIGSTOP);
    let resumed = eventually(Duration::from_secs(60), || async {
        log.lock().unwrap().first_ack_after(frozen_at).is_some()
    })
    .await;
    let leader_while_frozen = pg.leader().await;
    for pid in &frozen {
        let _ = nix::sys::signal::kill(*pid, Signal::SIGCONT);
    }
    assert!(
        resumed.is_some(),
        "writes did not resume while the primary was frozen\n{}",
        pg.logs()
    );
    assert_eq!(leader_while_frozen.as_deref(), Some(first.as_str()));
    let (freeze_gap, freeze_pages_failed) = window(&log.lock().unwrap(), frozen_at);
    // Thawed, the old primary finds it lost its lock, and rejoins as a standby.
    pg.wait_standby(&second).await;
    renamed_everywhere(&db, &[&one, &two], &course, "Renamed after the freeze").await;

    // Replicas that follow the new primary are read from again.
    let before = one.queries("replica-0", "catalog").await;
    // Each check asks for a page not cached yet (limits 2 to 50, one every 200 ms).
    let next = std::sync::atomic::AtomicUsize::new(2);
    let back = eventually(Duration::from_secs(9), || async {
        let limit = next.fetch_add(1, Ordering::Relaxed);
        let page = one
            .get("alpha.localhost", &format!("/api/v1/courses?limit={limit}"))
            .await;
        assert_eq!(page.status, 200);
        tokio::time::sleep(Duration::from_millis(200)).await;
        one.queries("replica-0", "catalog").await > before
    })
    .await;
    assert!(
        back.is_some(),
        "reads never returned to the replica: {}",
        one.metrics()
            .await
            .lines()
            .filter(|l| l.contains("replica") && !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    );

    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let log = Arc::try_unwrap(log).ok().unwrap().into_inner().unwrap();
    let acked: Vec<Acked> = log.acked.iter().map(|(_, _, a)| a.clone()).collect();
    let (have, want) = found(&db, &acked).await;
    eprintln!(
        "failover: {} writes acknowledged ({want} distinct), statuses {:?}; kill: writes back after \
         {kill_gap:.1?}, {kill_pages_failed} cached pages failed meanwhile; freeze: writes back \
         after {freeze_gap:.1?}, {freeze_pages_failed} cached pages failed meanwhile",
        acked.len(),
        log.statuses
    );
    assert_eq!(
        have, want,
        "acknowledged writes are missing on the new primary"
    );
    assert!(
        log.statuses
            .keys()
            .all(|s| (200..400).contains(s) || *s == 503),
        "{:?}",
        log.statuses
    );
    assert_eq!(log.without_retry_after, 0, "a 503 without Retry-After");
    assert_eq!(log.hung, 0, "a write got no answer within 30 s");
    assert_eq!(kill_pages_failed, 0, "cached pages failed during the kill");
    assert_eq!(
        freeze_pages_failed, 0,
        "cached pages failed during the freeze"
    );
    assert!(
        log.pages.iter().all(|(_, s)| *s == 200 || *s == 503),
        "a cached page answered neither 200 nor 503"
    );
    drop(db);
    drop(pg);
}

/// A course renamed in plain SQL on whichever node is the primary now shows on every instance's
/// catalog page within two seconds.
async fn renamed_everywhere(db: &TestDb, apps: &[&TestApp], course: &str, title: &str) {
    psql(
        db,
        &format!("UPDATE courses SET title = '{title}' WHERE slug = '{course}'"),
    )
    .await;
    for app in apps {
        let took = eventually(Duration::from_secs(2), || async {
            app.get("alpha.localhost", "/courses")
                .await
                .body
                .contains(title)
        })
        .await;
        assert!(took.is_some(), "{title:?} did not reach a cached page");
    }
}

/// A server that turns read-only under EduFlow (as a demoted primary does) is left: every
/// connection that meets SQLSTATE 25006 is dropped, and `target_session_attrs=read-write` refuses
/// new ones, so writes answer 503 with `Retry-After` (never 500) until a writable server is back,
/// and then recover without a restart.
#[actix_web::test]
async fn connections_to_a_server_that_turned_read_only_are_dropped() {
    let (_cluster, db) = crate::harness::private_cluster().await;
    let (course, _) = course_with_lessons(&db, "alpha").await;
    let mut s = settings(&db);
    s.runtime_url = format!("{}&target_session_attrs=read-write", db.runtime_url);
    let app = TestApp::spawn(s).await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(app.port, "ada@example.org").await;
    let connections = || {
        app.state
            .clusters
            .readings()
            .into_iter()
            .find(|r| r.pool == "primary")
            .map_or(0, |r| r.connections)
    };
    assert!(connections() > 0);

    // Every session of the server reads `default_transaction_read_only` again on reload.
    psql(&db, "ALTER SYSTEM SET default_transaction_read_only = on").await;
    psql(&db, "SELECT pg_reload_conf()").await;
    let enroll = format!("/courses/{course}/enroll");
    for _ in 0..8 {
        let res = ada.post(app.port, &enroll, &[]).await;
        assert_eq!(res.status, 503, "{}", res.body);
        assert!(res.header("retry-after").is_some());
    }
    assert_eq!(
        connections(),
        0,
        "a connection on the read-only server was kept"
    );

    psql(&db, "ALTER SYSTEM RESET default_transaction_read_only").await;
    psql(&db, "SELECT pg_reload_conf()").await;
    let mut back = false;
    for _ in 0..50 {
        if ada.post(app.port, &enroll, &[]).await.status == 303 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "writes did not come back");
}
