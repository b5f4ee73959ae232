//! A school's Learning Record Store: where its statements go (`ENDPOINT/statements`), the HTTP
//! Basic credentials, and whether statements may name learners by their email address. Set by
//! the operator (`eduflow tenants update --lrs-…`); the password is read from an environment
//! variable the operator names, never from the command line.

use diesel::sql_types::{Bool, Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::PgPool;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::ids::TenantId;

/// Where a school's statements go.
#[derive(Clone, QueryableByName)]
pub struct Lrs {
    #[diesel(sql_type = Text)]
    pub endpoint: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub username: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub password: Option<String>,
    /// The actor is the learner's mailbox instead of their account on the school's homepage.
    #[diesel(sql_type = Bool)]
    pub mbox: bool,
}

impl std::fmt::Debug for Lrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lrs")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("mbox", &self.mbox)
            .finish()
    }
}

impl Lrs {
    /// Where statements are posted: the endpoint with `statements` after it.
    pub fn statements_url(&self) -> String {
        format!("{}/statements", self.endpoint.trim_end_matches('/'))
    }
}

/// What the operator changes; `None` leaves a setting as it is.
#[derive(Debug, Default)]
pub struct Change {
    /// `Some("")` removes the LRS (and its credentials): nothing more is written for it.
    pub endpoint: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub mbox: Option<bool>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.endpoint.is_none()
            && self.username.is_none()
            && self.password.is_none()
            && self.mbox.is_none()
    }
}

/// Applies `change` to the school `slug` (owner side: the statement names the school).
pub async fn set(pool: &PgPool, slug: &str, change: Change) -> Result<(), AppError> {
    if let Some(endpoint) = change.endpoint.as_deref().filter(|e| !e.is_empty()) {
        crate::outbound::parse(endpoint)
            .map_err(|e| AppError::bad_request(Msg::new("error-lrs-endpoint").text("reason", e)))?;
    }
    let slug = slug.to_owned();
    crate::db::global_tx(pool, "lrs_set", move |conn| {
        Box::pin(async move {
            let removed = change.endpoint.as_deref() == Some("");
            let n = diesel::sql_query(
                "UPDATE tenants
                    SET lrs_endpoint = CASE WHEN $5 THEN NULL ELSE coalesce($2, lrs_endpoint) END,
                        lrs_username = CASE WHEN $5 THEN NULL ELSE coalesce($3, lrs_username) END,
                        lrs_password = CASE WHEN $5 THEN NULL ELSE coalesce($4, lrs_password) END,
                        lrs_mbox = coalesce($6, lrs_mbox), updated_at = now()
                  WHERE slug = $1",
            )
            .bind::<Text, _>(&slug)
            .bind::<Nullable<Text>, _>(change.endpoint.filter(|e| !e.is_empty()))
            .bind::<Nullable<Text>, _>(change.username)
            .bind::<Nullable<Text>, _>(change.password)
            .bind::<Bool, _>(removed)
            .bind::<Nullable<Bool>, _>(change.mbox)
            .execute(conn)
            .await?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            Ok(())
        })
    })
    .await
}

/// The school's LRS, if it has one (read in the caller's transaction for the school).
pub async fn load(conn: &mut AsyncPgConnection, school: TenantId) -> Result<Option<Lrs>, AppError> {
    Ok(diesel::sql_query(
        "SELECT lrs_endpoint AS endpoint, lrs_username AS username, lrs_password AS password,
                lrs_mbox AS mbox
           FROM tenants WHERE id = $1 AND lrs_endpoint IS NOT NULL",
    )
    .bind::<SqlUuid, _>(school.0)
    .get_result(conn)
    .await
    .optional()?)
}
