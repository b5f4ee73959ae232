//! What EduFlow knows of each OpenID provider, and its calls to them. Per instance, a copy of
//! each issuer's discovery document (kept an hour) and its signing keys (JWKS): an id_token
//! signed with a key id the copy lacks fetches the keys again — how a provider's key rotation
//! reaches every instance — at most once per [`KEYS_REFRESH`] per issuer, so forged key ids
//! cannot make EduFlow hammer the provider. Concurrent misses for an issuer load once.
//!
//! Every call goes to an address [`crate::outbound`] allows (no loopback or private ones unless
//! the installation says so), follows no redirect, gives up after [`TIMEOUT`] and reads at most
//! [`LIMIT`] bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Provider, Refusal};
use crate::error::AppError;
use crate::i18n::Msg;
use crate::outbound;

pub const METADATA_TTL: Duration = Duration::from_secs(3600);
pub const KEYS_REFRESH: Duration = Duration::from_secs(10);
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const LIMIT: usize = 512 * 1024;

/// The parts of a provider's discovery document EduFlow uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// The token endpoint's answer.
#[derive(Debug, Deserialize)]
pub struct Tokens {
    pub id_token: String,
    #[serde(default)]
    pub access_token: Option<String>,
}

#[derive(Deserialize)]
struct ProviderError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

struct Known {
    metadata: Arc<Metadata>,
    fetched: Instant,
    keys: JwkSet,
    keys_fetched: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Known>>>;

pub struct Directory {
    allow_private: bool,
    issuers: Mutex<HashMap<String, Slot>>,
}

impl Directory {
    pub fn new(allow_private: bool) -> Self {
        Self {
            allow_private,
            issuers: Mutex::default(),
        }
    }

    fn slot(&self, issuer: &str) -> Slot {
        self.issuers
            .lock()
            .expect("issuers lock")
            .entry(issuer.to_owned())
            .or_default()
            .clone()
    }

