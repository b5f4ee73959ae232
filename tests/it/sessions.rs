//! Sessions checked in memory, and every way a session ends reaching every instance: two
//! instances over one database, the session warm in both, ended through one of them (or by an
//! operator's SQL, or by the clock), refused on both.

use std::time::Duration;

use crate::authoring::Member;
use crate::fleet::{psql, two_instances};
use crate::harness::{Browser, TestApp, TestDb, eventually};

const PASSWORD: &str = "correct horse battery";

async fn signed_in(app: &TestApp, who: &Member) -> bool {
    who.get(app, "/learn").await.status == 200
}

/// Signs `email` up at alpha (as `role`) and uses the session on both instances.
async fn warm(one: &TestApp, two: &TestApp, db: &TestDb, email: &str, role: &str) -> Member {
    let who = Member::new(one, db, "alpha", email, role).await;
    for app in [one, two] {
        assert!(signed_in(app, &who).await);
        assert!(signed_in(app, &who).await, "served from memory");
    }
    who
}

/// The session is refused on both instances, the other one first.
async fn refused_everywhere(one: &TestApp, two: &TestApp, who: &Member, path: &str) {
    for (name, app) in [
        ("the other instance", two),
        ("the instance that ended it", one),
    ] {
        let refused = eventually(Duration::from_secs(2), || async {
            who.get(app, path).await.status != 200
        })
        .await;
        assert!(refused.is_some(), "{name} still honours the session");
    }
}

async fn user_id(db: &TestDb, email: &str) -> String {
    db.text(&format!(
        "SELECT id::text AS v FROM users WHERE email = '{email}'"
    ))
    .await
}

/// An operator's `UPDATE sessions SET {set}` on `email`'s sessions, in psql with no tenant set.
async fn operator_sets(db: &TestDb, email: &str, set: &str) {
    let id = user_id(db, email).await;
    psql(
        db,
        &format!("UPDATE sessions SET {set} WHERE user_id = '{id}'"),
    )
    .await;
}

#[actix_web::test]
async fn a_signed_in_request_is_checked_in_memory_and_only_at_its_school() {
    let (db, one, two) = two_instances().await;
    let ada = Member::new(&one, &db, "alpha", "ada@example.org", "learner").await;
    assert!(signed_in(&one, &ada).await);
    let before = one.queries("primary", "session").await;
    for _ in 0..5 {
        assert!(signed_in(&one, &ada).await);
    }
    assert_eq!(
        one.queries("primary", "session").await,
        before,
        "a warm session went to the database"
    );
    assert_eq!(one.state.sessions.len(), 1);
    assert!(
        two.state.sessions.is_empty(),
        "nothing reached instance two"
    );

    // Alpha's session, held in memory, is nobody at beta.
    let at_beta = Member {
        host: "beta.localhost".into(),
        ..ada
    };
    assert_eq!(at_beta.get(&one, "/learn").await.status, 303);
    let page = at_beta.get(&one, "/courses").await;
    assert!(page.body.contains("href=\"/login\""), "{}", page.body);
}

#[actix_web::test]
async fn logging_out_on_one_instance_ends_the_session_on_the_other() {
    let (db, one, two) = two_instances().await;
    let ada = warm(&one, &two, &db, "ada@example.org", "learner").await;
    assert_eq!(ada.post(&one, "/logout", &[]).await.status, 303);
    refused_everywhere(&one, &two, &ada, "/learn").await;
}

