//! Personal data kept on accounts: mobile phone numbers and resident ID-card numbers
//! (居民身份证号码, GB 11643). How each is checked, and how it is shown to those who do not
//! need it whole.

/// A mainland mobile number (11 digits starting 1) or a landline with area code
/// (`010-12345678`, `0411-8765432`, optional extension `-123`). Spaces and dashes are kept as
/// typed apart from trimming.
pub fn check_phone(s: &str) -> Result<String, &'static str> {
    let s = s.trim();
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+'))
    {
        return Err("bad_phone");
    }
    let mobile = digits.len() == 11 && digits.starts_with('1');
    let mobile_cc = digits.len() == 13 && digits.starts_with("861") && s.starts_with('+');
    let landline = digits.starts_with('0') && (10..=16).contains(&digits.len());
    if mobile || mobile_cc || landline {
        Ok(s.to_owned())
    } else {
        Err("bad_phone")
    }
}

/// An 18-character resident ID number: 17 digits and a check character (0-9 or X) by the
/// ISO 7064 MOD 11-2 rule of GB 11643, with a plausible birth date.
pub fn check_id_card(s: &str) -> Result<String, &'static str> {
    let s = s.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return Err("bad_id_card");
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if b[17] != CHECK[(sum % 11) as usize] {
        return Err("bad_id_card");
    }
    let birth = s.get(6..14).unwrap_or_default();
    if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() || birth < "19000101" {
        return Err("bad_id_card");
    }
    Ok(s)
}

/// `138****5678`: the first three and last four digits of a mobile number; a landline keeps
/// its area code and last four.
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n <= 7 {
        return "*".repeat(n);
    }
    let keep_front = if s.starts_with('0') {
        s.find(['-', ' ']).map_or(3, |i| i + 1).min(n - 4)
    } else {
        3
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_front || i >= n - 4 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// `110105**********2X`… the region (first six) and the last two characters, as ID numbers are
/// usually shown on public notices (出生日期 and sequence hidden).
pub fn mask_id_card(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 2 { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(check_phone(" 13912345678 "), Ok("13912345678".into()));
        assert!(check_phone("+86 139 1234 5678").is_ok());
        assert!(check_phone("0411-87654321").is_ok());
        assert!(check_phone("010-12345678-123").is_ok());
        assert_eq!(check_phone("12345"), Err("bad_phone"));
        assert_eq!(check_phone("23912345678"), Err("bad_phone"));
        assert_eq!(check_phone("1391234567a"), Err("bad_phone"));
        assert_eq!(mask_phone("13912345678"), "139****5678");
        assert_eq!(mask_phone("0411-87654321"), "0411-****4321");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn id_cards() {
        // The example number of GB 11643's annex.
        assert_eq!(
            check_id_card("11010519491231002x"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(check_id_card("110105194912310021"), Err("bad_id_card"));
        assert_eq!(check_id_card("11010519491331002X"), Err("bad_id_card"));
        assert_eq!(check_id_card("1101051949123100"), Err("bad_id_card"));
        assert_eq!(mask_id_card("11010519491231002X"), "110105**********2X");
    }
}
