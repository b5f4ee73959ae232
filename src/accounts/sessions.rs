//! Server-side sessions. The browser holds a random 256-bit token in a host-only cookie; the
//! database holds its SHA-256. A session is looked up through the tenant door, so a cookie from
//! school A presented at school B finds nothing: it is treated as absent.

use actix_web::cookie::{Cookie, SameSite, time};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{sessions, users};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ids::{TenantId, UserId};

/// A session ends after this long without a request…
pub const IDLE: Duration = Duration::days(7);
/// …and this long after login, whatever happens.
pub const ABSOLUTE: Duration = Duration::days(30);

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The session's anti-forgery token, for the forms it renders.
    pub csrf: String,
    /// The account's `state_version`: cached learner state older than this is reloaded.
    pub state_version: i64,
    /// The account's email address is confirmed.
    pub verified: bool,
    /// The language this request is answered in (set per request by the web layer; the
    /// account's own choice, kept for mail, reaches the browser as its language cookie).
    pub locale: Locale,
}

pub use crate::random::{TokenHash, random_token, token_digest, token_hash};
pub use crate::role::Role;

/// Cookie names and attributes: host-only (no Domain, so one school's cookie never reaches a
/// sibling subdomain), HttpOnly, SameSite=Lax; over HTTPS also Secure with the `__Host-` prefix.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub https: bool,
}

impl CookiePolicy {
    pub fn session_name(self) -> &'static str {
        if self.https {
            "__Host-eduflow_session"
        } else {
            "eduflow_session"
        }
    }

    pub fn csrf_name(self) -> &'static str {
        if self.https {
            "__Host-eduflow_csrf"
        } else {
            "eduflow_csrf"
        }
    }

    /// The read-your-writes cookie (see `freshness`).
    pub fn seen_name(self) -> &'static str {
        if self.https {
            "__Host-eduflow_seen"
        } else {
            "eduflow_seen"
        }
    }

    /// The single sign-on under way in this browser (its `state`), see `sso::logins`.
    pub fn sso_name(self) -> &'static str {
        if self.https {
            "__Host-eduflow_sso"
        } else {
            "eduflow_sso"
        }
    }

    /// The visitor's chosen language (see `web::lang`).
    pub fn lang_name(self) -> &'static str {
        if self.https {
            "__Host-eduflow_lang"
        } else {
            "eduflow_lang"
        }
    }

    /// A year-long cookie holding the language `tag` this browser chose.
    pub fn lang(self, tag: &str) -> Cookie<'static> {
        let mut c = self.build(self.lang_name(), tag.to_owned());
        c.set_max_age(time::Duration::days(365));
        c
    }

    pub fn build(self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.https)
            .finish()
    }

    pub fn session(self, token: String) -> Cookie<'static> {
        let mut c = self.build(self.session_name(), token);
        c.set_max_age(time::Duration::seconds(ABSOLUTE.num_seconds()));
        c
    }

    pub fn removal(self, name: &'static str) -> Cookie<'static> {
        let mut c = self.build(name, String::new());
        c.make_removal();
        c
    }
}

/// Starts a session for `user`; returns the token for the cookie.
pub async fn create(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
) -> Result<String, AppError> {
    let token = random_token();
    diesel::insert_into(sessions::table)
        .values((
            sessions::tenant_id.eq(tenant.0),
            sessions::user_id.eq(user.0),
            sessions::token_hash.eq(token_hash(&token)),
            sessions::csrf_token.eq(random_token()),
            sessions::expires_at.eq(Utc::now() + ABSOLUTE),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Ends every session of an account (a password reset, a suspension, an erasure).
pub async fn end_all(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    user: UserId,
) -> Result<usize, AppError> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::tenant_id.eq(tenant.0))
            .filter(sessions::user_id.eq(user.0)),
    )
    .execute(conn)
    .await?)
}

/// Ends the session of `token`; for a session begun through single sign-on, the provider's
/// name and the id_token it gave (for RP-initiated logout).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> Result<Option<(String, String)>, AppError> {
    let ended: Vec<(Option<String>, Option<String>)> =
        diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash(token))))
            .returning((sessions::sso_provider, sessions::sso_id_token))
            .load(conn)
            .await?;
    Ok(ended.into_iter().find_map(|(p, t)| p.zip(t)))
}

/// Notes that the session of `token` began with `provider`'s `id_token`.
pub async fn mark_sso(
    conn: &mut AsyncPgConnection,
    token: &str,
    provider: &str,
    id_token: &str,
) -> Result<(), AppError> {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(token_hash(token))))
        .set((
            sessions::sso_provider.eq(provider),
            sessions::sso_id_token.eq(id_token),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

type SessionRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    i64,
    chrono::DateTime<Utc>,
    chrono::DateTime<Utc>,
    bool,
);

/// A live session found by its token.
pub struct Found {
    pub user: CurrentUser,
    pub session: Uuid,
    pub expires_at: chrono::DateTime<Utc>,
    pub last_seen: chrono::DateTime<Utc>,
    /// Its idle clock is over a minute old and should be moved on (on the primary).
    pub stale: bool,
}

/// The live session behind `token`. It only reads; see [`touch`].
pub async fn lookup(conn: &mut AsyncPgConnection, token: &str) -> Result<Option<Found>, AppError> {
    let now = Utc::now();
    let row: Option<SessionRow> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash(token)))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_seen_at.gt(now - IDLE))
        .filter(users::suspended_at.is_null())
        .select((
            sessions::id,
            users::id,
            users::name,
            users::email,
            users::role,
            sessions::csrf_token,
            users::state_version,
            sessions::last_seen_at,
            sessions::expires_at,
            users::email_verified_at.is_not_null(),
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((
        session,
        id,
        name,
        email,
        role,
        csrf,
        state_version,
        last_seen,
        expires_at,
        verified,
    )) = row
    else {
        return Ok(None);
    };
    let role = Role::parse(&role).unwrap_or(Role::Learner);
    Ok(Some(Found {
        user: CurrentUser {
            id: UserId(id),
            name,
            email,
            role,
            csrf,
            state_version,
            verified,
            locale: Locale::SOURCE,
        },
        session,
        expires_at,
        last_seen,
        stale: last_seen < now - Duration::minutes(1),
    }))
}

/// Moves a session's idle clock on, at most once a minute.
pub async fn touch(conn: &mut AsyncPgConnection, session: Uuid) -> Result<(), AppError> {
    let now = Utc::now();
    diesel::update(
        sessions::table
            .find(session)
            .filter(sessions::last_seen_at.lt(now - Duration::minutes(1))),
    )
    .set(sessions::last_seen_at.eq(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Who is asking: the signed-in user of this school, or nobody.
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<CurrentUser>);
