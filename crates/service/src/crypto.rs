//! Sensitive fields at rest: SM4-GCM (GB/T 32907 in Galois/counter mode, as RFC 8998 uses it)
//! with a key from a file or the environment, never from the database.
//!
//! A sealed value is `sm4gcm1:` and the base64 of a random 12-byte nonce, the ciphertext and
//! the 16-byte tag. The column's name is the associated data, so a value moved to another
//! column does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use rand_core::{OsRng, RngCore};

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

const PREFIX: &str = "sm4gcm1:";

/// The key of the sensitive fields (16 bytes).
#[derive(Clone)]
pub struct FieldKey(Sm4Gcm);

impl std::fmt::Debug for FieldKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FieldKey(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FieldError {
    #[error("not a sealed value")]
    Format,
    #[error("the value does not open with this key (wrong key, other column, or altered)")]
    Open,
}

impl FieldKey {
    /// From exactly 16 bytes.
    pub fn new(key: &[u8]) -> Option<Self> {
        Sm4Gcm::new_from_slice(key).ok().map(Self)
    }

    /// A fresh random key, for tools and tests that keep nothing across runs.
    pub fn random() -> Self {
        let mut k = [0u8; 16];
        OsRng.fill_bytes(&mut k);
        match Self::new(&k) {
            Some(k) => k,
            None => unreachable!("16 bytes is an SM4 key"),
        }
    }

    pub fn seal(&self, column: &str, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: plain.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
        )
    }

    pub fn open(&self, column: &str, stored: &str) -> Result<String, FieldError> {
        let b64 = stored.strip_prefix(PREFIX).ok_or(FieldError::Format)?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(b64)
            .map_err(|_| FieldError::Format)?;
        if bytes.len() < 12 + 16 {
            return Err(FieldError::Format);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| FieldError::Format)?;
        let plain = self
            .0
            .decrypt(
                (&nonce).into(),
                Payload {
                    msg: sealed,
                    aad: column.as_bytes(),
                },
            )
            .map_err(|_| FieldError::Open)?;
        String::from_utf8(plain).map_err(|_| FieldError::Open)
    }

    /// Opens an optional stored value; one that does not open reads as absent (and is logged).
    pub fn open_opt(&self, column: &str, stored: Option<&str>) -> Option<String> {
        let s = stored.filter(|s| !s.is_empty())?;
        match self.open(column, s) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::error!(column, error = %e, "a sensitive field did not open");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn sm4_gcm_matches_rfc_8998() {
        // RFC 8998, appendix A.1 (SM4-GCM).
        let c = FieldKey::new(&unhex("0123456789ABCDEFFEDCBA9876543210")).expect("key");
        let nonce: [u8; 12] = unhex("00001234567800000000ABCD").try_into().expect("nonce");
        let out = c
            .0
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: &unhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"),
                    aad: &unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"),
                },
            )
            .expect("encrypt");
        assert_eq!(
            out,
            unhex("17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D83DE3541E4C2B58177E065A9BF7B62EC")
        );
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_column() {
        let k = FieldKey::random();
        let s = k.seal("users.phone", "13912345678");
        assert!(s.starts_with(PREFIX) && !s.contains("13912345678"));
        assert_ne!(
            s,
            k.seal("users.phone", "13912345678"),
            "a fresh nonce each time"
        );
        assert_eq!(k.open("users.phone", &s).as_deref(), Ok("13912345678"));
        assert_eq!(k.open("users.id_card", &s), Err(FieldError::Open));
        assert_eq!(
            FieldKey::random().open("users.phone", &s),
            Err(FieldError::Open)
        );
        let mut altered = s.clone();
        altered.pop();
        altered.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert!(k.open("users.phone", &altered).is_err());
        assert_eq!(
            k.open("users.phone", "13912345678"),
            Err(FieldError::Format)
        );
        assert!(FieldKey::new(&[0; 15]).is_none());
    }
}
