//! The audit log: staff and owner-side changes on record, read by admins a page at a time, and
//! never rewritten by the runtime role.

use diesel_async::SimpleAsyncConnection;

use crate::harness::{
    Browser, TestApp, TestDb, eduflow_cli, post_form, request, succeeded, tempdir,
};

/// The rows of the audit table on `page`: (who, action, subject) of each, in page order.
fn rows(page: &str) -> Vec<(String, String, String)> {
    let Some(body) = page.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    body.split("<tr>")
        .skip(1)
        .filter_map(|row| {
            let cells: Vec<String> = row
                .split("<td>")
                .skip(1)
                .map(|c| {
                    let c = c.split("</td>").next().unwrap_or_default();
                    c.replace("<code>", "").replace("</code>", "")
                })
                .collect();
            (cells.len() == 6).then(|| (cells[1].clone(), cells[2].clone(), cells[3].clone()))
        })
        .collect()
}

async fn user_id(db: &TestDb, email: &str) -> String {
    db.text(&format!(
        "SELECT id::text FROM users WHERE email = '{email}'"
    ))
    .await
}

#[actix_web::test]
async fn staff_changes_are_on_record_with_who_and_from_where_and_only_at_their_school() {
    let (db, app) = TestApp::two_schools().await;
    let port = app.port;
    let mut head = Browser::member(port, &db, "alpha", "head@alpha.test", "admin").await;
    let mut ada = Browser::member(port, &db, "alpha", "ada@alpha.test", "learner").await;
    let ada_id = user_id(&db, "ada@alpha.test").await;
    // A role change, sent as a browser would (with its user agent).
    head.get(port, "/admin/members").await;
    let cookies = head.cookie_header();
    let csrf = head.get(port, "/admin/members").await.csrf_token();
    let res = post_form(
        port,
        "alpha.localhost",
        &format!("/admin/members/{ada_id}"),
        &[("role", "instructor"), ("csrf", &csrf)],
        &[
            ("Cookie", &cookies),
            ("User-Agent", "Firefox-140 (audit test)"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    head.get(port, "/admin/learners").await;
    let res = head
        .post(
            port,
            &format!("/admin/learners/{ada_id}/suspend"),
            &[("suspend", "1")],
        )
        .await;
    assert_eq!(res.status, 303);
    // A change that fails leaves nothing on record: a role for nobody is a 404.
    let nobody = uuid::Uuid::new_v4();
    head.get(port, "/admin/members").await;
    let res = head
        .post(
            port,
            &format!("/admin/members/{nobody}"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.status, 404);

    let page = head.get(port, "/admin/audit").await;
    assert_eq!(page.status, 200);
    let entries = rows(&page.body);
    let subject = format!("user:{ada_id}");
    assert_eq!(
        entries,
        vec![
            (
                "head@alpha.test".into(),
                "learner.suspended".into(),
                subject.clone()
            ),
            (
                "head@alpha.test".into(),
                "member.role".into(),
                subject.clone()
            ),
        ],
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"{"role":"learner"}"#)
            || page.body.contains("&quot;role&quot;:&quot;learner&quot;")
    );
    assert!(page.body.contains("Firefox-140 (audit test)"));
    assert!(page.body.contains("127.0.0.1"));
    // Filters: by action, by who (and an unknown action is the visitor's mistake).
    let roles = head.get(port, "/admin/audit?action=member.role").await;
    assert_eq!(rows(&roles.body).len(), 1);
    assert_eq!(rows(&roles.body)[0].1, "member.role");
    let nobody_did = head.get(port, "/admin/audit?actor=someone-else").await;
    assert!(rows(&nobody_did.body).is_empty());
    assert!(
        nobody_did
            .body
            .contains("Nothing on record for this filter")
    );
    for bad in ["action=member.rolez", "after=junk", "after=1.2"] {
        let res = head.get(port, &format!("/admin/audit?{bad}")).await;
        assert_eq!(res.status, 400, "{bad}");
    }
    // Only admins read it; the other school's admin reads only theirs, whatever the URL.
    let mut ines = Browser::member(port, &db, "alpha", "ines@alpha.test", "instructor").await;
    assert_eq!(ines.get(port, "/admin/audit").await.status, 403);
    let anonymous = request(port, "GET", "alpha.localhost", "/admin/audit", &[]).await;
    assert_eq!(anonymous.status, 303);
    let mut other = Browser::member(port, &db, "beta", "head@beta.test", "admin").await;
    let theirs = other
        .get(port, "/admin/audit?actor=head%40alpha.test")
        .await;
    assert_eq!(theirs.status, 200);
    assert!(rows(&theirs.body).is_empty(), "{}", theirs.body);
    // The suspended learner's session is gone; reinstating is on record too.
    assert_eq!(ada.get(port, "/learn").await.status, 303);
    head.get(port, "/admin/learners").await;
    head.post(
        port,
        &format!("/admin/learners/{ada_id}/suspend"),
        &[("suspend", "0")],
    )
    .await;
    let reinstated = head
        .get(port, "/admin/audit?action=learner.reinstated")
        .await;
    assert_eq!(rows(&reinstated.body).len(), 1);
}

#[actix_web::test]
async fn the_log_is_read_a_page_at_a_time_newest_first_without_repeats() {
    let (db, app) = TestApp::two_schools().await;
    let port = app.port;
    let mut head = Browser::member(port, &db, "alpha", "head@alpha.test", "admin").await;
    let _ada = Browser::member(port, &db, "alpha", "ada@alpha.test", "learner").await;
    let ada_id = user_id(&db, "ada@alpha.test").await;
    for i in 0..56 {
        head.get(port, "/admin/members").await;
        let role = if i % 2 == 0 { "instructor" } else { "learner" };
        let res = head
            .post(port, &format!("/admin/members/{ada_id}"), &[("role", role)])
            .await;
        assert_eq!(res.status, 303);
    }
    let first = head.get(port, "/admin/audit").await;
    let one = rows(&first.body);
    assert_eq!(one.len(), 50);
    let next = first
        .body
        .split("id=\"next\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next page")
        .replace("&amp;", "&");
    // An entry added while the admin reads does not shift the next page.
    head.get(port, "/admin/learners").await;
    head.post(
        port,
        &format!("/admin/learners/{ada_id}/suspend"),
        &[("suspend", "1")],
    )
    .await;
    let second = head.get(port, &next).await;
    let two = rows(&second.body);
    assert_eq!(two.len(), 6, "{}", second.body);
    assert!(!second.body.contains("id=\"next\""));
    assert!(two.iter().all(|r| r.1 == "member.role"));
    // Newest first: the 56th change (to learner) headed the first page; read again, the page
    // starts with the suspension made since.
    assert!(first.body.contains("&quot;role&quot;:&quot;learner&quot;"));
    let again = rows(&head.get(port, "/admin/audit").await.body);
    assert_eq!(again[0].1, "learner.suspended");
    assert_eq!(again[1..], one[..49]);
    assert_eq!(db.count("SELECT count(*) AS n FROM audit_log").await, 57);
}

#[actix_web::test]
async fn the_runtime_role_may_add_to_the_log_but_never_change_or_remove_it() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let mut conn = db.runtime().await;
    conn.batch_execute(&format!(
        "BEGIN; SELECT set_config('app.tenant_id', '{alpha}', true);
         INSERT INTO audit_log (tenant_id, actor, action, subject) VALUES ('{alpha}', 'x', 'school.updated', 'school:alpha');
         COMMIT;"
    ))
    .await
    .unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = conn
            .batch_execute(&format!(
                "BEGIN; SELECT set_config('app.tenant_id', '{alpha}', true); {sql}"
            ))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
        conn.batch_execute("ROLLBACK").await.unwrap();
    }
    // Not even the owner rewrites an entry.
    let err = db
        .superuser()
        .await
        .batch_execute("UPDATE audit_log SET actor = 'someone else'")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM audit_log WHERE actor = 'x'")
            .await,
        1
    );
    // A runtime role that was given the right to rewrite it is refused at start.
    db.superuser()
        .await
        .batch_execute(&format!(
            "GRANT UPDATE ON audit_log TO {}",
            eduflow::db::embedded::RUNTIME_ROLE
        ))
        .await
        .unwrap();
    let err = eduflow::db::migrate::check_runtime_role(&db.runtime_url)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("change or remove audit log entries"),
        "{err}"
    );
}

