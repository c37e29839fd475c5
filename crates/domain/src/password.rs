//! The password rules, as two presets. `dengbao3` (the default, after GB/T 22239 level 3): 8 to
//! 128 characters, three of four character classes, changed every 90 days. `asvs` (OWASP ASVS
//! level 2): 12 to 128 characters, no composition rule, no forced change. Both refuse common
//! passwords (a bundled list) and passwords containing the username. Hashing lives in the
//! service layer; this is only the rule.

use std::collections::HashSet;
use std::sync::OnceLock;

pub const MAX_LEN: usize = 128;

/// Which preset is in force (configuration `password_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordPolicy {
    #[default]
    Dengbao3,
    Asvs,
}

impl PasswordPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "dengbao3" => Some(Self::Dengbao3),
            "asvs" => Some(Self::Asvs),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dengbao3 => "dengbao3",
            Self::Asvs => "asvs",
        }
    }

    pub fn min_len(self) -> usize {
        match self {
            Self::Dengbao3 => 8,
            Self::Asvs => 12,
        }
    }

    /// Character classes (lower, upper, digit, other) a password must mix.
    pub fn classes(self) -> usize {
        match self {
            Self::Dengbao3 => 3,
            Self::Asvs => 0,
        }
    }

    /// After how many days a password must be changed, if ever.
    pub fn max_age_days(self) -> Option<i64> {
        match self {
            Self::Dengbao3 => Some(90),
            Self::Asvs => None,
        }
    }

    /// How many of an account's latest passwords (the current one included) a new one must
    /// differ from.
    pub fn history(self) -> usize {
        match self {
            Self::Dengbao3 => 5,
            Self::Asvs => 1,
        }
    }

    /// Whether a password set at `changed` must be changed by `now`.
    pub fn expired(
        self,
        changed: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        self.max_age_days()
            .is_some_and(|d| now - changed >= chrono::Duration::days(d))
    }
}

fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Whether `password` is on the bundled list of common passwords (case aside).
pub fn is_common(password: &str) -> bool {
    common().contains(password.to_lowercase().as_str())
}

/// The stable code of the first rule a password breaks under `policy`, if any.
pub fn check(password: &str, username: &str, policy: PasswordPolicy) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < policy.min_len() {
        return Err(match policy {
            PasswordPolicy::Dengbao3 => "password_too_short",
            PasswordPolicy::Asvs => "password_too_short_asvs",
        });
    }
    if n > MAX_LEN {
        return Err("password_too_long");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < policy.classes() {
        return Err("password_too_simple");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("password_contains_username");
    }
    if is_common(password) {
        return Err("password_too_common");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordPolicy::{Asvs, Dengbao3};

    #[test]
    fn dengbao3() {
        assert_eq!(check("Ab1!", "x", Dengbao3), Err("password_too_short"));
        assert_eq!(
            check("abcdefgh1", "x", Dengbao3),
            Err("password_too_simple")
        );
        assert_eq!(check("Luodi@2026", "admin", Dengbao3), Ok(()));
        assert_eq!(
            check("Admin@2026x", "admin", Dengbao3),
            Err("password_contains_username")
        );
        assert_eq!(
            check(&"aB3".repeat(43), "x", Dengbao3),
            Err("password_too_long")
        );
        assert_eq!(
            check(&"aB3".repeat(42), "x", Dengbao3),
            Ok(()),
            "126 characters"
        );
        assert_eq!(check("密码很安全Ab1", "x", Dengbao3), Ok(()));
        // Three classes, and still among the most used.
        assert_eq!(check("P@ssw0rd", "x", Dengbao3), Err("password_too_common"));
        assert_eq!(
            check("Password1", "x", Dengbao3),
            Err("password_too_common")
        );
    }

    #[test]
    fn asvs() {
        assert_eq!(
            check("Luodi@2026", "someone", Asvs),
            Err("password_too_short_asvs")
        );
        assert_eq!(
            check("correct horse battery", "someone", Asvs),
            Ok(()),
            "no composition rule"
        );
        assert_eq!(
            check("1qaz2wsx3edc", "someone", Asvs),
            Err("password_too_common")
        );
        assert_eq!(
            check(&"a".repeat(129), "someone", Asvs),
            Err("password_too_long")
        );
    }

    #[test]
    fn rotation_is_dengbao3_only() {
        let t0 = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("t");
        let later = t0 + chrono::Duration::days(90);
        assert!(!Dengbao3.expired(t0, later - chrono::Duration::seconds(1)));
        assert!(Dengbao3.expired(t0, later));
        assert!(!Asvs.expired(t0, t0 + chrono::Duration::days(3650)));
        assert_eq!(PasswordPolicy::parse("asvs"), Some(Asvs));
        assert_eq!(PasswordPolicy::parse("weak"), None);
    }

    #[test]
    fn the_list_is_loaded() {
        assert!(common().len() > 25_000);
        assert!(is_common("123456789") && is_common("QWERTY123"));
    }
}
