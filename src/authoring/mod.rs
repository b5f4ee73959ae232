//! Authoring: instructors and admins build their school's courses on server-rendered pages.
//! Every write goes through the school's actor (see [`edit`]), so this instance's cached pages
//! are dropped as soon as it commits and every other instance hears of it through NOTIFY.

pub mod forms;
pub mod pages;
pub mod store;

use std::sync::Arc;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::actors::school::{Edit, Written};
use crate::db::door::TxWork;
use crate::db::schema::tenants;
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::startup::AppState;
use crate::tenancy::Tenant;

/// Runs a write to `tenant`'s data on the primary, through the school's actor.
pub async fn edit<R, F>(
    state: &AppState,
    tenant: &Arc<Tenant>,
    query: &'static str,
    work: F,
) -> Result<R, AppError>
where
    R: Send + 'static,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> TxWork<'r, R> + Send + 'static,
{
    let pool = state.pools.primary().clone();
    let id = tenant.id;
    let write = Box::pin(async move {
        tenant_tx(&pool, id, query, move |conn| {
            Box::pin(async move {
                let value = work(conn).await?;
                let version = tenants::table
                    .find(id.0)
                    .select(tenants::catalog_version)
                    .first(conn)
                    .await?;
                Ok(Written { value, version })
            })
        })
        .await
    });
    state.registry.ask(tenant, Edit::new(write)).await?
}
