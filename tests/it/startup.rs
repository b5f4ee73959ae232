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
        .env_remove("DATABASE_ADMIN_URL")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to serve"), "{stderr}");
}