#[actix_web::test]
async fn a_password_reset_on_one_instance_ends_the_sessions_on_the_other() {
    let (db, one, two) = two_instances().await;
    let ada = warm(&one, &two, &db, "ada@example.org", "learner").await;
    let id = user_id(&db, "ada@example.org").await;
    psql(
        &db,
        &format!(
            "INSERT INTO account_tokens (tenant_id, purpose, token_hash, user_id, email, expires_at)
             SELECT tenant_id, 'reset', sha256('a-reset-token'::bytea), id, email,
                    now() + interval '30 minutes' FROM users WHERE id = '{id}'"
        ),
    )
    .await;
    let mut visitor = Browser::new("alpha");
    let link = "/password/reset/a-reset-token";
    assert_eq!(visitor.get(one.port, link).await.status, 200);
    let done = visitor
        .post(one.port, link, &[("password", "a brand new passphrase")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    refused_everywhere(&one, &two, &ada, "/learn").await;
}

/// Alpha's admin does `action` to Ada's account through instance one, her session warm on both.
async fn admin_ends_adas_sessions(action: &str, fields: &[(&str, &str)]) {
    let (db, one, two) = two_instances().await;
    let admin = Member::new(&one, &db, "alpha", "admin@alpha.test", "admin").await;
    let ada = warm(&one, &two, &db, "ada@example.org", "learner").await;
    let id = user_id(&db, "ada@example.org").await;
    let done = admin
        .post(&one, &format!("/admin/learners/{id}/{action}"), fields)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    refused_everywhere(&one, &two, &ada, "/learn").await;
}

#[actix_web::test]
async fn a_suspension_on_one_instance_ends_the_sessions_on_the_other() {
    admin_ends_adas_sessions("suspend", &[("suspend", "1")]).await;
}

#[actix_web::test]
async fn deleting_an_account_on_one_instance_ends_its_sessions_on_the_other() {
    admin_ends_adas_sessions("delete", &[("password", PASSWORD)]).await;
}

#[actix_web::test]
async fn a_role_change_on_one_instance_changes_what_the_session_grants_on_the_other() {
    let (db, one, two) = two_instances().await;
    let admin = Member::new(&one, &db, "alpha", "admin@alpha.test", "admin").await;
    let ines = warm(&one, &two, &db, "ines@alpha.test", "instructor").await;
    for app in [&one, &two] {
        assert_eq!(ines.get(app, "/author").await.status, 200);
    }
    let id = user_id(&db, "ines@alpha.test").await;
    let demoted = admin
        .post(
            &one,
            &format!("/admin/members/{id}"),
            &[("role", "learner")],
        )
        .await;
    assert_eq!(demoted.status, 303);
    refused_everywhere(&one, &two, &ines, "/author").await;
    // The session itself goes on, as a learner's.
    for app in [&one, &two] {
        assert!(signed_in(app, &ines).await);
    }
}

#[actix_web::test]
async fn a_session_past_its_expiry_is_refused_everywhere_without_any_write() {
    let (db, one, two) = two_instances().await;
    let ada = warm(&one, &two, &db, "ada@example.org", "learner").await;
    // An operator shortens it: both instances read the new expiry on the next request.
    operator_sets(
        &db,
        "ada@example.org",
        "expires_at = now() + interval '2 seconds'",
    )
    .await;
    let reread = eventually(Duration::from_secs(1), || async {
        one.state.sessions.is_empty() && two.state.sessions.is_empty()
    })
    .await;
    assert!(reread.is_some(), "the change was not heard");
    for app in [&one, &two] {
        assert!(signed_in(app, &ada).await);
        assert_eq!(
            app.state.sessions.len(),
            1,
            "held again, with its new expiry"
        );
    }
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    for app in [&one, &two] {
        assert!(
            !signed_in(app, &ada).await,
            "an expired session was honoured from memory"
        );
    }
}

#[actix_web::test]
async fn an_operators_delete_in_plain_sql_ends_the_session_everywhere() {
    let (db, one, two) = two_instances().await;
    let ada = warm(&one, &two, &db, "ada@example.org", "learner").await;
    let bob = warm(&one, &two, &db, "bob@example.org", "learner").await;
    let id = user_id(&db, "ada@example.org").await;
    psql(&db, &format!("DELETE FROM sessions WHERE user_id = '{id}'")).await;
    refused_everywhere(&one, &two, &ada, "/learn").await;
    // Only hers.
    for app in [&one, &two] {
        assert!(signed_in(app, &bob).await);
    }
    // Moving the idle clock back (an operator ending idle sessions) is heard too.
    operator_sets(
        &db,
        "bob@example.org",
        "last_seen_at = now() - interval '8 days'",
    )
    .await;
    refused_everywhere(&one, &two, &bob, "/learn").await;
}
