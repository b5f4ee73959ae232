//! Each school's platform keys: RS256, 2048 bits, named by a `kid`. The newest key without a
//! retirement date signs. Rotating (`eduflow lti rotate-key`) dates every current key to retire
//! after an overlap and the next signing makes a new one; `/lti/jwks` keeps publishing the
//! retiring keys until their date, so a tool that fetched them keeps verifying meanwhile. The
//! private half is sealed in the database; a key that no longer opens (the installation secret
//! changed) is retired at once and replaced.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::sql_types::{Binary, Double, Jsonb, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use jsonwebtoken::EncodingKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit::{self, By, Change};
use crate::db::{PgPool, tenant_tx};
use crate::error::AppError;
use crate::ids::TenantId;
use crate::sealing::SealKey;

const BITS: usize = 2048;

/// The key a school signs with now.
pub struct SigningKey {
    pub kid: String,
    pub key: EncodingKey,
}

#[derive(QueryableByName)]
struct Sealed {
    #[diesel(sql_type = Text)]
    kid: String,
    #[diesel(sql_type = Binary)]
    private_sealed: Vec<u8>,
}

/// A freshly made key pair: its private half (PKCS#1 DER) is sealed before it is stored.
struct Fresh {
    kid: String,
    public_jwk: Value,
    der: Vec<u8>,
}

fn context(tenant: TenantId, kid: &str) -> Vec<u8> {
    format!("{tenant}/{kid}").into_bytes()
}

fn generate() -> Result<Fresh, AppError> {
    let private =
        rsa::RsaPrivateKey::new(&mut rand_core::OsRng, BITS).map_err(AppError::internal)?;
    let public = private.to_public_key();
    let public_der = public.to_pkcs1_der().map_err(AppError::internal)?;
    let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(public_der.as_bytes())[..16]);
    let public_jwk = json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    });
    let der = private.to_pkcs1_der().map_err(AppError::internal)?;
    Ok(Fresh {
        kid,
        public_jwk,
        der: der.as_bytes().to_vec(),
    })
}

async fn current(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Option<Sealed>, AppError> {
    Ok(diesel::sql_query(
        "SELECT kid, private_sealed FROM lti_keys
          WHERE tenant_id = $1 AND retires_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .get_result(conn)
    .await
    .optional()?)
}

fn open(seal: &SealKey, tenant: TenantId, row: &Sealed) -> Option<SigningKey> {
    let der = seal.open(&row.private_sealed, &context(tenant, &row.kid))?;
    Some(SigningKey {
        kid: row.kid.clone(),
        key: EncodingKey::from_rsa_der(&der),
    })
}

/// The key `tenant` signs with, made (once, whichever instance gets there first) if it has none.
pub async fn signing(
    pool: &PgPool,
    tenant: TenantId,
    seal: &SealKey,
) -> Result<SigningKey, AppError> {
    let row = tenant_tx(pool, tenant, "lti_keys", move |conn| {
        Box::pin(current(conn, tenant))
    })
    .await?;
    if let Some(key) = row.as_ref().and_then(|r| open(seal, tenant, r)) {
        return Ok(key);
    }
    let unopenable = row.map(|r| r.kid);
    if let Some(kid) = &unopenable {
        tracing::error!(%tenant, kid, "an LTI platform key does not open with this installation's secret; replacing it");
    }
    // RSA key generation takes a while: off the async workers.
    let fresh = tokio::task::spawn_blocking(generate)
        .await
        .map_err(AppError::internal)??;
    let sealed = seal.seal(&fresh.der, &context(tenant, &fresh.kid));
    let row = tenant_tx(pool, tenant, "lti_keys", move |conn| {
        Box::pin(async move {
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtextextended('lti_keys ' || $1, 0))",
            )
            .bind::<Text, _>(tenant.to_string())
            .execute(conn)
            .await?;
            if let Some(kid) = unopenable {
                diesel::sql_query(
                    "UPDATE lti_keys SET retires_at = now()
                      WHERE tenant_id = $1 AND kid = $2 AND retires_at IS NULL",
                )
                .bind::<SqlUuid, _>(tenant.0)
                .bind::<Text, _>(kid)
                .execute(conn)
                .await?;
            }
            if let Some(won) = current(conn, tenant).await? {
                return Ok(won);
            }
            diesel::sql_query("DELETE FROM lti_keys WHERE tenant_id = $1 AND retires_at < now()")
                .bind::<SqlUuid, _>(tenant.0)
                .execute(conn)
                .await?;
            diesel::sql_query(
                "INSERT INTO lti_keys (tenant_id, kid, public_jwk, private_sealed)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind::<SqlUuid, _>(tenant.0)
            .bind::<Text, _>(&fresh.kid)
            .bind::<Jsonb, _>(&fresh.public_jwk)
            .bind::<Binary, _>(&sealed)
            .execute(conn)
            .await?;
            Ok(Sealed {
                kid: fresh.kid,
                private_sealed: sealed,
            })
        })
    })
    .await?;
    open(seal, tenant, &row)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a key sealed here does not open")))
}

#[derive(QueryableByName)]
struct Published {
    #[diesel(sql_type = Jsonb)]
    public_jwk: Value,
}

/// The public keys tools may verify with: the signing key and those still in their overlap.
pub async fn published(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
) -> Result<Vec<Value>, AppError> {
    let rows: Vec<Published> = diesel::sql_query(
        "SELECT public_jwk FROM lti_keys
          WHERE tenant_id = $1 AND (retires_at IS NULL OR retires_at > now())
          ORDER BY created_at DESC",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.public_jwk).collect())
}

/// Dates the school's current keys to retire after `overlap`; the next signing makes a new key.
/// Answers how many keys were dated.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    tenant: TenantId,
    by: &By,
    overlap: Duration,
) -> Result<usize, AppError> {
    let change = Change::new("lti.key_rotated", format!("school:{tenant}"))
        .after(serde_json::json!({ "overlap_seconds": overlap.as_secs() }));
    audit::record(conn, tenant, by, change).await?;
    Ok(diesel::sql_query(
        "UPDATE lti_keys SET retires_at = now() + make_interval(secs => $2)
          WHERE tenant_id = $1 AND retires_at IS NULL",
    )
    .bind::<SqlUuid, _>(tenant.0)
    .bind::<Double, _>(overlap.as_secs_f64())
    .execute(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_signs_what_its_published_half_verifies_and_opens_only_for_its_school() {
        let seal = SealKey::derive(b"secret", "lti platform keys");
        let (a, b) = (TenantId::new(), TenantId::new());
        let fresh = generate().unwrap();
        let row = Sealed {
            kid: fresh.kid.clone(),
            private_sealed: seal.seal(&fresh.der, &context(a, &fresh.kid)),
        };
        assert!(open(&seal, b, &row).is_none());
        let key = open(&seal, a, &row).unwrap();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        let token = jsonwebtoken::encode(
            &header,
            &json!({"sub": "x", "exp": 4_000_000_000u64}),
            &key.key,
        )
        .unwrap();
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(fresh.public_jwk).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_required_spec_claims(&["exp"]);
        let claims = jsonwebtoken::decode::<Value>(&token, &decoding, &v).unwrap();
        assert_eq!(claims.claims["sub"], "x");
        assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid.as_str()));
    }
}
