//! Stopping and crashing: SIGTERM lets in-flight requests finish and writes the batched playback
//! positions before exit; `kill -9` loses nothing that was acknowledged.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::{Browser, TestDb, parse_response, serve_binary};

/// Up to `n` lesson ids of a published course of `school`, and the course's slug.
async fn lessons(db: &TestDb, school: &str, n: usize) -> (String, Vec<String>) {
    let course = db
        .text(&format!(
            "SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = '{school}' AND c.published ORDER BY c.slug LIMIT 1"
        ))
        .await;
    let ids = db
        .text(&format!(
            "SELECT string_agg(id::text, ',') FROM (SELECT l.id FROM lessons l
               JOIN sections s ON s.id = l.section_id JOIN courses c ON c.id = s.course_id
               JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = '{school}' AND c.slug = '{course}'
              ORDER BY s.position, l.position LIMIT {n}) x"
        ))
        .await;
    (course, ids.split(',').map(str::to_owned).collect())
}

async fn beacon(port: u16, who: &Browser, lesson: &str, seconds: u32, token: &str) -> u16 {
    let body = format!("{{\"seconds\":{seconds}}}");
    let head = format!(
        "POST /api/v1/lessons/{lesson}/position HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Origin: http://{}\r\nCookie: {}\r\nX-CSRF-Token: {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        who.host,
        who.host,
        who.cookie_header(),
        body.len()
    );
    crate::harness::raw(port, head.as_bytes()).await.status
}

#[actix_web::test]
async fn sigterm_finishes_in_flight_requests_and_saves_batched_positions() {
    let db = TestDb::new().await;
    db.two_schools().await;
    // Positions would otherwise wait ten minutes for their batch.
    let (mut child, port) = serve_binary(&db, &[("EDUFLOW_POSITION_FLUSH_MS", "600000")]).await;
    let mut ada = Browser::new("alpha");
    ada.sign_up(port, "ada@alpha.test").await;
    let (course, lessons) = lessons(&db, "alpha", 8).await;
    assert!(lessons.len() >= 4, "{lessons:?}");
    assert_eq!(
        ada.post(port, &format!("/courses/{course}/enroll"), &[])
            .await
            .status,
        303
    );
    ada.get(port, "/learn").await;
    let token = ada.csrf().to_owned();
    for (i, lesson) in lessons.iter().enumerate() {
        assert_eq!(beacon(port, &ada, lesson, 10 + i as u32, &token).await, 202);
    }
    assert_eq!(
        db.count("SELECT count(*) FROM lesson_progress WHERE position_seconds > 0")
            .await,
        0,
        "positions are batched, not written yet"
    );

    // An enrollment in flight: its head and half its body are in when SIGTERM arrives.
    let other = db
        .text(
            "SELECT c.slug FROM courses c JOIN tenants t ON t.id = c.tenant_id
              WHERE t.slug = 'alpha' AND c.published ORDER BY c.slug DESC LIMIT 1",
        )
        .await;
    let body = format!("csrf={token}");
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(
            format!(
                "POST /courses/{other}/enroll HTTP/1.1\r\nHost: alpha.localhost\r\nConnection: close\r\n\
                 Origin: http://alpha.localhost\r\nCookie: {}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
                ada.cookie_header(),
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert_eq!(
        parse_response(&answer).status,
        303,
        "the in-flight enrollment finished"
    );

    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits")
        .unwrap();
    assert!(status.success(), "{status}");
    for (i, lesson) in lessons.iter().enumerate() {
        let seconds = db
            .count(&format!(
                "SELECT coalesce(max(position_seconds), -1)::bigint FROM lesson_progress WHERE lesson_id = '{lesson}'"
            ))
            .await;
        assert_eq!(
            seconds,
            10 + i as i64,
            "position of lesson {i} lost at exit"
        );
    }
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.slug = '{other}'"
        ))
        .await,
        1
    );
}

/// The embedded default under `kill -9`: EduFlow and its PostgreSQL are both killed right after
/// acknowledged writes (an authoring edit, an enrollment, a completion); after a restart on the
/// same data directory, every one of them is there.
#[actix_web::test]
async fn kill_9_loses_nothing_acknowledged() {
    let data_dir = std::env::temp_dir().join(format!("eduflow-crash-{}", uuid::Uuid::new_v4()));
    let (mut child, port) = crate::harness::serve_embedded(&data_dir).await;
    let mut admin = Browser::new("northwind");
    admin.sign_up(port, "admin@northwind.test").await;
    admin.get(port, "/author/courses/new").await;
    let created = admin
        .upload(
            port,
            "/author/courses",
            &[
                ("title", "Written before the crash"),
                ("slug", "written-before-the-crash"),
                ("category", "programming"),
                ("level", "beginner"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let mut ada = Browser::new("northwind");
    ada.sign_up(port, "ada@crash.test").await;
    let catalog =
        crate::harness::request(port, "GET", "northwind.localhost", "/api/v1/courses", &[]).await;
    let course = catalog.json()["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ada.post(port, &format!("/courses/{course}/enroll"), &[])
            .await
            .status,
        303
    );
    let page = ada.get(port, &format!("/courses/{course}")).await;
    let lesson = page
        .body
        .split(&format!("href=\"/courses/{course}/lessons/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a lesson link")
        .to_owned();
    let lesson_path = format!("/courses/{course}/lessons/{lesson}");
    ada.get(port, &lesson_path).await;
    let done = ada
        .post(port, &format!("{lesson_path}/complete"), &[])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);

    // Both processes die at once, as in a power cut of the machine.
    let postmaster = crate::harness::postmaster_pid(&data_dir.join("pg/data"));
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGKILL).unwrap();
    kill(Pid::from_raw(postmaster), Signal::SIGKILL).unwrap();
    child.wait().await.unwrap();

    let (mut child, port) = crate::harness::serve_embedded(&data_dir).await;
    let learn = ada.get(port, "/learn").await;
    assert_eq!(learn.status, 200);
    assert!(
        learn.body.contains(&format!("/courses/{course}")),
        "enrollment lost: {}",
        learn.body
    );
    assert!(
        learn.body.contains("<span class=\"progress-count\">1/"),
        "completion lost: {}",
        learn.body
    );
    let authored = admin.get(port, "/author").await;
    assert!(
        authored.body.contains("Written before the crash"),
        "authoring edit lost"
    );
    kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    assert!(child.wait().await.unwrap().success());
    let _ = std::fs::remove_dir_all(&data_dir);
}
