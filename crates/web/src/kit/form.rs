//! Forms: their field errors, versions read from hidden fields, the answers after a POST (a 303
//! with the flash key, or with why it was refused), and a refused form rendered again.

use super::{render, Ctx};
use crate::error::{field_message, ApiError};
use crate::i18n::{I18n, Lang};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use luodi_domain::org::OrgKind;
use luodi_domain::Validation;
use luodi_service::ServiceError;

/// The messages of a refused form: per form field, plus those that belong to no field shown.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub summary: Option<String>,
    pub fields: Vec<(String, String)>,
    pub others: Vec<String>,
}

impl FormErrors {
    /// All messages for `field`, joined; `None` if the field is fine.
    pub fn get(&self, field: &str) -> Option<String> {
        let msgs: Vec<&str> = self
            .fields
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.others.is_empty() && self.summary.is_none()
    }

    /// Adds the message for error `code` to `field`.
    pub fn add(
        &mut self,
        i18n: &I18n,
        lang: Lang,
        field: &str,
        code: &str,
        params: &[(&'static str, String)],
    ) {
        self.add_message(field, field_message(i18n, lang, code, params));
    }

    pub fn add_message(&mut self, field: &str, message: String) {
        self.fields.push((field.to_owned(), message));
    }

    /// Takes the errors of a service validation; `map` names the form field a service field is
    /// shown under (`None`: in the summary).
    pub fn absorb(
        &mut self,
        i18n: &I18n,
        lang: Lang,
        v: &Validation,
        map: impl Fn(&str) -> Option<String>,
    ) {
        for e in &v.errors {
            let msg = field_message(i18n, lang, e.code, &e.params);
            match map(&e.field) {
                Some(f) => self.fields.push((f, msg)),
                None => self.others.push(msg),
            }
        }
    }

    /// Sets the summary line; call once all errors are in.
    /// The errors of a form with one field: `field`'s under it, the rest above the form.
    pub fn of_field(i18n: &I18n, lang: Lang, v: &Validation, field: &str) -> Self {
        let mut errors = FormErrors::default();
        errors.absorb(i18n, lang, v, |f| (f == field).then(|| f.to_owned()));
        errors.finish(i18n, lang)
    }

    pub fn finish(mut self, i18n: &I18n, lang: Lang) -> Self {
        if !self.fields.is_empty() || !self.others.is_empty() {
            self.summary = Some(i18n.t(lang, "err-validation_failed"));
        }
        self
    }
}

/// `(value, label)` of every org kind, for selects.
pub fn kind_options(ctx: &Ctx) -> Vec<(String, String)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), ctx.kind(k.as_str())))
        .collect()
}

/// A version number from a hidden form field.
pub fn parse_version(s: &str) -> Result<i64, ApiError> {
    s.trim()
        .parse()
        .map_err(|_| ApiError::bad_request("bad_request", "version"))
}

/// A 303 redirect after a successful POST, with the flash key.
pub fn see_other(path: &str, ok: &str) -> Response {
    Redirect::to(&format!("{path}?ok={ok}")).into_response()
}

/// A 303 redirect after a refused POST that has no form to show again: the page says why. A
/// refusal of the actor (403) goes to the audit trail.
/// A refusal of one field names that field's reason; a stale version is `stale_version`.
pub fn see_refused(path: &str, e: ServiceError) -> Result<Response, ApiError> {
    if let ServiceError::Validation(v) = &e {
        if let [one] = v.errors.as_slice() {
            return Ok(see_refused_code(path, one.code));
        }
    }
    let api = ApiError::from(e);
    match api.status {
        StatusCode::CONFLICT | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY => {
            let res = see_refused_code(path, api.code);
            Ok(if api.status == StatusCode::FORBIDDEN {
                crate::trail::mark_refused(res, api.code)
            } else {
                res
            })
        }
        _ => Err(api),
    }
}

/// A 303 back to `path`, whose page says why the action was refused (`code`, an error code).
pub fn see_refused_code(path: &str, code: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}refused={code}")).into_response()
}

/// A page rendered with a status other than 200 (a refused form: 422).
pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    let mut res = render(t);
    if res.status() == StatusCode::OK {
        *res.status_mut() = status;
    }
    res
}

/// The field errors of a validation failure, or the error itself for anything else.
pub fn validation(e: ServiceError) -> Result<Validation, ApiError> {
    match e {
        ServiceError::Validation(v) => Ok(v),
        other => Err(other.into()),
    }
}
