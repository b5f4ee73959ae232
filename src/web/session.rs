//! The signed-in viewer of a request: the session cookie checked against the sessions this
//! instance holds in memory (`accounts::live`), or against the database when it holds none.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use uuid::Uuid;

use crate::accounts::live::Live;
use crate::accounts::sessions::{Found, Viewer, lookup, token_digest, touch};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::state::AppState;
use crate::web::host::School;
use crate::web::lang;

async fn find(pool: &PgPool, tenant: TenantId, token: String) -> Result<Option<Found>, AppError> {
    tenant_tx(pool, tenant, "session", move |conn| {
        Box::pin(async move { lookup(conn, &token).await })
    })
    .await
}

/// Moves a session's idle clock on: bookkeeping, not the request's work, so it must not delay
/// or fail the page.
fn touch_later(state: &AppState, tenant: TenantId, session: Uuid) {
    let Ok(pools) = state.pools(tenant) else {
        return;
    };
    let primary = pools.primary().clone();
    actix_web::rt::spawn(async move {
        let touched = tenant_tx(&primary, tenant, "session_touch", move |conn| {
            Box::pin(async move { touch(conn, session).await })
        })
        .await;
        if let Err(e) = touched {
            tracing::debug!(error = ?e, "moving a session's idle clock failed");
        }
    });
}

impl Viewer {
    pub async fn from_request_parts(req: &HttpRequest) -> Result<Self, AppError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no app state")))?;
        let Some(token) = req
            .cookie(state.cookies.session_name())
            .map(|c| c.value().to_owned())
        else {
            return Ok(Self(None));
        };
        let School(tenant) = School::extract(req).await?;
        let (digest, now) = (token_digest(&token), chrono::Utc::now());
        // A browser that wrote lately (it carries the read-your-writes cookie) is checked in the
        // primary: its write may have changed its session before the announcement got here.
        if crate::web::freshness::seen(req).is_none() {
            if let Some(hit) = state.sessions.get(&digest, tenant.id, now) {
                if hit.touch {
                    touch_later(state, tenant.id, hit.session);
                }
                let mut user = hit.user;
                user.locale = lang::of(req, &tenant);
                return Ok(Self(Some(user)));
            }
        }
        // A replica that has replayed this browser's last write. A token it does not know may
        // belong to a session created a moment ago, and an account changed lately may not show
        // the change there yet: the primary decides.
        let since = state.sessions.generation();
        let (pools, id) = (state.pools(tenant.id)?, tenant.id);
        let pool = pools.read_at(crate::web::freshness::seen(req)).await;
        let found = pools
            .found_or_primary(pool, |pool| {
                let token = token.clone();
                async move { find(&pool, id, token).await }
            })
            .await?;
        let found = match found {
            Some(f)
                if !std::ptr::eq(pool, pools.primary())
                    && !state.sessions.trust_replica(f.user.id) =>
            {
                find(pools.primary(), id, token).await?
            }
            found => found,
        };
        let Some(found) = found else {
            return Ok(Self(None));
        };
        if found.stale {
            touch_later(state, tenant.id, found.session);
        }
        state.sessions.insert(
            digest,
            Live {
                tenant: tenant.id,
                session: found.session,
                user: found.user.clone(),
                expires_at: found.expires_at,
                last_seen: if found.stale { now } else { found.last_seen },
            },
            since,
        );
        let mut user = found.user;
        user.locale = lang::of(req, &tenant);
        Ok(Self(Some(user)))
    }
}

impl FromRequest for Viewer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Self::from_request_parts(&req).await })
    }
}
