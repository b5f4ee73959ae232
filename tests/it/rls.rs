//! Row-level security as the runtime role: the database itself keeps schools apart.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use eduflow::db::{PoolSettings, Pools, global_tx, tenant_tx};
use eduflow::ids::TenantId;

use crate::harness::TestDb;

const TENANT_TABLES: &[&str] = &[
    "categories",
    "courses",
    "course_tags",
    "course_terms",
    "sections",
    "lessons",
];

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

async fn set_tenant(conn: &mut AsyncPgConnection, t: TenantId) {
    conn.batch_execute(&format!("SELECT set_config('app.tenant_id', '{t}', true)"))
        .await
        .unwrap();
}

#[actix_web::test]
async fn without_a_tenant_the_runtime_role_sees_nothing_and_writes_nothing() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    let mut admin = db.superuser().await;
    for table in TENANT_TABLES {
        assert!(
            count(&mut admin, &format!("SELECT count(*) AS n FROM {table}")).await > 0,
            "{table} has data"
        );
    }
    let mut conn = db.runtime().await;
    for table in TENANT_TABLES {
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let insert = format!(
        "INSERT INTO categories (tenant_id, slug, name) VALUES ('{alpha}', 'sneaky', 'Sneaky')"
    );
    let err = conn.batch_execute(&insert).await.unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    // Setting the tenant to an empty string (as after a previous SET LOCAL) still fails closed.
    conn.batch_execute("BEGIN; SET LOCAL app.tenant_id = ''")
        .await
        .unwrap();
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM courses").await,
        0
    );
    conn.batch_execute("ROLLBACK").await.unwrap();
}

