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
