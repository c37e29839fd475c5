//! Secrets: random values (tokens, nonces, one-time passwords), their SHA-256, and passwords
//! hashed with argon2id. Everything that signs, seals or signs in takes them from here.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::{ServiceError, ServiceResult};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(pw: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    OsRng.fill_bytes(&mut buf);
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// A random password that satisfies the password rule (shown once, changed at first login).
pub fn random_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"@#%+=!",
    ];
    let mut buf = [0u8; 16];
    OsRng.fill_bytes(&mut buf);
    buf.iter()
        .enumerate()
        .map(|(i, b)| {
            let set = SETS[i % 4];
            set[*b as usize % set.len()] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::password;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Luodi@2026").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Luodi@2026", &h));
        assert!(!verify_password("luodi@2026", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn random_passwords_pass_the_rule() {
        for _ in 0..50 {
            let p = random_password();
            for policy in [
                password::PasswordPolicy::Dengbao3,
                password::PasswordPolicy::Asvs,
            ] {
                assert_eq!(password::check(&p, "admin", policy), Ok(()), "{p}");
            }
        }
        assert_ne!(random_password(), random_password());
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(random_hex(32).len(), 64);
    }
}
