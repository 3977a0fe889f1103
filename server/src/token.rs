//! Personal tokens and the keyed hash of the key attribute.
//!
//! A token is 128 bits from the operating system's random generator, written in URL-safe
//! base64 without padding (22 characters): it says nothing about the recipient and cannot be
//! guessed. The key attribute (usually the codice fiscale) is stored only as
//! HMAC-SHA256 under a secret generated with the database, so the row can be found again when
//! the recipient is published again, without the key being readable in the database.

use crate::StoreError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Random bytes per token.
pub const TOKEN_BYTES: usize = 16;
/// Bytes of the per-database secret.
pub const SECRET_BYTES: usize = 32;

/// Fills `buf` from the operating system's generator.
pub fn random(buf: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buf).map_err(|e| StoreError::Random(e.to_string()))
}

/// `n` new tokens (one call to the generator for all of them).
pub fn new_tokens(n: usize) -> Result<Vec<String>, StoreError> {
    let mut bytes = vec![0u8; n * TOKEN_BYTES];
    random(&mut bytes)?;
    Ok(bytes
        .chunks_exact(TOKEN_BYTES)
        .map(|c| URL_SAFE_NO_PAD.encode(c))
        .collect())
}

/// Whether `s` has the shape of a token (22 URL-safe base64 characters).
pub fn is_token(s: &str) -> bool {
    s.len() == 22
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The keyed hash of a key attribute's value.
#[derive(Clone)]
pub struct KeyHasher {
    mac: Hmac<Sha256>,
}

impl KeyHasher {
    /// A hasher under `secret`.
    pub fn new(secret: &[u8]) -> KeyHasher {
        // HMAC takes a key of any length: this cannot fail.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        KeyHasher { mac }
    }

    /// HMAC-SHA256 of `key` (32 bytes).
    pub fn hash(&self, key: &str) -> Vec<u8> {
        let mut m = self.mac.clone();
        m.update(key.as_bytes());
        m.finalize().into_bytes().to_vec()
    }
}

/// The version of a campaign's bytecode: its SHA-256, in hex.
pub fn version_of(bytecode: &[u8]) -> String {
    Sha256::digest(bytecode)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_url_safe_and_128_bits() {
        let t = new_tokens(1000).unwrap();
        let set: std::collections::HashSet<_> = t.iter().collect();
        assert_eq!(set.len(), 1000);
        assert!(t.iter().all(|s| is_token(s)), "{t:?}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&t[0]).unwrap().len(), 16);
    }

    #[test]
    fn key_hash_depends_on_the_secret() {
        let a = KeyHasher::new(b"one").hash("RSSMRA80A01H501U");
        let b = KeyHasher::new(b"two").hash("RSSMRA80A01H501U");
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_eq!(a, KeyHasher::new(b"one").hash("RSSMRA80A01H501U"));
    }
}
