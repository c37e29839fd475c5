//! Names and hashes: what may become a path, and what a stored name looks like.

use super::*;

pub(super) fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

pub(super) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(is_lower_hex)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}

/// Characters [`sanitise_name`] drops.
pub(super) fn is_unsafe_name_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '"' | '\'' | '`' | '<' | '>' | ':' | '|' | '?' | '*')
        // Invisible formatting characters, notably bidi overrides that disguise extensions.
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// The extension of a sanitised name (after the last dot, with a non-empty stem).
pub(super) fn extension_of(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then_some(ext)
}

/// Cuts a name to [`MAX_NAME_CHARS`], keeping a short extension.
pub(super) fn truncate_name(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    match extension_of(name) {
        Some(ext) if ext.chars().count() <= 16 => {
            let stem_len = name.len() - ext.len() - 1;
            fit_name(&name[..stem_len], ext)
        }
        _ => name.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// `stem.ext`, with the stem cut so the whole stays within [`MAX_NAME_CHARS`].
pub(super) fn fit_name(stem: &str, ext: &str) -> String {
    let room = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    let stem = if stem.is_empty() { "file" } else { stem };
    format!("{stem}.{ext}")
}
