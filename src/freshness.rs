//! Read-your-writes on every instance, in every region. After a request that may have written
//! (any state-changing method that succeeded) the answer carries a short-lived signed cookie with
//! the primary's WAL position and the school's catalog version at that moment. The next request
//! of that browser, wherever it lands:
//! - tells the school's actor of the catalog version, as if the change's NOTIFY had already
//!   arrived, so no page older than the writer's own change is served from memory;
//! - reads through a replica only once it has replayed that position (waiting briefly for it),
//!   otherwise through the primary.
//!
//! Everyone without the cookie keeps reading replicas. The cookie is bound to its school and
//! signed, so a forged position cannot push anyone's reads onto the primary.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::QueryableByName;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::pools::Lsn;
use crate::db::{Pools, global_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::regions::is_write;
use crate::startup::AppState;
use crate::tenancy::HostTarget;
use crate::tenancy::host::resolve;

/// How long after a write its reads are guarded: far longer than a healthy replica's lag.
pub const LIFETIME: Duration = Duration::from_secs(60);

/// What a browser's last write reached, read back from its cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub lsn: Lsn,
    pub catalog: i64,
}

/// Signs and checks the cookie; every instance derives the same key from the shared secret.
pub struct SeenKey([u8; 32]);

impl SeenKey {
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"eduflow read-your-writes cookie");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, tenant: TenantId, body: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(tenant.0.as_bytes());
        mac.update(body.as_bytes());
        mac
    }

    pub fn seal(&self, tenant: TenantId, seen: Seen, expires: u64) -> String {
        let body = format!("{:x}.{}.{expires}", seen.lsn.0, seen.catalog);
        let tag = self.mac(tenant, &body).finalize().into_bytes();
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(&tag[..16]))
    }

    /// The cookie's content if it was sealed for `tenant` and has not expired at `now`.
    pub fn open(&self, tenant: TenantId, value: &str, now: u64) -> Option<Seen> {
        let (body, tag) = value.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(tenant, body).verify_truncated_left(&tag).ok()?;
        let mut parts = body.split('.');
        let lsn = Lsn(u64::from_str_radix(parts.next()?, 16).ok()?);
        let catalog = parts.next()?.parse().ok()?;
        let expires: u64 = parts.next()?.parse().ok()?;
        (tag.len() == 16 && expires > now).then_some(Seen { lsn, catalog })
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The position a request's reads must include, if its browser wrote lately.
pub fn seen(req: &actix_web::HttpRequest) -> Option<Lsn> {
    req.extensions().get::<Seen>().map(|s| s.lsn)
}

/// A handler's read-your-writes floor, for reads made outside the school's actor.
#[derive(Debug, Clone, Copy)]
pub struct ReadFloor(pub Option<Lsn>);

impl ReadFloor {
    /// A replica that has replayed the floor, or the primary.
    pub async fn pool<'p>(&self, pools: &'p Pools) -> &'p crate::db::PgPool {
        pools.read_at(self.0).await
    }
}

impl actix_web::FromRequest for ReadFloor {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Self(seen(req))))
    }
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Text)]
    lsn: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    catalog_version: i64,
}

/// Where the primary's log and the school's catalog are now (after the request's commits). The
/// log's insert position, not its write position: with `synchronous_commit = off` a commit record
/// may still sit in WAL buffers, before the write position.
async fn position(pools: &Pools, tenant: TenantId) -> Result<Seen, AppError> {
    global_tx(pools.primary(), "primary_lsn", move |conn| {
        Box::pin(async move {
            let p: Position = diesel_async::RunQueryDsl::get_result(
                diesel::sql_query(
                    "SELECT pg_current_wal_insert_lsn()::text AS lsn, catalog_version
                       FROM tenants WHERE id = $1",
                )
                .bind::<diesel::sql_types::Uuid, _>(tenant.0),
                conn,
            )
            .await?;
            let lsn = p.lsn.parse().map_err(|()| {
                AppError::internal(anyhow::anyhow!("unreadable WAL position {}", p.lsn))
            })?;
            Ok(Seen {
                lsn,
                catalog: p.catalog_version,
            })
        })
    })
    .await
}

/// Reads the cookie on the way in; renews it after a successful state-changing request.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let tenant = match (&state, resolve(req.request())) {
        (Some(_), HostTarget::School(tenant)) => Some(tenant),
        _ => None,
    };
    let (Some(state), Some(tenant)) = (state, tenant) else {
        return next.call(req).await;
    };
    let name = state.cookies.seen_name();
    if let Some(seen) = req
        .cookie(name)
        .and_then(|c| state.seen_key.open(tenant.id, c.value(), unix_now()))
    {
        state.registry.catalog_seen(tenant.id, seen.catalog);
        req.extensions_mut().insert(seen);
    }
    let write = is_write(req.method());
    let mut res = next.call(req).await?;
    if write && res.status().as_u16() < 400 {
        match position(&state.pools, tenant.id).await {
            Ok(seen) => {
                let expires = unix_now() + LIFETIME.as_secs();
                let mut cookie = state
                    .cookies
                    .build(name, state.seen_key.seal(tenant.id, seen, expires));
                cookie.set_max_age(actix_web::cookie::time::Duration::seconds(
                    LIFETIME.as_secs() as i64,
                ));
                res.response_mut().add_cookie(&cookie)?;
            }
            // The write is committed either way; without the cookie the browser may briefly
            // read a replica's older copy.
            Err(e) => tracing::warn!(error = ?e, "reading the primary's WAL position failed"),
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_open_only_for_their_school_unexpired_and_untouched() {
        let key = SeenKey::derive(b"a secret of the fleet");
        let (a, b) = (TenantId::new(), TenantId::new());
        let seen = Seen {
            lsn: Lsn(0x16_B374_D848),
            catalog: 42,
        };
        let value = key.seal(a, seen, 1_000);
        assert_eq!(key.open(a, &value, 999), Some(seen));
        assert_eq!(key.open(a, &value, 1_000), None, "expired");
        assert_eq!(key.open(b, &value, 999), None, "another school");
        let forged = value.replacen("16b374d848", "26b374d848", 1);
        assert_ne!(forged, value);
        assert_eq!(key.open(a, &forged, 999), None, "tampered");
        assert_eq!(
            SeenKey::derive(b"another secret").open(a, &value, 999),
            None
        );
        assert_eq!(key.open(a, "garbage", 0), None);
    }
}
