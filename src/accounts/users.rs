//! Creating accounts: the one place a user row is written (sign-up form and CLI alike).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::sessions::Role;
use crate::db::schema::users;
use crate::error::AppError;
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
