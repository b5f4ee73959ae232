//! Who may author, and how an author's write reaches the database: through the school's actor
//! (see [`edit`]), so this instance's cached pages are dropped as soon as it commits and every
//! other instance hears of it through NOTIFY.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::accounts::sessions::{CurrentUser, Role, Viewer};
use crate::actors::school::{Edit, Written};
use crate::db::door::TxWork;
use crate::db::schema::tenants;
use crate::db::tenant_tx;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// The signed-in instructor or admin of this school. Visitors are sent to log in and back;
/// learners are refused.
pub struct Staff(pub CurrentUser);

/// The signed-in admin of this school.
pub struct Admin(pub CurrentUser);

async fn member(req: &HttpRequest, admins_only: bool) -> Result<CurrentUser, AppError> {
    let Viewer(Some(user)) = Viewer::from_request_parts(req).await? else {
        return Err(AppError::SignIn(req.path().to_owned()));
    };
    match user.role {
        Role::Admin => Ok(user),
        Role::Instructor if !admins_only => Ok(user),
        Role::Instructor => Err(AppError::Forbidden(Msg::new(
            "error-only-the-school-s-admins-2",
        ))),
        Role::Learner => Err(AppError::Forbidden(Msg::new(
            "error-only-the-school-s-instructors",
        ))),
    }
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { member(&req, false).await.map(Self) })
    }
}

impl FromRequest for Admin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { member(&req, true).await.map(Self) })
    }
}

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
    let pool = state.pools(tenant.id)?.primary().clone();
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
