//! A school's life on a running fleet, from the owner side: list, suspend, resume, delete.
//! Creation and changes go through [`super::sync`]. Every change to `tenants` is announced on
//! `eduflow_tenants`, so each running instance reloads its host map within a second.
//!
//! The admin URL may be a superuser or hold BYPASSRLS, which row-level security does not stop:
//! every statement here names its school itself.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::RunQueryDsl;

use super::files::SchoolSpec;
use crate::db::schema::{categories, tenants};
use crate::db::{PgPool, global_tx, tenant_tx};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;
use crate::media::store::Store;

/// Every tenant table, each after the tables that point at it: the order a school's rows are
/// deleted in (and the reverse of the order they are imported in).
pub const TABLES: &[&str] = &[
    "audit_log",
    "sso_assertions",
    "sso_identities",
    "sso_logins",
    "sso_providers",
    "sso_settings",
    "xapi_statements",
    "grade_overrides",
    "scorm_attempts",
    "scorm_files",
    "scorm_packages",
    "lti_used",
    "lti_access_tokens",
    "lti_scores",
    "lti_line_items",
    "lti_links",
    "lti_tools",
    "lti_keys",
    "webhook_deliveries",
    "webhook_endpoints",
    "api_tokens",
    "outbox",
    "account_tokens",
    "announcements",
    "quiz_attempts",
    "certificates",
    "lesson_progress",
    "enrollments",
    "sessions",
    "course_instructors",
    "course_prerequisites",
    "quizzes",
    "lesson_captions",
    "media_variants",
    "course_tags",
    "course_terms",
    "lessons",
    "sections",
    "courses",
    "categories",
    "media",
    "users",
];

#[derive(Debug, Clone, Queryable)]
pub struct SchoolRow {
    pub slug: String,
    pub name: String,
    pub domains: Vec<String>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub async fn list(pool: &PgPool) -> Result<Vec<SchoolRow>, AppError> {
    global_tx(pool, "tenants", |conn| {
        Box::pin(async move {
            Ok(tenants::table
                .order(tenants::slug)
                .select((
                    tenants::slug,
                    tenants::name,
                    tenants::domains,
                    tenants::suspended_at,
                    tenants::created_at,
                ))
                .load(conn)
                .await?)
        })
    })
    .await
}

/// A school's id by slug.
pub async fn school_id(pool: &PgPool, school: &str) -> Result<TenantId, AppError> {
    find(pool, school)
        .await?
        .ok_or_else(|| AppError::bad_request(Msg::new("error-no-such-school")))
}

/// A school's id by slug, if it is on `pool`'s cluster.
pub async fn find(pool: &PgPool, school: &str) -> Result<Option<TenantId>, AppError> {
    let school = school.to_owned();
    let tenant: Option<uuid::Uuid> = global_tx(pool, "tenants", move |conn| {
        Box::pin(async move {
            Ok(tenants::table
                .filter(tenants::slug.eq(school))
                .select(tenants::id)
                .first(conn)
                .await
                .optional()?)
        })
    })
    .await?;
    Ok(tenant.map(TenantId))
}

/// Suspends (every route answers 503, the data stays) or resumes a school.
pub async fn set_suspended(pool: &PgPool, school: &str, suspended: bool) -> Result<(), AppError> {
    let tenant = school_id(pool, school).await?;
    global_tx(pool, "tenants", move |conn| {
        Box::pin(async move {
            let at = suspended.then(Utc::now);
            diesel::update(tenants::table.filter(tenants::id.eq(tenant.0)))
                .set(tenants::suspended_at.eq(at))
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await
}

/// Puts the school `restored` in the place of `live` in one transaction, so the address never
/// answers for neither: `live` is renamed `retired`, suspended, and gives its custom domains to
/// `restored`, which takes its slug. Nothing is deleted: the retired school is the way back.
pub async fn swap_in(
    pool: &PgPool,
    live: &str,
    restored: &str,
    retired: &str,
) -> Result<(), AppError> {
    let (live_id, restored_id) = (
        school_id(pool, live).await?,
        school_id(pool, restored).await?,
    );
    let (live, retired) = (live.to_owned(), retired.to_owned());
    global_tx(pool, "tenants", move |conn| {
        Box::pin(async move {
            let domains: Vec<String> = tenants::table
                .filter(tenants::id.eq(live_id.0))
                .select(tenants::domains)
                .for_update()
                .first(conn)
                .await?;
            diesel::update(tenants::table.filter(tenants::id.eq(live_id.0)))
                .set((
                    tenants::slug.eq(retired),
                    tenants::domains.eq(Vec::<String>::new()),
                    tenants::suspended_at.eq(Some(Utc::now())),
                ))
                .execute(conn)
                .await?;
            diesel::update(tenants::table.filter(tenants::id.eq(restored_id.0)))
                .set((tenants::slug.eq(live), tenants::domains.eq(domains)))
                .execute(conn)
                .await?;
            Ok(())
        })
    })
    .await
}

/// The school as it stands, in the shape a file or the flags describe it (for `update`).
pub async fn current(pool: &PgPool, school: &str) -> Result<SchoolSpec, AppError> {
    let tenant = school_id(pool, school).await?;
    tenant_tx(pool, tenant, "tenants", move |conn| {
        Box::pin(async move {
            let school = super::record(conn, tenant).await?;
            let categories = categories::table
                .filter(categories::tenant_id.eq(tenant.0))
                .order(categories::position)
                .select((categories::slug, categories::name))
                .load(conn)
                .await?;
            Ok(SchoolSpec {
                file: "(database)".into(),
                slug: school.slug,
                name: school.name,
                tagline: school.tagline,
                domains: school.domains,
                accent_color: school.accent_color,
                logo_url: school.logo_url,
                categories,
                admins: school.admin_emails,
                accounts: school.accounts,
                locale: school.locale,
                locales: school.locales,
                // What the providers and tools are stays with them: a spec read back changes none.
                sso: None,
                lti: None,
            })
        })
    })
    .await
}

/// What a deletion removed.
#[derive(Debug, Default)]
pub struct Deleted {
    pub rows: Vec<(&'static str, usize)>,
    pub objects: usize,
}

/// Removes every row of the school (one transaction) and then every object under its media
/// prefix. Other schools are untouched: each statement is limited to this school's id.
pub async fn delete(pool: &PgPool, store: &Store, school: &str) -> Result<Deleted, AppError> {
    let tenant = school_id(pool, school).await?;
    let rows = tenant_tx(pool, tenant, "tenants", move |conn| {
        Box::pin(async move {
            let mut rows = Vec::with_capacity(TABLES.len() + 1);
            for table in TABLES {
                let n = diesel::sql_query(format!("DELETE FROM {table} WHERE tenant_id = $1"))
                    .bind::<SqlUuid, _>(tenant.0)
                    .execute(conn)
                    .await?;
                rows.push((*table, n));
            }
            let n = diesel::delete(tenants::table.filter(tenants::id.eq(tenant.0)))
                .execute(conn)
                .await?;
            rows.push(("tenants", n));
            Ok(rows)
        })
    })
    .await?;
    let keys = store
        .school_keys(tenant)
        .await
        .map_err(AppError::internal)?;
    for key in &keys {
        store.delete(key).await.map_err(AppError::internal)?;
    }
    Ok(Deleted {
        rows,
        objects: keys.len(),
    })
}
