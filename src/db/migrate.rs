//! Schema migrations (embedded in the binary), the runtime role and its grants, and the start-up
//! check that the runtime role cannot bypass row-level security.

use anyhow::{Context, bail};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Applies pending migrations as the owner role, then (re)grants the runtime role exactly what
/// it needs: read on `tenants`, row access on tenant tables, nothing else.
pub async fn migrate(admin_url: &str, runtime_url: &str) -> anyhow::Result<()> {
    run_migrations(admin_url, runtime_url, None).await
}

/// [`migrate`] for an admin URL that is a superuser (what managed PostgreSQL hands out): the
/// objects go to `owner`, a NOLOGIN role created here if missing, and the migrations run as it.
/// Owner-side commands then act as that role (`options=-c role=<owner>` in their URL), which
/// row-level security applies to.
pub async fn migrate_as_owner(
    admin_url: &str,
    runtime_url: &str,
    owner: &str,
) -> anyhow::Result<()> {
    let mut conn = super::connect::establish(admin_url)
        .await
        .context("connecting with DATABASE_ADMIN_URL")?;
    let existing: Vec<RoleRow> =
        diesel::sql_query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
            .bind::<Text, _>(owner)
            .load(&mut conn)
            .await?;
    let role = quote_ident(owner);
    match <[_]>::first(&existing) {
        Some(r) if r.rolsuper || r.rolbypassrls => {
            bail!("the owner role {owner} is a superuser or has BYPASSRLS; name a plain role")
        }
        Some(_) => {}
        None => conn
            .batch_execute(&format!(
                "CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ))
            .await
            .with_context(|| {
                format!("creating the owner role {owner} (needs a superuser or CREATEROLE)")
            })?,
    }
    // Objects made before (by this admin) change hands, so the role owns the whole schema.
    conn.batch_execute(&format!(
        "GRANT {role} TO CURRENT_USER;
         GRANT USAGE, CREATE ON SCHEMA public TO {role};
         DO $$
         DECLARE r record;
         BEGIN
             FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                         AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) LOOP
                 EXECUTE format('ALTER %s %s OWNER TO %I',
                     CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                     r.name, {owner});
             END LOOP;
             FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                       WHERE p.pronamespace = 'public'::regnamespace
                         AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) LOOP
                 EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.name, {owner});
             END LOOP;
         END $$;",
        owner = quote_literal(owner)
    ))
    .await
    .context("handing EduFlow's objects to the owner role")?;
    run_migrations(admin_url, runtime_url, Some(owner)).await
}

async fn run_migrations(
    admin_url: &str,
    runtime_url: &str,
    owner: Option<&str>,
) -> anyhow::Result<()> {
    let url = admin_url.to_owned();
    let set_role = owner.map(|o| format!("SET ROLE {}", quote_ident(o)));
    // The harness is synchronous and needs a blocking thread of its own (see stack notes).
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .context("connecting with DATABASE_ADMIN_URL")?;
        if let Some(set_role) = set_role {
            diesel::connection::SimpleConnection::batch_execute(&mut conn, &set_role)?;
        }
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(())
    })
    .await??;
    let mut conn = super::connect::establish(admin_url)
        .await
        .context("connecting with DATABASE_ADMIN_URL")?;
    ensure_runtime_role(&mut conn, runtime_url).await
}

#[derive(QueryableByName)]
struct RoleRow {
    #[diesel(sql_type = Bool)]
    rolsuper: bool,
    #[diesel(sql_type = Bool)]
    rolbypassrls: bool,
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
}

