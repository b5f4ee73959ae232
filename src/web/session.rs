//! The signed-in viewer of a request: the session cookie checked against the school's sessions
//! (see `crate::accounts::sessions`).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::accounts::sessions::{Found, Viewer, lookup, touch};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::state::AppState;
use crate::web::host::School;

async fn find(pool: &PgPool, tenant: TenantId, token: String) -> Result<Option<Found>, AppError> {
    tenant_tx(pool, tenant, "session", move |conn| {
        Box::pin(async move { lookup(conn, &token).await })
    })
    .await
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
        // A replica that has replayed this browser's last write (see `freshness`). A token it
        // does not know may belong to a session created a moment ago: the primary decides.
        let (pools, id) = (&state.pools, tenant.id);
        let pool = pools.read_at(crate::web::freshness::seen(req)).await;
        let found = pools
            .found_or_primary(pool, |pool| {
                let token = token.clone();
                async move { find(&pool, id, token).await }
            })
            .await?;
        let Some(found) = found else {
            return Ok(Self(None));
        };
        if found.stale {
            let (primary, session, tenant) =
                (state.pools.primary().clone(), found.session, tenant.id);
            // Bookkeeping, not the request's work: it must not delay or fail the page.
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
        Ok(Self(Some(found.user)))
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
