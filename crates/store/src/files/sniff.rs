//! Recognising a kind by content: zip containers by their entry names, text that is not markup.

use super::*;

/// Classifies a zip by its entry names (central directory first, local headers as a fallback).
pub(super) fn sniff_zip(bytes: &[u8]) -> Kind {
    let mut found = ZipMarks::default();
    zip_central_names(bytes, &mut |name| found.see(name));
    if found.kind().is_none() {
        zip_local_names(bytes, &mut |name| found.see(name));
    }
    found.kind().unwrap_or(Kind::Zip)
}

/// Which tell-tale entries a zip holds.
#[derive(Default)]
pub(super) struct ZipMarks {
    pub(super) word: bool,
    pub(super) xl: bool,
    pub(super) ppt: bool,
    pub(super) ofd: bool,
}

impl ZipMarks {
    fn see(&mut self, name: &[u8]) {
        self.word |= name.starts_with(b"word/");
        self.xl |= name.starts_with(b"xl/");
        self.ppt |= name.starts_with(b"ppt/");
        self.ofd |= name.eq_ignore_ascii_case(b"OFD.xml");
    }

    fn kind(&self) -> Option<Kind> {
        if self.word {
            Some(Kind::Docx)
        } else if self.xl {
            Some(Kind::Xlsx)
        } else if self.ppt {
            Some(Kind::Pptx)
        } else if self.ofd {
            Some(Kind::Ofd)
        } else {
            None
        }
    }
}

/// Most entries looked at in one zip, so a crafted archive cannot make sniffing slow.
pub(super) const MAX_ZIP_ENTRIES: usize = 100_000;

/// Calls `see` with each entry name in the zip's central directory, as far as it parses.
pub(super) fn zip_central_names(bytes: &[u8], see: &mut dyn FnMut(&[u8])) {
    const EOCD: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    if bytes.len() < EOCD_LEN {
        return;
    }
    let last = bytes.len() - EOCD_LEN;
    let first = last.saturating_sub(u16::MAX as usize);
    let Some(eocd) = (first..=last)
        .rev()
        .find(|&i| bytes.get(i..i + 4) == Some(EOCD))
    else {
        return;
    };
    let (Some(cd_size), Some(cd_offset)) = (le32(bytes, eocd + 12), le32(bytes, eocd + 16)) else {
        return;
    };
    let mut pos = cd_offset as usize;
    let end = pos.saturating_add(cd_size as usize).min(bytes.len());
    for _ in 0..MAX_ZIP_ENTRIES {
        if pos + 46 > end || bytes.get(pos..pos + 4) != Some(b"PK\x01\x02") {
            return;
        }
        let (Some(n), Some(x), Some(c)) = (
            le16(bytes, pos + 28),
            le16(bytes, pos + 30),
            le16(bytes, pos + 32),
        ) else {
            return;
        };
        let name_start = pos + 46;
        let Some(name) = bytes.get(name_start..name_start + n as usize) else {
            return;
        };
        see(name);
        pos = name_start + n as usize + x as usize + c as usize;
    }
}

/// Calls `see` with each entry name found by walking local file headers from the start.
pub(super) fn zip_local_names(bytes: &[u8], see: &mut dyn FnMut(&[u8])) {
    let mut pos = 0usize;
    for _ in 0..MAX_ZIP_ENTRIES {
        if bytes.get(pos..pos + 4) != Some(b"PK\x03\x04") {
            return;
        }
        let (Some(flags), Some(csize), Some(n), Some(x)) = (
            le16(bytes, pos + 6),
            le32(bytes, pos + 18),
            le16(bytes, pos + 26),
            le16(bytes, pos + 28),
        ) else {
            return;
        };
        let name_start = pos + 30;
        let Some(name) = bytes.get(name_start..name_start + n as usize) else {
            return;
        };
        see(name);
        if flags & 0x08 != 0 && csize == 0 {
            // Size is in a trailing data descriptor: the next header cannot be found this way.
            return;
        }
        pos = name_start + n as usize + x as usize + csize as usize;
    }
}

pub(super) fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

pub(super) fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// UTF-8 (optionally with a BOM), no NUL or other binary control bytes, and not markup or
/// script.
pub(super) fn is_plain_text(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().any(|&b| is_binary_control(b)) {
        return false;
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    !looks_like_markup(text)
}

/// NUL and the other C0 control bytes (and DEL) that do not occur in text files; tab, line
/// breaks, form feed, escape and the DOS end-of-file mark are allowed.
pub(super) fn is_binary_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1a | 0x1b)) || b == 0x7f
}

/// HTML, SVG, XML or script: starts with `<` (after whitespace), or contains a tell-tale tag.
pub(super) fn looks_like_markup(text: &str) -> bool {
    if text.trim_start().starts_with('<') {
        return true;
    }
    let hay = text.as_bytes();
    [&b"<script"[..], b"<html", b"<svg", b"<!doctype"]
        .iter()
        .any(|needle| contains_ignore_ascii_case(hay, needle))
}

pub(super) fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A label for refused content, for the error message.
pub(super) fn describe_unknown(bytes: &[u8]) -> &'static str {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7FELF") {
        "executable"
    } else if !body.iter().any(|&b| is_binary_control(b)) && std::str::from_utf8(body).is_ok() {
        "markup or script"
    } else {
        "unknown"
    }
}
