//! Database access. Tenant tables are reachable only through [`door::tenant_tx`] (or, for
//! all-or-nothing work across schools, [`door::switch_tenant`] inside a [`door::global_tx`]).

pub mod budget;
pub mod clusters;
pub mod connect;
pub mod door;
pub mod embedded;
pub mod listener;
pub mod migrate;
pub mod placement;
pub mod pools;
pub mod replicas;
pub(crate) mod schema;

pub use clusters::{ClusterName, Clusters};
pub use door::{global_tx, switch_tenant, tenant_tx};
pub use pools::{PgPool, PoolSettings};
pub use replicas::Pools;

pub use diesel_async::AsyncPgConnection;
