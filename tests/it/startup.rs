//! `serve` refuses to run with a role that could bypass row-level security.

use eduflow::db::embedded::{OWNER_ROLE, SUPERUSER};
use eduflow::startup::Application;

use crate::harness::{TestDb, settings, shared};

#[actix_web::test]
async fn build_refuses_the_owner_and_a_superuser() {
    let db = TestDb::new().await;
    for (url, why) in [
        (db.admin_url.clone(), "owns"),
        (db.superuser_url.clone(), "superuser"),
    ] {
        let mut s = settings(&db);
        s.runtime_url = url;
        let err = Application::build(s).await.err().expect("refused");
        let msg = format!("{err:#}");
        assert!(
            msg.contains("could bypass row-level security") && msg.contains(why),
            "{msg}"
        );
    }
    // A plain role that was made a member of the owner's role inherits ownership: refused too.
    let mut su = db.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!("CREATE ROLE sneaky_{0} LOGIN IN ROLE {OWNER_ROLE}", db.name),
    )
    .await
    .unwrap();
    let mut s = settings(&db);
    s.runtime_url = shared()
        .cluster
        .url(&format!("sneaky_{}", db.name), &db.name);
    assert!(Application::build(s).await.is_err());
    let _ = SUPERUSER;
}

#[actix_web::test]
async fn the_binary_exits_non_zero_with_a_clear_message() {
    let db = TestDb::new().await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_eduflow"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.admin_url)
        .env("EDUFLOW_SMTP_URL", "smtp://127.0.0.1:25")
        .env(
            "EDUFLOW_MEDIA_SECRET",
            "a media secret of at least thirty-two characters",
        )
        .env_remove("DATABASE_ADMIN_URL")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to serve"), "{stderr}");
}

/// The README's quick start: no DATABASE_URL, the shipped schools, SIGTERM stops everything.
#[actix_web::test]
async fn the_embedded_default_serves_the_demo_schools_and_stops_its_database() {
    let data_dir = std::env::temp_dir().join(format!("eduflow-embedded-{}", uuid::Uuid::new_v4()));
    let mut child = crate::harness::embedded_cli(&data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (port, printed) = crate::harness::printed_port(&mut child).await;
    let urls: Vec<&String> = printed.iter().filter(|l| l.contains("http://")).collect();
    assert!(
        urls.iter()
            .any(|u| u.contains("http://northwind.localhost:")),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .any(|u| u.contains("http://riverside.localhost:")),
        "{urls:?}"
    );
    // With no SMTP server configured, mail becomes .eml files in the data dir.
    let mut learner = crate::harness::Browser::new("riverside");
    learner.sign_up(port, "local@example.org").await;
    let mail_dir = data_dir.join("mail");
    let written = crate::harness::eventually(std::time::Duration::from_secs(10), || {
        let dir = mail_dir.clone();
        async move {
            std::fs::read_dir(&dir).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    e.path().extension().is_some_and(|x| x == "eml")
                        && std::fs::read_to_string(e.path()).is_ok_and(|m| {
                            m.contains("To: local@example.org") && m.contains("/account/verify/")
                        })
                })
            })
        }
    })
    .await;
    assert!(written.is_some(), "no .eml under {}", mail_dir.display());
    for school in ["northwind", "riverside"] {
        let host = format!("{school}.localhost");
        let res =
            crate::harness::request(port, "GET", &host, "/api/v1/courses?limit=50", &[]).await;
        assert!(
            res.json()["items"].as_array().unwrap().len() >= 30,
            "{school}: {}",
            res.body
        );
    }
    let pid = nix::unistd::Pid::from_raw(child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(
        !data_dir.join("pg/data/postmaster.pid").exists(),
        "the embedded PostgreSQL is still running"
    );
    std::fs::remove_dir_all(&data_dir).unwrap();
}
