//! Field-level validation errors: each says which field is wrong and why, by a stable code that
//! the web layer turns into a message in the user's language.

use serde::Serialize;

/// One problem with one field. `code` is stable (e.g. `required`, `too_long`); `params` fill the
/// localized message (e.g. `max`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

/// Collects field errors; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &'static str) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code,
            params: Vec::new(),
        });
    }

    pub fn add_with(
        &mut self,
        field: &str,
        code: &'static str,
        params: Vec<(&'static str, String)>,
    ) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code,
            params,
        });
    }

    /// A required text of at most `max` characters, after trimming.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "required");
        } else {
            self.max_len(field, v, max);
        }
    }

    /// An optional text of at most `max` characters.
    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add_with(field, "too_long", vec![("max", max.to_string())]);
        }
        self.printable(field, value);
    }

    /// A text without control characters (tab and line breaks aside): they print as nothing,
    /// and no XML document (a .docx, an .xlsx) may hold them.
    pub fn printable(&mut self, field: &str, value: &str) {
        if let Some(c) = first_control(value) {
            self.add_with(
                field,
                "control_characters",
                vec![("char", format!("U+{:04X}", u32::from(c)))],
            );
        }
    }

    /// An optional e-mail address: one `@`, a dotted domain, no spaces, at most 254 characters.
    pub fn email(&mut self, field: &str, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        let ok = v.len() <= 254
            && !v
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'))
            && matches!(v.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if !ok {
            self.add(field, "bad_email");
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub fn into_result(self) -> Result<(), Validation> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn single(field: &str, code: &'static str) -> Self {
        let mut v = Self::new();
        v.add(field, code);
        v
    }
}

/// The first control character of `s` other than tab, line feed and carriage return.
pub fn first_control(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rule() {
        let check = |e: &str| {
            let mut v = Validation::new();
            v.email("email", e);
            v.is_empty()
        };
        assert!(check(""));
        assert!(check("sun.wei@jtt.ln.gov.cn"));
        assert!(!check("sun wei@jtt.ln.gov.cn"));
        assert!(!check("sunwei"));
        assert!(!check("a@b"));
        assert!(!check("a@@b.cn"));
        assert!(!check("@b.cn"));
        assert!(!check("a@b.cn, c@d.cn"));
    }

    #[test]
    fn control_characters_are_refused_but_tabs_and_line_breaks_are_text() {
        let mut v = Validation::new();
        v.text("title", "会议\x0b纪要", 100);
        v.max_len("text", "第一段\r\n\t第二段", 100);
        v.max_len("note", "\x1b[31m", 100);
        assert_eq!(v.errors.len(), 2);
        assert_eq!(v.errors[0].code, "control_characters");
        assert_eq!(v.errors[0].params, vec![("char", "U+000B".to_owned())]);
        assert!(v.has("note") && !v.has("text"));
        assert_eq!(first_control("a\u{85}b"), Some('\u{85}'));
    }

    #[test]
    fn text_rules() {
        let mut v = Validation::new();
        v.text("name", "  ", 10);
        v.text("code", "abcdefghijk", 10);
        v.text("ok", "省交通运输厅", 6);
        assert_eq!(v.errors.len(), 2);
        assert_eq!(v.errors[0].code, "required");
        assert_eq!(v.errors[1].code, "too_long");
        assert!(v.has("code") && !v.has("ok"));
    }
}
