//! Opaque bearer tokens: 256 random bits, base64url, with a prefix that says what they are
//! (`vss_` login session, `vst_` API token). Only their SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_PREFIX: &str = "vss_";
pub const API_PREFIX: &str = "vst_";

pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The part of a token that may be shown to identify it (prefix + 6 characters).
pub fn display_prefix(token: &str) -> String {
    token.chars().take(API_PREFIX.len() + 6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = generate(API_PREFIX);
        let b = generate(API_PREFIX);
        assert!(a.starts_with("vst_") && a.len() == 4 + 43);
        assert_ne!(a, b);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(display_prefix(&a).len(), 10);
    }
}
