//! Through Debian's PgBouncer (1.18) in transaction mode, with LISTEN on a direct connection: two
//! instances share the bouncer's server connections, and everything works.

use std::time::Duration;

use eduflow::db::pools::Pooler;

use crate::fleet::{instructor_edit, learner_journey};
use crate::harness::{TestApp, TestDb, eventually, settings, through_pgbouncer};

#[actix_web::test]
async fn everything_works_through_pgbouncer_in_transaction_mode() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let bounced = || {
        let mut s = settings(&db);
        s.runtime_url = through_pgbouncer(&db.runtime_url);
        s.pool.pooler = Pooler::Transaction;
        // `listen_url` stays the direct connection: LISTEN needs a session of its own.
        s
    };
    let one = TestApp::spawn(bounced()).await;
    let two = TestApp::spawn(bounced()).await;
    let tagged = two.get("alpha.localhost", "/courses?tag=parsing").await;
    assert!(!tagged.body.contains("Rust for Data People"));

    learner_journey(one.port, &db, "ada@example.org").await;
    learner_journey(two.port, &db, "bob@example.org").await;
    instructor_edit(one.port, &db, "ines@alpha.test").await;
    let heard = eventually(Duration::from_secs(1), || async {
        two.get("alpha.localhost", "/courses?tag=parsing")
            .await
            .body
            .contains("Rust for Data People")
    })
    .await;
    assert!(
        heard.is_some(),
        "the other instance never heard of the edit"
    );

    // Many uncached reads at once from both instances: more clients than the bouncer has server
    // connections, so statements of both processes meet on the same backends.
    let reads = (1..=40).map(|limit| {
        let app = if limit % 2 == 0 { &one } else { &two };
        async move {
            app.get("beta.localhost", &format!("/api/v1/courses?limit={limit}"))
                .await
                .status
        }
    });
    let statuses = futures_util::future::join_all(reads).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}