    /// `issuer`'s discovery document, from the copy while it is fresh.
    pub async fn metadata(&self, issuer: &str) -> Result<Arc<Metadata>, AppError> {
        let slot = self.slot(issuer);
        let mut known = slot.lock().await;
        if let Some(k) = known
            .as_ref()
            .filter(|k| k.fetched.elapsed() < METADATA_TTL)
        {
            return Ok(k.metadata.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let metadata: Metadata = self.get(&url, None).await?;
        // A document naming another issuer is another provider's (OpenID Discovery §4.3).
        if metadata.issuer != issuer {
            return Err(upstream(
                issuer,
                anyhow::anyhow!("its discovery document names issuer {}", metadata.issuer),
            ));
        }
        let keys: JwkSet = self.get(&metadata.jwks_uri, None).await?;
        let metadata = Arc::new(metadata);
        *known = Some(Known {
            metadata: metadata.clone(),
            fetched: Instant::now(),
            keys,
            keys_fetched: Instant::now(),
        });
        Ok(metadata)
    }

    /// The key `kid` of `issuer` (the only key, when the token names none), fetching the keys
    /// again when the copy lacks it and was not fetched in the last [`KEYS_REFRESH`].
    pub async fn key(&self, issuer: &str, kid: Option<&str>) -> Result<DecodingKey, Refusal> {
        let slot = self.slot(issuer);
        let mut known = slot.lock().await;
        let Some(k) = known.as_mut() else {
            return Err(Refusal::BadIdToken(
                "the provider's keys are not known".into(),
            ));
        };
        if let Some(key) = pick(&k.keys, kid) {
            return key;
        }
        if k.keys_fetched.elapsed() >= KEYS_REFRESH {
            let url = k.metadata.jwks_uri.clone();
            match self.get::<JwkSet>(&url, None).await {
                Ok(keys) => {
                    k.keys = keys;
                    k.keys_fetched = Instant::now();
                }
                Err(e) => tracing::warn!(issuer, error = %e, "fetching the provider's keys failed"),
            }
            if let Some(key) = pick(&k.keys, kid) {
                return key;
            }
        }
        Err(Refusal::BadIdToken(format!(
            "it is signed with key {}, which the provider does not publish",
            kid.unwrap_or("(none named)")
        )))
    }

    /// Trades the authorization `code` for tokens (client_secret_basic, with the PKCE verifier).
    pub async fn tokens(
        &self,
        metadata: &Metadata,
        provider: &Provider,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<Result<Tokens, Refusal>, AppError> {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_verifier", verifier)
            .finish();
        // RFC 6749 §2.3.1: both halves form-encoded before Basic.
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let basic = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!(
                "{}:{}",
                enc(&provider.client_id),
                enc(&provider.client_secret.0)
            ),
        );
        let (status, body) = self
            .call(&metadata.token_endpoint, |c, url| {
                c.post(url)
                    .header("authorization", format!("Basic {basic}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(form.clone())
            })
            .await?;
        if status.is_client_error() {
            let refused = serde_json::from_slice::<ProviderError>(&body).map_or_else(
                |_| format!("HTTP {status}"),
                |e| match e.error_description {
                    Some(d) => format!("{} ({d})", e.error),
                    None => e.error,
                },
            );
            return Ok(Err(Refusal::ProviderError(refused)));
        }
        parse(&metadata.token_endpoint, status, &body).map(Ok)
    }

    /// The signed-in person's claims from the userinfo endpoint.
    pub async fn userinfo(
        &self,
        metadata: &Metadata,
        access_token: &str,
    ) -> Result<Option<serde_json::Map<String, serde_json::Value>>, AppError> {
        let Some(url) = &metadata.userinfo_endpoint else {
            return Ok(None);
        };
        self.get(url, Some(access_token)).await.map(Some)
    }

    /// A document at `url` as text (a SAML IdP's metadata), under the same rules as every call.
    pub async fn fetch_text(&self, url: &str) -> Result<String, AppError> {
        let (status, body) = self.call(url, |c, u| c.get(u)).await?;
        if !status.is_success() {
            return Err(upstream(url, anyhow::anyhow!("answered HTTP {status}")));
        }
        String::from_utf8(body).map_err(|_| upstream(url, anyhow::anyhow!("not UTF-8 text")))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, AppError> {
        let (status, body) = self
            .call(url, |c, url| {
                let r = c.get(url).header("accept", "application/json");
                match bearer {
                    Some(token) => r.bearer_auth(token),
                    None => r,
                }
            })
            .await?;
        parse(url, status, &body)
    }

    /// One request to `raw`, at the address it was checked to resolve to.
    async fn call(
        &self,
        raw: &str,
        build: impl FnOnce(&reqwest::Client, url::Url) -> reqwest::RequestBuilder,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), AppError> {
        let url = outbound::parse(raw).map_err(|e| upstream(raw, anyhow::anyhow!(e)))?;
        let addr = outbound::resolve(&url, self.allow_private)
            .await
            .map_err(|e| upstream(raw, anyhow::anyhow!(e)))?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .resolve(&host, addr)
            .build()
            .map_err(AppError::internal)?;
        let mut res = build(&client, url)
            .send()
            .await
            .map_err(|e| upstream(raw, e.without_url().into()))?;
        let status = res.status();
        let body = outbound::body_within(&mut res, LIMIT)
            .await
            .map_err(|e| upstream(raw, anyhow::anyhow!(e)))?;
        Ok((status, body))
    }
}

fn pick(keys: &JwkSet, kid: Option<&str>) -> Option<Result<DecodingKey, Refusal>> {
    outbound::key_in(keys, kid)
        .map(|key| key.map_err(|e| Refusal::BadIdToken(format!("the provider's {e}"))))
}

fn parse<T: DeserializeOwned>(
    url: &str,
    status: reqwest::StatusCode,
    body: &[u8],
) -> Result<T, AppError> {
    if !status.is_success() {
        return Err(upstream(url, anyhow::anyhow!("answered HTTP {status}")));
    }
    serde_json::from_slice(body)
        .map_err(|e| upstream(url, anyhow::anyhow!("unreadable answer ({e})")))
}

/// The provider at `url` failed: a 502 for the person, the cause in the log.
fn upstream(url: &str, cause: anyhow::Error) -> AppError {
    AppError::BadGateway(
        Msg::new("error-sso-unreachable"),
        cause.context(format!("identity provider {url}")),
    )
}