#[actix_web::test]
async fn a_school_sees_only_its_rows_and_cannot_write_anothers() {
    let db = TestDb::new().await;
    let (alpha, beta) = db.two_schools().await;
    let mut conn = db.runtime().await;
    conn.batch_execute("BEGIN").await.unwrap();
    set_tenant(&mut conn, alpha).await;
    for table in TENANT_TABLES {
        let others = count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM {table} WHERE tenant_id <> '{alpha}'"),
        )
        .await;
        let mine = count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")).await;
        assert_eq!(others, 0, "{table}");
        assert!(mine > 0, "{table}");
    }
    // Writing a row that claims the other school: refused by WITH CHECK.
    let err = conn
        .batch_execute(&format!(
            "INSERT INTO categories (tenant_id, slug, name) VALUES ('{beta}', 'planted', 'Planted')"
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    conn.batch_execute("ROLLBACK; BEGIN").await.unwrap();
    set_tenant(&mut conn, alpha).await;
    // Moving one of A's rows to B: refused too.
    let err = conn
        .batch_execute(&format!("UPDATE courses SET tenant_id = '{beta}'"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    conn.batch_execute("ROLLBACK; BEGIN").await.unwrap();
    set_tenant(&mut conn, alpha).await;
    // Updating or deleting B's rows by id silently touches nothing.
    let beta_course = beta_course_id(&db, beta).await;
    let n = diesel::sql_query(format!("DELETE FROM courses WHERE id = '{beta_course}'"))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // A section of A's pointing at B's course (a guessed id): refused by the composite key.
    let err = conn
        .batch_execute(&format!(
            "INSERT INTO sections (tenant_id, course_id, position, title) VALUES ('{alpha}', '{beta_course}', 99, 'x')"
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
    conn.batch_execute("ROLLBACK").await.unwrap();
}

async fn beta_course_id(db: &TestDb, beta: TenantId) -> uuid::Uuid {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    let mut su = db.superuser().await;
    diesel::sql_query(format!(
        "SELECT id FROM courses WHERE tenant_id = '{beta}' LIMIT 1"
    ))
    .get_result::<Id>(&mut su)
    .await
    .unwrap()
    .id
}

#[actix_web::test]
async fn the_tenant_setting_dies_with_its_transaction_on_a_reused_connection() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    // One connection: the second transaction gets the very same backend.
    let pools = Pools::new(
        PoolSettings {
            max_size: 1,
            ..PoolSettings::default()
        },
        &db.runtime_url,
        &[],
        None,
    );
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        value: Option<String>,
        #[diesel(sql_type = BigInt)]
        pid: i64,
    }
    let probe =
        "SELECT current_setting('app.tenant_id', true) AS value, pg_backend_pid()::bigint AS pid";
    let inside: Setting = tenant_tx(pools.primary(), alpha, "probe", |c| {
        Box::pin(async move { Ok(diesel::sql_query(probe).get_result(c).await?) })
    })
    .await
    .unwrap();
    assert_eq!(inside.value.as_deref(), Some(alpha.to_string().as_str()));
    let (after, visible): (Setting, i64) = global_tx(pools.primary(), "probe", |c| {
        Box::pin(async move {
            let s = diesel::sql_query(probe).get_result(c).await?;
            let n = diesel::sql_query("SELECT count(*) AS n FROM courses")
                .get_result::<Count>(c)
                .await?
                .n;
            Ok((s, n))
        })
    })
    .await
    .unwrap();
    assert_eq!(after.pid, inside.pid, "the pool reused the connection");
    assert!(
        after.value.as_deref().unwrap_or("").is_empty(),
        "leaked: {:?}",
        after.value
    );
    assert_eq!(visible, 0);
}

#[actix_web::test]
async fn a_later_permissive_policy_cannot_widen_a_schools_view() {
    let db = TestDb::new().await;
    let (alpha, _) = db.two_schools().await;
    #[derive(QueryableByName)]
    struct Policy {
        #[diesel(sql_type = Text)]
        tablename: String,
        #[diesel(sql_type = Bool)]
        restrictive: bool,
    }
    let mut admin = db.admin().await;
    let policies: Vec<Policy> = diesel::sql_query(
        "SELECT tablename::text, permissive = 'RESTRICTIVE' AS restrictive FROM pg_policies
         WHERE schemaname = 'public' AND qual LIKE '%app.tenant_id%' AND with_check LIKE '%app.tenant_id%'",
    )
    .load(&mut admin)
    .await
    .unwrap();
    for table in TENANT_TABLES {
        assert!(
            policies
                .iter()
                .any(|p| p.tablename == *table && p.restrictive),
            "{table} lacks a restrictive guard"
        );
    }
    // Someone adds an over-broad policy later…
    for table in TENANT_TABLES {
        admin
            .batch_execute(&format!(
                "CREATE POLICY oops ON {table} USING (true) WITH CHECK (true)"
            ))
            .await
            .unwrap();
    }
    let mut conn = db.runtime().await;
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM courses").await,
        0
    );
    conn.batch_execute("BEGIN").await.unwrap();
    set_tenant(&mut conn, alpha).await;
    assert_eq!(
        count(
            &mut conn,
            &format!("SELECT count(*) AS n FROM courses WHERE tenant_id <> '{alpha}'")
        )
        .await,
        0
    );
    conn.batch_execute("ROLLBACK").await.unwrap();
}

#[actix_web::test]
async fn the_runtime_role_owns_nothing_and_cannot_bypass_rls() {
    let db = TestDb::new().await;
    eduflow::db::migrate::check_runtime_role(&db.runtime_url)
        .await
        .unwrap();
    let mut conn = db.runtime().await;
    for ddl in [
        "ALTER TABLE courses DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_guard ON courses",
        "SET row_security = off; SELECT * FROM courses",
    ] {
        let err = conn.batch_execute(ddl).await;
        assert!(err.is_err(), "{ddl} succeeded");
    }
    // Migrating again is harmless and keeps the grants exact.
    eduflow::db::migrate::migrate(&db.admin_url, &db.runtime_url)
        .await
        .unwrap();
    eduflow::db::migrate::check_runtime_role(&db.runtime_url)
        .await
        .unwrap();
    let _ = AsyncPgConnection::establish(&db.runtime_url).await.unwrap();
}