async fn tenant_tables(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<String>> {
    let rows: Vec<TableName> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
         ORDER BY 1",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.table_name).collect())
}

/// The tenant table the runtime role may add to and read, never change: the audit log.
const APPEND_ONLY: &str = "audit_log";

async fn ensure_runtime_role(
    conn: &mut AsyncPgConnection,
    runtime_url: &str,
) -> anyhow::Result<()> {
    let config: tokio_postgres::Config = runtime_url.parse().context("parsing DATABASE_URL")?;
    let user = config
        .get_user()
        .context("DATABASE_URL names no user")?
        .to_owned();
    let role = quote_ident(&user);
    let existing: Vec<RoleRow> =
        diesel::sql_query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
            .bind::<Text, _>(&user)
            .load(conn)
            .await?;
    match <[_]>::first(&existing) {
        Some(r) if r.rolsuper || r.rolbypassrls => {
            bail!(
                "the runtime role {user} is a superuser or has BYPASSRLS; use a plain role in DATABASE_URL"
            )
        }
        Some(_) => {}
        None => {
            let password = match config.get_password() {
                Some(p) => format!(" PASSWORD {}", quote_literal(std::str::from_utf8(p)?)),
                None => String::new(),
            };
            conn.batch_execute(&format!(
                "CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE{password}"
            ))
            .await
            .with_context(|| format!("creating the runtime role {user}"))?;
        }
    }
    let tables = tenant_tables(conn).await?;
    let list = tables
        .iter()
        .map(|t| quote_ident(t))
        .collect::<Vec<_>>()
        .join(", ");
    conn.batch_execute(&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
         GRANT USAGE ON SCHEMA public TO {role};
         GRANT SELECT ON tenants TO {role};
         GRANT SELECT ON clusters TO {role};
         GRANT SELECT ON school_moves TO {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON {list} TO {role};
         REVOKE UPDATE, DELETE, TRUNCATE ON {APPEND_ONLY} FROM {role};
         GRANT EXECUTE ON FUNCTION mail_due_schools() TO {role};
         GRANT EXECUTE ON FUNCTION webhook_due_schools() TO {role};
         GRANT EXECUTE ON FUNCTION xapi_due_schools() TO {role};
         GRANT EXECUTE ON FUNCTION set_school_look(text, text[], text) TO {role};"
    ))
    .await
    .context("granting the runtime role")?;
    Ok(())
}

#[derive(QueryableByName)]
struct Privileges {
    #[diesel(sql_type = Bool)]
    rolsuper: bool,
    #[diesel(sql_type = Bool)]
    rolbypassrls: bool,
    #[diesel(sql_type = BigInt)]
    owned: i64,
    #[diesel(sql_type = BigInt)]
    unguarded: i64,
    #[diesel(sql_type = Bool)]
    rewrites_audit: bool,
}

/// Refuses a runtime role that could see across schools: a superuser, BYPASSRLS, the owner (or a
/// member of the owner's role) of any table, or a tenant table without forced RLS.
pub async fn check_runtime_role(runtime_url: &str) -> anyhow::Result<()> {
    let mut conn = super::connect::establish(runtime_url)
        .await
        .context("connecting with DATABASE_URL")?;
    // Valid through a transaction-mode pooler too: one transaction, nothing left prepared.
    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
    let query = diesel::sql_query(
        "SELECT r.rolsuper, r.rolbypassrls,
            (SELECT count(*) FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                AND pg_has_role(current_user, c.relowner, 'USAGE')) AS owned,
            (SELECT count(*) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND a.attname = 'tenant_id' AND NOT a.attisdropped
                AND NOT (c.relrowsecurity AND c.relforcerowsecurity)) AS unguarded,
            (has_table_privilege('audit_log', 'UPDATE') OR has_table_privilege('audit_log', 'DELETE')
              OR has_table_privilege('audit_log', 'TRUNCATE')) AS rewrites_audit
         FROM pg_roles r WHERE r.rolname = current_user",
    );
    let p: Privileges = conn
        .transaction(async move |conn| query.get_result(conn).await)
        .await?;
    let mut reasons = Vec::new();
    if p.rolsuper {
        reasons.push("it is a superuser".to_owned());
    }
    if p.rolbypassrls {
        reasons.push("it has BYPASSRLS".to_owned());
    }
    if p.owned > 0 {
        reasons.push(format!(
            "it owns (directly or through a role) {} table(s)",
            p.owned
        ));
    }
    if p.unguarded > 0 {
        reasons.push(format!(
            "{} tenant table(s) lack forced row-level security",
            p.unguarded
        ));
    }
    if p.rewrites_audit {
        reasons.push("it may change or remove audit log entries".to_owned());
    }
    if !reasons.is_empty() {
        bail!(
            "refusing to serve: the role in DATABASE_URL could bypass row-level security ({}); \
             use the plain runtime role that `eduflow migrate` creates",
            reasons.join("; ")
        );
    }
    Ok(())
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The versions of the migrations this build carries, oldest first.
pub fn known_versions() -> Vec<String> {
    use diesel::migration::MigrationSource;
    let mut versions: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default();
    versions.sort();
    versions
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The versions applied on the database `admin_url` names (none on an empty database).
pub async fn applied_versions(admin_url: &str) -> anyhow::Result<Vec<String>> {
    let mut conn = super::connect::establish(admin_url).await?;
    let rows: Vec<Version> = diesel::sql_query(
        "SELECT version::text AS version FROM __diesel_schema_migrations
          WHERE to_regclass('__diesel_schema_migrations') IS NOT NULL ORDER BY version",
    )
    .load(&mut conn)
    .await
    .or_else(|e| match e {
        // A database EduFlow never migrated.
        diesel::result::Error::DatabaseError(_, info)
            if info.message().contains("__diesel_schema_migrations") =>
        {
            Ok(Vec::new())
        }
        e => Err(e),
    })?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}