#[actix_web::test]
async fn owner_side_commands_are_on_record_at_the_school_they_name() {
    let db = TestDb::new().await;
    db.two_schools().await;
    let dir = tempdir("audit-cli");
    let admin = db.admin_url.clone();
    let run = |args: &'static [&'static str]| {
        let (db, admin, dir) = (&db, &admin, &dir);
        async move { succeeded(&eduflow_cli(db, admin, dir, args).await) }
    };
    run(&[
        "users",
        "create",
        "--school",
        "alpha",
        "--email",
        "boss@alpha.test",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--password",
        "a long enough password 1",
    ])
    .await;
    run(&["tenants", "suspend", "alpha"]).await;
    run(&["tenants", "resume", "alpha"]).await;
    let entries = db
        .text(
            "SELECT string_agg(a.action || ' ' || a.actor || ' ' || coalesce(a.after::text, ''), ' | ' ORDER BY a.at)
               FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug = 'alpha'",
        )
        .await;
    assert!(
        entries.starts_with("member.created owner (")
            && entries.contains(r#"{"role": "admin"}"#)
            && entries.contains("| school.suspended owner (")
            && entries.contains("| school.resumed owner ("),
        "{entries}"
    );
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.slug = 'beta'"
        )
        .await,
        0
    );
    let agents = db
        .text("SELECT string_agg(user_agent, ',' ORDER BY at) FROM audit_log")
        .await;
    assert_eq!(
        agents,
        "eduflow users create,eduflow tenants suspend,eduflow tenants resume"
    );
}
