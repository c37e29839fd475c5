//! The password rule (the `dengbao3` preset): 8 to 128 characters, at least three of four
//! character classes. Hashing lives in the service layer; this is only the rule.

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// The stable code of the first rule a password breaks, if any.
pub fn check(password: &str, username: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err("password_too_short");
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
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err("password_too_simple");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("password_contains_username");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(check("Ab1!", "x"), Err("password_too_short"));
        assert_eq!(check("abcdefgh1", "x"), Err("password_too_simple"));
        assert_eq!(check("Luodi@2026", "admin"), Ok(()));
        assert_eq!(
            check("Admin@2026x", "admin"),
            Err("password_contains_username")
        );
        assert_eq!(check(&"aB3".repeat(43), "x"), Err("password_too_long"));
        assert_eq!(check("密码很安全Ab1", "x"), Ok(()));
    }
}
