//! The keys tools sign with (client assertions, deep-linking answers), from the JWKS URL each
//! registered, or the one key it registered. Per instance, a copy of each URL's key set: a token
//! naming a key id the copy lacks fetches the set again — how a tool's key rotation reaches every
//! instance — at most once per [`REFRESH`] per URL, so forged key ids cannot make EduFlow hammer
//! the tool. Concurrent misses for a URL fetch once. Fetches go only where [`crate::outbound`]
//! allows, follow no redirect, give up after [`TIMEOUT`] and read at most [`LIMIT`] bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{Jwk, JwkSet};

use super::tools::KeySource;
use crate::outbound;

pub const REFRESH: Duration = Duration::from_secs(10);
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const LIMIT: usize = 256 * 1024;

struct Copy {
    keys: JwkSet,
    fetched: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Copy>>>;

pub struct ToolKeys {
    allow_private: bool,
    sets: Mutex<HashMap<String, Slot>>,
    clients: outbound::Clients,
}

impl ToolKeys {
    pub fn new(allow_private: bool) -> Self {
        Self {
            allow_private,
            sets: Mutex::default(),
            clients: outbound::Clients::new("EduFlow-LTI"),
        }
    }

    fn slot(&self, url: &str) -> Slot {
        let mut sets = self.sets.lock().expect("key sets lock");
        if sets.len() >= 10_000 {
            sets.clear();
        }
        sets.entry(url.to_owned()).or_default().clone()
    }

    /// The tool's key `kid` (its only key, when the token names none); why not, in words.
    pub async fn key(&self, source: &KeySource, kid: Option<&str>) -> Result<DecodingKey, String> {
        let url = match source {
            KeySource::Static(jwk) => {
                let jwk: Jwk = serde_json::from_value(jwk.clone())
                    .map_err(|_| "the tool's registered key is unusable".to_owned())?;
                if let (Some(want), Some(have)) = (kid, jwk.common.key_id.as_deref())
                    && want != have
                {
                    return Err(format!(
                        "it is signed with key {want}, not the tool's registered key"
                    ));
                }
                return DecodingKey::from_jwk(&jwk)
                    .map_err(|e| format!("the tool's key is unusable ({e})"));
            }
            KeySource::Url(url) => url,
        };
        let slot = self.slot(url);
        let mut copy = slot.lock().await;
        if let Some(key) = copy.as_ref().and_then(|c| pick(&c.keys, kid)) {
            return key;
        }
        if copy.as_ref().is_none_or(|c| c.fetched.elapsed() >= REFRESH) {
            match self.fetch(url).await {
                Ok(keys) => {
                    *copy = Some(Copy {
                        keys,
                        fetched: Instant::now(),
                    })
                }
                Err(e) => {
                    tracing::warn!(url, error = %e, "fetching an LTI tool's keys failed");
                    return Err(format!("the tool's keys could not be fetched ({e})"));
                }
            }
            if let Some(key) = copy.as_ref().and_then(|c| pick(&c.keys, kid)) {
                return key;
            }
        }
        Err(format!(
            "it is signed with key {}, which the tool does not publish",
            kid.unwrap_or("(none named)")
        ))
    }

    async fn fetch(&self, raw: &str) -> Result<JwkSet, String> {
        tokio::time::timeout(TIMEOUT, async {
            let url = outbound::parse(raw)?;
            let addr = outbound::resolve(&url, self.allow_private).await?;
            let host = url.host_str().unwrap_or_default().to_owned();
            let client = self.clients.get(&host, addr, TIMEOUT)?;
            let mut res = client
                .get(url)
                .header("accept", "application/json")
                .send()
                .await
                .map_err(|e| outbound::without_url(&e))?;
            if !res.status().is_success() {
                return Err(format!("it answered HTTP {}", res.status()));
            }
            let body = outbound::body_within(&mut res, LIMIT).await?;
            serde_json::from_slice(&body).map_err(|e| format!("its answer is not a key set ({e})"))
        })
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", TIMEOUT.as_secs())))
    }
}

fn pick(keys: &JwkSet, kid: Option<&str>) -> Option<Result<DecodingKey, String>> {
    outbound::key_in(keys, kid).map(|key| key.map_err(|e| format!("the tool's {e}")))
}
