//! Time-based one-time passwords (RFC 6238 over RFC 4226), as authenticator apps make them:
//! HMAC-SHA1, 30-second steps, six digits. A code is accepted one step either side of now
//! (clocks drift), and only for a step after the last one accepted, so it works once.

use hmac::{KeyInit, Mac};

type HmacSha1 = hmac::Hmac<sha1::Sha1>;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The time step of a moment (seconds since the epoch).
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code for one step, `digits` long (RFC 4226 dynamic truncation).
pub fn code(secret: &[u8], step: i64, digits: u32) -> String {
    let mut m = match HmacSha1::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    m.update(&(step as u64).to_be_bytes());
    let h = m.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    let n = bin % 10u32.pow(digits);
    format!("{n:0width$}", width = digits as usize)
}

/// The step a typed code is good for at `unix_seconds`, if any: within one step of now and
/// after `last_used`. Spaces in the typed code are ignored.
pub fn accept(secret: &[u8], typed: &str, unix_seconds: i64, last_used: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    [now, now - 1, now + 1]
        .into_iter()
        .filter(|s| *s > last_used)
        .find(|s| constant_eq(code(secret, *s, DIGITS).as_bytes(), typed.as_bytes()))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((n >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

/// The inverse of [`base32`]; spaces, dashes and case are forgiven.
pub fn from_base32(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u64;
    let mut n = 0u32;
    let mut out = Vec::new();
    for c in s.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = ALPHABET
            .iter()
            .position(|a| *a as char == c.to_ascii_uppercase())?;
        bits = (bits << 5) | v as u64;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

/// The `otpauth://` address an authenticator app reads from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors() {
        for (t, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(RFC_SECRET, step_at(t), 8), expected, "T = {t}");
        }
        assert_eq!(code(RFC_SECRET, step_at(59), 6), "287082");
    }

    #[test]
    fn a_code_is_accepted_near_now_and_only_once() {
        let t = 1_234_567_890;
        let now = step_at(t);
        let c = code(RFC_SECRET, now, DIGITS);
        assert_eq!(accept(RFC_SECRET, &c, t, 0), Some(now));
        assert_eq!(accept(RFC_SECRET, &c[..3], t, 0), None);
        assert_eq!(
            accept(RFC_SECRET, &format!("{} {}", &c[..3], &c[3..]), t, 0),
            Some(now)
        );
        // Once used, not again.
        assert_eq!(accept(RFC_SECRET, &c, t, now), None);
        // The previous and next steps pass (drift); two steps away does not.
        let prev = code(RFC_SECRET, now - 1, DIGITS);
        assert_eq!(accept(RFC_SECRET, &prev, t, 0), Some(now - 1));
        let far = code(RFC_SECRET, now - 2, DIGITS);
        assert_ne!(far, c);
        assert_eq!(accept(RFC_SECRET, &far, t, 0), None);
        assert_eq!(accept(RFC_SECRET, "abcdef", t, 0), None);
    }

    #[test]
    fn base32_round_trips() {
        // RFC 4648 test vectors.
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(from_base32("mzxw6ytboi").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(
            from_base32("MZXW 6YTB OI======").as_deref(),
            Some(&b"foobar"[..])
        );
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(from_base32("not base32!").is_none());
        let uri = otpauth_uri("落地", "office", RFC_SECRET);
        assert!(
            uri.starts_with("otpauth://totp/%E8%90%BD%E5%9C%B0:office?secret=GEZDG"),
            "{uri}"
        );
    }
}
