//! Creating accounts: the one place a user row is written (sign-up form and CLI alike).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::sessions::Role;
use crate::db::schema::users;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::i18n::Msg;
use crate::ids::{TenantId, UserId};

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    /// The address is known to be theirs (an operator vouched, or the invitation reached it).
    pub verified: bool,
}

/// `None` when the school already has an account with this email.
pub async fn create(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: NewUser<'_>,
) -> Result<Option<UserId>, AppError> {
    let id: Option<uuid::Uuid> = diesel::insert_into(users::table)
        .values((
            users::tenant_id.eq(tenant.0),
            users::email.eq(user.email),
            users::name.eq(user.name),
            users::password_hash.eq(user.password_hash),
            users::role.eq(user.role.as_str()),
            users::email_verified_at.eq(user.verified.then(chrono::Utc::now)),
        ))
        .on_conflict((users::tenant_id, users::email))
        .do_nothing()
        .returning(users::id)
        .get_result(conn)
        .await
        .optional()?;
    Ok(id.map(UserId))
}

/// A password hash no password matches: an account made by a school's system signs in through
/// single sign-on, or sets a password with a reset link.
pub const NO_PASSWORD: &str = "!";

/// What [`upsert`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upserted {
    Created(UserId),
    /// The account existed; its name and role before (equal to the new ones: nothing changed).
    Existing {
        id: UserId,
        name: String,
        role: String,
    },
}

/// Creates the account `email` at `tenant`, or gives the existing one `name` and `role`: the same
/// call twice leaves one account. An erased account's address is free again.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    email: &str,
    name: &str,
    role: Role,
) -> Result<Upserted, AppError> {
    let existing: Option<(uuid::Uuid, String, String)> = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::email.eq(email))
        .select((users::id, users::name, users::role))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if let Some((id, before_name, before_role)) = existing {
        if (before_name.as_str(), before_role.as_str()) != (name, role.as_str()) {
            diesel::update(
                users::table
                    .filter(users::tenant_id.eq(tenant.0))
                    .filter(users::id.eq(id)),
            )
            .set((users::name.eq(name), users::role.eq(role.as_str())))
            .execute(conn)
            .await?;
        }
        return Ok(Upserted::Existing {
            id: UserId(id),
            name: before_name,
            role: before_role,
        });
    }
    let new = NewUser {
        email,
        name,
        password_hash: NO_PASSWORD,
        role,
        verified: false,
    };
    // A concurrent create of the same address wins; this call then finds it.
    match create(conn, tenant, new).await? {
        Some(id) => Ok(Upserted::Created(id)),
        None => Err(AppError::Conflict(Msg::new(
            "error-another-request-created-this-account",
        ))),
    }
}

/// The live account with address `email` at `tenant`: its id and name.
/// Keeps `locale` as the account's language (its mail, and its browsers once signed in).
pub async fn set_locale(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
    locale: Locale,
) -> Result<(), AppError> {
    diesel::update(
        users::table
            .filter(users::tenant_id.eq(tenant.0))
            .filter(users::id.eq(user.0)),
    )
    .set(users::locale.eq(locale.tag()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_email(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    email: &str,
) -> Result<Option<(UserId, String, Option<String>)>, AppError> {
    let found: Option<(uuid::Uuid, String, Option<String>)> = users::table
        .filter(users::tenant_id.eq(tenant.0))
        .filter(users::email.eq(email))
        .filter(users::erased_at.is_null())
        .select((users::id, users::name, users::locale))
        .first(conn)
        .await
        .optional()?;
    Ok(found.map(|(id, name, locale)| (UserId(id), name, locale)))
}
