//! Applies validated school files to the database in one transaction: all or nothing.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use super::files::{FileError, FileErrors, SchoolSpec};
use crate::db::schema::{categories, courses, tenants, users};
use crate::db::{AsyncPgConnection, PgPool, global_tx, switch_tenant};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Files(#[from] FileErrors),
    #[error("{0}")]
    Db(#[from] AppError),
}

/// What applying a school description may do to a school that exists (or does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Create or change (`eduflow tenants sync`): the database follows the files.
    Upsert,
    /// Create schools that do not exist and leave existing ones alone (`serve --sync-tenants`):
    /// a restart never reverts what an operator changed since.
    CreateMissing,
    /// Create only; an existing slug is an error (`eduflow tenants create`).
    Create,
    /// Change only; an unknown slug is an error (`eduflow tenants update`).
    Update,
}

/// Applies every school and its categories as `mode` says. Schools missing from `specs` are
/// left untouched (a deleted file never deletes a school's data); a category that still has
/// courses cannot be dropped. Returns the schools named by `specs`, with their ids.
pub async fn apply(
    pool: &PgPool,
    specs: Vec<SchoolSpec>,
    mode: Mode,
) -> Result<Vec<(String, TenantId)>, SyncError> {
    let outcome = global_tx(pool, "sync", move |conn| {
        Box::pin(async move {
            let mut applied = Vec::new();
            let mut problems = Vec::new();
            for spec in &specs {
                // Files are checked against each other already; this catches schools that have no
                // file here (generated ones, or another deployment's).
                let taken: Vec<String> = tenants::table
                    .filter(tenants::slug.ne(&spec.slug).and(tenants::domains.overlaps_with(&spec.domains)))
                    .select(tenants::slug)
                    .load(conn)
                    .await?;
                if !taken.is_empty() {
                    problems.push(FileError {
                        file: spec.file.clone(),
                        field: "domains".into(),
                        reason: format!("a domain is already used by school `{}`", taken.join("`, `")),
                    });
                    continue;
                }
                let existing: Option<uuid::Uuid> = tenants::table
                    .filter(tenants::slug.eq(&spec.slug))
                    .select(tenants::id)
                    .first(conn)
                    .await
                    .optional()?;
                let problem = match (mode, existing) {
                    (Mode::CreateMissing, Some(id)) => {
                        applied.push((spec.slug.clone(), TenantId(id)));
                        continue;
                    }
                    (Mode::Create, Some(_)) => Some("already exists; change it with `eduflow tenants update`"),
                    (Mode::Update, None) => Some("no such school; create it with `eduflow tenants create`"),
                    _ => None,
                };
                if let Some(reason) = problem {
                    problems.push(FileError { file: spec.file.clone(), field: "slug".into(), reason: format!("`{}` {reason}", spec.slug) });
                    continue;
                }
                let id: uuid::Uuid = diesel::insert_into(tenants::table)
                    .values((
                        tenants::slug.eq(&spec.slug),
                        tenants::name.eq(&spec.name),
                        tenants::tagline.eq(&spec.tagline),
                        tenants::domains.eq(&spec.domains),
                        tenants::accent_color.eq(&spec.accent_color),
                        tenants::logo_url.eq(&spec.logo_url),
                        tenants::admin_emails.eq(&spec.admins),
                        tenants::require_verified_email.eq(spec.accounts.require_verified_email),
                        tenants::mail_sender_name.eq(&spec.accounts.mail_sender_name),
                        tenants::mail_reply_to.eq(&spec.accounts.mail_reply_to),
                        tenants::locale.eq(spec.locale.tag()),
                        tenants::locales.eq(spec.locales.iter().map(|l| l.tag()).collect::<Vec<_>>()),
                    ))
                    .on_conflict(tenants::slug)
                    .do_update()
                    .set((
                        tenants::name.eq(excluded(tenants::name)),
                        tenants::tagline.eq(excluded(tenants::tagline)),
                        tenants::domains.eq(excluded(tenants::domains)),
                        tenants::accent_color.eq(excluded(tenants::accent_color)),
                        tenants::logo_url.eq(excluded(tenants::logo_url)),
                        tenants::admin_emails.eq(excluded(tenants::admin_emails)),
                        tenants::require_verified_email.eq(excluded(tenants::require_verified_email)),
                        tenants::mail_sender_name.eq(excluded(tenants::mail_sender_name)),
                        tenants::mail_reply_to.eq(excluded(tenants::mail_reply_to)),
                        tenants::locale.eq(excluded(tenants::locale)),
                        tenants::locales.eq(excluded(tenants::locales)),
                        tenants::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(tenants::id)
                    .get_result(conn)
                    .await?;
                let tenant = TenantId(id);
                switch_tenant(conn, tenant).await?;
                let keep: Vec<&str> = spec.categories.iter().map(|(slug, _)| slug.as_str()).collect();
                // Owner-side: the admin role may bypass RLS, so each statement names its school.
                let in_use: Vec<String> = courses::table
                    .filter(courses::tenant_id.eq(id))
                    .filter(courses::category.ne_all(&keep))
                    .select(courses::category)
                    .distinct()
                    .load(conn)
                    .await?;
                if !in_use.is_empty() {
                    problems.extend(in_use.into_iter().map(|category| FileError {
                        file: spec.file.clone(),
                        field: "categories".into(),
                        reason: format!("category `{category}` was removed but still has courses; move them first"),
                    }));
                    continue;
                }
                diesel::delete(categories::table.filter(categories::tenant_id.eq(id)).filter(categories::slug.ne_all(&keep)))
                    .execute(conn)
                    .await?;
                for (position, (slug, name)) in spec.categories.iter().enumerate() {
                    diesel::insert_into(categories::table)
                        .values((
                            categories::tenant_id.eq(id),
                            categories::slug.eq(slug),
                            categories::name.eq(name),
                            categories::position.eq(position as i32),
                        ))
                        .on_conflict((categories::tenant_id, categories::slug))
                        .do_update()
                        .set((categories::name.eq(excluded(categories::name)), categories::position.eq(excluded(categories::position))))
                        .execute(conn)
                        .await?;
                }
                promote_admins(conn, tenant, &spec.admins).await?;
                if let Some(file) = &spec.sso {
                    crate::sso::providers::apply_file(conn, tenant, file).await?;
                }
                if let Some(file) = &spec.lti {
                    crate::lti::tools::apply_file(conn, tenant, file).await?;
                }
                applied.push((spec.slug.clone(), tenant));
            }
            if !problems.is_empty() {
                // Rolls the whole transaction back.
                return Err(AppError::BadRequest(Msg::plain(FileErrors(problems).to_string())));
            }
            Ok(applied)
        })
    })
    .await;
    outcome.map_err(SyncError::Db)
}

/// Makes the listed emails admins of the current school (those that have accounts).
pub async fn promote_admins(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    emails: &[String],
) -> Result<usize, AppError> {
    Ok(diesel::update(
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::email.eq_any(emails))
            .filter(users::role.ne("admin")),
    )
    .set(users::role.eq("admin"))
    .execute(conn)
    .await?)
}
