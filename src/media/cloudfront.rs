//! AWS CloudFront signed URLs with a canned policy: RSA-SHA1 (PKCS#1 v1.5) over the policy JSON,
//! laid out exactly as botocore's `CloudFrontSigner.generate_presigned_url` does, so the same key,
//! URL and expiry give the same bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use sha1::Sha1;

pub struct CloudFrontSigner {
    key_pair_id: String,
    key: SigningKey<Sha1>,
}

impl CloudFrontSigner {
    /// `pem` is the key pair's private key, PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8.
    pub fn new(key_pair_id: &str, pem: &str) -> anyhow::Result<Self> {
        let key = RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
            .map_err(|e| {
                anyhow::anyhow!("the CloudFront private key is not an RSA PEM key: {e}")
            })?;
        anyhow::ensure!(
            !key_pair_id.is_empty() && key_pair_id.bytes().all(|b| b.is_ascii_alphanumeric()),
            "the CloudFront key pair id must be letters and digits"
        );
        Ok(Self {
            key_pair_id: key_pair_id.to_owned(),
            key: SigningKey::new(key),
        })
    }

    /// `url` signed until `expires` (Unix seconds).
    pub fn sign(&self, url: &str, expires: u64) -> String {
        let policy = format!(
            r#"{{"Statement":[{{"Resource":{},"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}"#,
            serde_json::Value::from(url)
        );
        // Blinded (randomised) signing: PKCS#1 v1.5 output is the same, the timing is not.
        let signature = self
            .key
            .sign_with_rng(&mut rand_core::OsRng, policy.as_bytes())
            .to_vec();
        let signature: String = STANDARD
            .encode(signature)
            .chars()
            .map(|c| match c {
                '+' => '-',
                '=' => '_',
                '/' => '~',
                c => c,
            })
            .collect();
        let separator = if url.contains('?') { '&' } else { '?' };
        format!(
            "{url}{separator}Expires={expires}&Signature={signature}&Key-Pair-Id={}",
            self.key_pair_id
        )
    }
}
