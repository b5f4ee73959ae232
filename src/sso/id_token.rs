//! Checking an id_token (OpenID Connect Core §3.1.3.7): signed with an asymmetric algorithm by a
//! key the issuer publishes, from the expected issuer, for this client, not expired, carrying
//! the sign-in's nonce. `alg: none` and HMAC (shared-secret) tokens are refused outright.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::Refusal;

/// What the token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
}

/// The header fields that pick the key, read before any check.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub alg: Algorithm,
    pub kid: Option<String>,
}

const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Reads the token's header: its algorithm must be one EduFlow accepts.
pub fn head(token: &str) -> Result<Head, Refusal> {
    let bad = |why: &str| Refusal::BadIdToken(why.to_owned());
    let encoded = token.split('.').next().unwrap_or_default();
    let json = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| bad("its header is not base64url"))?;
    let header: Map<String, Value> =
        serde_json::from_slice(&json).map_err(|_| bad("its header is not JSON"))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg.eq_ignore_ascii_case("none") {
        return Err(bad("it is unsigned (alg: none)"));
    }
    let alg: Algorithm = alg
        .parse()
        .map_err(|_| Refusal::BadIdToken(format!("its algorithm `{alg}` is not supported")))?;
    if !ALLOWED.contains(&alg) {
        return Err(Refusal::BadIdToken(format!(
            "its algorithm {alg:?} is not accepted (asymmetric signatures only)"
        )));
    }
    let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
    Ok(Head { alg, kid })
}

/// Checks `token` with `key` (the issuer's key its header names) against `expected`; its claims.
pub fn verify(
    token: &str,
    head: &Head,
    key: &DecodingKey,
    expected: Expected<'_>,
) -> Result<Map<String, Value>, Refusal> {
    let mut v = Validation::new(head.alg);
    v.set_issuer(&[expected.issuer]);
    v.set_audience(&[expected.client_id]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.leeway = 60;
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &v).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind as K;
        Refusal::BadIdToken(match e.kind() {
            K::InvalidSignature => "its signature does not verify with the provider's key".into(),
            K::ExpiredSignature => "it has expired".into(),
            K::InvalidIssuer => "it was issued by another issuer".into(),
            K::InvalidAudience => "it is meant for another client (audience)".into(),
            K::MissingRequiredClaim(c) => format!("it lacks the `{c}` claim"),
            other => format!("{other:?}"),
        })
    })?;
    let claims = data.claims;
    // Several audiences: the authorized party must be this client (Core §3.1.3.7 items 4-5).
    if let Some(Value::Array(auds)) = claims.get("aud") {
        if auds.len() > 1 && claims.get("azp").and_then(Value::as_str) != Some(expected.client_id) {
            return Err(Refusal::BadIdToken(
                "it names several audiences and another authorized party".into(),
            ));
        }
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(Refusal::BadIdToken(
            "its nonce is not this sign-in's (a replayed token)".into(),
        ));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header, encode};

    const KEY_A: &str = include_str!("../../tests/fixtures/sso/key-a.pem");
    const KEY_B: &str = include_str!("../../tests/fixtures/sso/key-b.pem");

    fn sign(pem: &str, claims: Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("a".into());
        encode(
            &header,
            &claims,
            &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    fn public_a() -> DecodingKey {
        let private = EncodingKey::from_ec_pem(KEY_A.as_bytes()).unwrap();
        DecodingKey::from_jwk(&Jwk::from_encoding_key(&private, Algorithm::ES256).unwrap()).unwrap()
    }

    fn claims(change: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut c = serde_json::json!({
            "iss": "https://id.example.org", "aud": "eduflow", "sub": "s1",
            "exp": now + 300, "iat": now, "nonce": "n1",
        });
        change(c.as_object_mut().unwrap());
        c
    }

    fn check(token: &str) -> Result<Map<String, Value>, Refusal> {
        let h = head(token)?;
        verify(
            token,
            &h,
            &public_a(),
            Expected {
                issuer: "https://id.example.org",
                client_id: "eduflow",
                nonce: "n1",
            },
        )
    }

    fn refused(token: &str, why: &str) {
        match check(token) {
            Err(Refusal::BadIdToken(m)) => assert!(m.contains(why), "{m} (wanted {why})"),
            other => panic!("accepted or wrong refusal: {other:?}"),
        }
    }

    #[test]
    fn a_good_token_gives_its_claims() {
        let c = check(&sign(KEY_A, claims(|_| {}))).unwrap();
        assert_eq!(c["sub"], "s1");
    }

    #[test]
    fn every_listed_flaw_is_refused() {
        refused(&sign(KEY_B, claims(|_| {})), "signature");
        refused(
            &sign(
                KEY_A,
                claims(|c| {
                    c.insert("exp".into(), (chrono::Utc::now().timestamp() - 3600).into());
                }),
            ),
            "expired",
        );
        refused(
            &sign(
                KEY_A,
                claims(|c| {
                    c.insert("iss".into(), "https://other.example.org".into());
                }),
            ),
            "another issuer",
        );
        refused(
            &sign(
                KEY_A,
                claims(|c| {
                    c.insert("aud".into(), "someone-else".into());
                }),
            ),
            "audience",
        );
        refused(
            &sign(
                KEY_A,
                claims(|c| {
                    c.insert("nonce".into(), "n2".into());
                }),
            ),
            "nonce",
        );
        refused(
            &sign(
                KEY_A,
                claims(|c| {
                    c.insert("aud".into(), serde_json::json!(["eduflow", "x"]));
                    c.insert("azp".into(), "x".into());
                }),
            ),
            "authorized party",
        );
        // alg none: the claims of a good token, no signature.
        let good = sign(KEY_A, claims(|_| {}));
        let payload = good.split('.').nth(1).unwrap();
        let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#));
        refused(&none, "alg: none");
        let hs = encode(
            &Header::new(Algorithm::HS256),
            &claims(|_| {}),
            &EncodingKey::from_secret(b"client-secret").unwrap(),
        )
        .unwrap();
        refused(&hs, "asymmetric");
        refused("not a token", "header");
    }
}
