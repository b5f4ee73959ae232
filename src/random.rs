//! Random tokens and their digests: what sessions, single-use links, API tokens and sign-in
//! states are made of. A token is 256 random bits, base64url; the database keeps its SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    token_digest(token).to_vec()
}

/// The SHA-256 of a token, as the database stores it.
pub type TokenHash = [u8; 32];

/// A token's SHA-256, the key of a session in the database and in memory.
pub fn token_digest(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}
