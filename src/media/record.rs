//! The `media` table's row of a stored object: what is stored where, for which school.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::key::MediaKey;
use super::probe::MediaInfo;
use crate::db::schema::media;
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::{TenantId, UserId};

/// A stored object's metadata row.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub key: MediaKey,
    pub content_type: String,
    pub len: u64,
    pub info: MediaInfo,
    pub original_name: String,
    pub uploader: Option<UserId>,
}

impl NewMedia {
    /// Inserts the row, or keeps the one there (the key is the content, so they agree).
    pub async fn insert(&self, conn: &mut AsyncPgConnection) -> Result<(), AppError> {
        diesel::insert_into(media::table)
            .values((
                media::tenant_id.eq(self.key.tenant.0),
                media::key.eq(self.key.as_str()),
                media::content_type.eq(&self.content_type),
                media::size_bytes.eq(self.len as i64),
                media::sha256.eq(&self.key.sha256),
                media::width.eq(self.info.width),
                media::height.eq(self.info.height),
                media::duration_seconds.eq(self.info.duration_seconds),
                media::original_name.eq(&self.original_name),
                media::uploaded_by.eq(self.uploader.map(|u| u.0)),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
        Ok(())
    }

    /// The row, in a transaction of its own.
    pub async fn record(self, pool: &PgPool) -> Result<(), AppError> {
        Self::record_all(pool, self.key.tenant, vec![self]).await
    }

    /// Several rows of one school in one transaction.
    pub async fn record_all(
        pool: &PgPool,
        tenant: TenantId,
        rows: Vec<Self>,
    ) -> Result<(), AppError> {
        tenant_tx(pool, tenant, "media_write", move |conn| {
            Box::pin(async move {
                for row in &rows {
                    row.insert(conn).await?;
                }
                Ok(())
            })
        })
        .await
    }
}
