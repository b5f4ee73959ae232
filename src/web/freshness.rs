//! Read-your-writes, the request side (see `crate::freshness` for the cookie): the cookie is read
//! on the way in and renewed after a successful state-changing request; handlers read from a
//! pool that has replayed the browser's last write.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use diesel::QueryableByName;

use crate::db::replicas::Lsn;
use crate::db::{Pools, global_tx};
use crate::error::AppError;
use crate::freshness::{LIFETIME, Seen, unix_now};
use crate::ids::TenantId;
use crate::state::AppState;
use crate::tenancy::HostTarget;
use crate::web::host::resolve;
use crate::web::regions::is_write;

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
        let pools = state.pools(tenant.id);
        let position = match &pools {
            Ok(pools) => position(pools, tenant.id).await,
            Err(_) => Err(AppError::NotFound),
        };
        match position {
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
