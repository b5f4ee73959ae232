//! The one door to tenant data: a transaction whose first statement sets `app.tenant_id` with
//! `set_config(…, true)`, so the setting dies with the transaction and never leaks to the next
//! user of a pooled connection. Row-level security does the rest: without the setting a session
//! sees no tenant rows and can write none.

use std::time::Instant;

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::BoxFuture;

use super::pools::{Limits, PgPool};
use crate::error::AppError;
use crate::ids::TenantId;

/// Work run inside a transaction; boxed so callers can borrow the connection across awaits.
pub type TxWork<'r, R> = BoxFuture<'r, Result<R, AppError>>;

/// Runs `work` in a transaction scoped to `tenant` on a connection from `pool`; its duration is
/// recorded under `query` (the query family) and the pool's label.
pub async fn tenant_tx<R, F>(
    pool: &PgPool,
    tenant: TenantId,
    query: &'static str,
    work: F,
) -> Result<R, AppError>
where
    R: Send,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> TxWork<'r, R> + Send,
{
    pool.admit(tenant)?;
    let _slot = pool.enter(tenant).await?;
    run(pool, Some(tenant), query, work).await
}

/// Runs `work` in a transaction with no tenant set: only platform tables (`tenants`) are visible.
pub async fn global_tx<R, F>(pool: &PgPool, query: &'static str, work: F) -> Result<R, AppError>
where
    R: Send,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> TxWork<'r, R> + Send,
{
    run(pool, None, query, work).await
}

async fn run<R, F>(
    pool: &PgPool,
    tenant: Option<TenantId>,
    query: &'static str,
    work: F,
) -> Result<R, AppError>
where
    R: Send,
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> TxWork<'r, R> + Send,
{
    let _fleet = pool.enter_fleet().await?;
    let mut conn = pool.checkout().await?;
    let start = Instant::now();
    let limits = pool.limits();
    let tx = conn.transaction(async move |conn| {
        begin(conn, tenant, limits).await?;
        work(conn).await
    });
    // The server cuts a statement at its limit; a server that has not answered long after that
    // is frozen or cut off, and waiting longer would only hold the request and the connection.
    // The abandoned connection is still inside its transaction, so the pool discards it.
    let result = match limits.answered_within() {
        Some(limit) => tokio::time::timeout(limit, tx).await.unwrap_or_else(|_| {
            Err(AppError::Unavailable(anyhow::anyhow!(
                "database pool {}: no answer within {limit:?}",
                pool.label()
            )))
        }),
        None => tx.await,
    };
    pool.observe(query, start.elapsed());
    if matches!(result, Err(AppError::NeedsPrimary(_))) && pool.wants_writes() {
        // A connection opened on a writable server now finds it read-only: the server was
        // demoted (a failover). Dropped, so the next checkout connects to the new primary.
        use diesel_async::TransactionManager;
        <AsyncPgConnection as AsyncConnection>::TransactionManager::transaction_manager_status_mut(
            &mut *conn,
        )
        .set_in_error();
    }
    result
}

/// The transaction's first statement: its school (none: no tenant row is visible) and its
/// limits, in one round trip.
async fn begin(
    conn: &mut AsyncPgConnection,
    tenant: Option<TenantId>,
    limits: Limits,
) -> Result<(), AppError> {
    let ms = |d: std::time::Duration| d.as_millis().to_string();
    let (statement, lock) = (ms(limits.statement), ms(limits.lock));
    diesel::sql_query(
        "SELECT set_config('app.tenant_id', $1, true),
                CASE WHEN $2 <> '0' THEN set_config('statement_timeout', $2, true) END,
                CASE WHEN $3 <> '0' THEN set_config('lock_timeout', $3, true) END",
    )
    .bind::<Text, _>(tenant.map(|t| t.to_string()).unwrap_or_default())
    .bind::<Text, _>(statement)
    .bind::<Text, _>(lock)
    .execute(conn)
    .await?;
    Ok(())
}

/// Scopes the rest of the current transaction to `tenant`. Outside a transaction the setting
/// would outlive the request, so this refuses to run there.
pub async fn switch_tenant(conn: &mut AsyncPgConnection, tenant: TenantId) -> Result<(), AppError> {
    use diesel_async::TransactionManager;
    let depth =
        <AsyncPgConnection as AsyncConnection>::TransactionManager::transaction_manager_status_mut(
            conn,
        )
        .transaction_depth()
        .map_err(AppError::internal)?;
    if depth.is_none() {
        return Err(AppError::internal(anyhow::anyhow!(
            "switch_tenant outside a transaction"
        )));
    }
    diesel::sql_query("SELECT set_config('app.tenant_id', $1, true)")
        .bind::<Text, _>(tenant.to_string())
        .execute(conn)
        .await?;
    Ok(())
}
