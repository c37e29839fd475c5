//! Every refusal and failure becomes one `ApiError`: an HTTP status, a stable code and details.
//! `render_errors` turns it into `{code, message, details}` JSON (API) or an error page (UI),
//! in the user's language. This is the only place where errors meet HTTP.

use crate::i18n::{I18n, Lang};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use luodi_domain::FieldError;
use luodi_office::{CellError, ImportError};
use luodi_service::ServiceError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub enum Details {
    None,
    Fields(Vec<FieldError>),
    Rows(Vec<CellError>),
    Text(String),
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub details: Details,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        Self {
            status,
            code,
            args: Vec::new(),
            details: Details::None,
        }
    }
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.details = Details::Text(text.into());
        self
    }
    pub fn bad_request(code: &'static str, text: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code).with_text(text)
    }
    /// Nothing here: a page (or a route) that does not exist.
    pub fn not_found() -> Self {
        let mut e = Self::new(StatusCode::NOT_FOUND, "not_found");
        e.args.push(("what", "page".to_owned()));
        e
    }

    /// The error for a refusal answered without one (a route that does not exist, a method it
    /// does not take, a body axum's extractors could not read): its status, a code, and none
    /// of the text, which may echo the input or name internals.
    fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(status, "method_not_allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => Self::new(status, "request_too_large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(status, "unsupported_media_type"),
            StatusCode::UNAUTHORIZED => Self::new(status, "unauthenticated"),
            StatusCode::FORBIDDEN => Self::new(status, "forbidden"),
            StatusCode::REQUEST_TIMEOUT => Self::new(status, "request_timeout"),
            StatusCode::TOO_MANY_REQUESTS => Self::new(status, "too_many_requests"),
            s => Self::new(s, "bad_request"),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use StatusCode as S;
        match e {
            ServiceError::Unauthenticated => ApiError::new(S::UNAUTHORIZED, "unauthenticated"),
            ServiceError::BadCredentials => ApiError::new(S::UNAUTHORIZED, "bad_credentials"),
            ServiceError::AccountDisabled => ApiError::new(S::FORBIDDEN, "account_disabled"),
            ServiceError::AccountLocked => ApiError::new(S::FORBIDDEN, "account_locked"),
            ServiceError::AddressThrottled => {
                ApiError::new(S::TOO_MANY_REQUESTS, "too_many_sign_in_failures")
            }
            ServiceError::PasswordChangeRequired => {
                ApiError::new(S::FORBIDDEN, "password_change_required")
            }
            ServiceError::SecondFactorRequired => {
                ApiError::new(S::UNAUTHORIZED, "second_factor_required")
            }
            ServiceError::SecondFactorSetupRequired => {
                ApiError::new(S::FORBIDDEN, "second_factor_setup_required")
            }
            ServiceError::BadSecondFactor => ApiError::new(S::UNAUTHORIZED, "bad_second_factor"),
            ServiceError::Forbidden => ApiError::new(S::FORBIDDEN, "forbidden"),
            ServiceError::Refused(code) => ApiError::new(S::FORBIDDEN, code),
            ServiceError::NotFound(what) => {
                let mut a = ApiError::new(S::NOT_FOUND, "not_found");
                a.args.push(("what", what.to_owned()));
                a
            }
            ServiceError::Validation(v) => ApiError {
                status: S::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                args: Vec::new(),
                details: Details::Fields(v.errors),
            },
            ServiceError::Conflict(code) => ApiError::new(S::CONFLICT, code),
            ServiceError::TooSoon(code) => ApiError::new(S::TOO_MANY_REQUESTS, code),
            ServiceError::Stale { current } => {
                let mut a = ApiError::new(S::CONFLICT, "stale_version");
                a.args.push(("current", current.to_string()));
                a
            }
            ServiceError::Import(i) => import_error(i),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "storage error");
                ApiError::new(S::INTERNAL_SERVER_ERROR, "internal")
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                ApiError::new(S::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

fn import_error(e: ImportError) -> ApiError {
    use StatusCode as S;
    match e {
        ImportError::TooLarge { max_bytes } => {
            let mut a = ApiError::new(S::PAYLOAD_TOO_LARGE, "file_too_large");
            a.args
                .push(("max", format!("{} MiB", max_bytes / (1024 * 1024))));
            a
        }
        ImportError::UnsupportedType => {
            ApiError::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type")
        }
        ImportError::Unreadable(why) => {
            ApiError::new(S::UNPROCESSABLE_ENTITY, "unreadable_file").with_text(why)
        }
        ImportError::MissingColumn(col) => {
            let mut a = ApiError::new(S::UNPROCESSABLE_ENTITY, "missing_column");
            a.args.push(("column", col));
            a
        }
        ImportError::Empty => ApiError::new(S::UNPROCESSABLE_ENTITY, "empty_file"),
        ImportError::TooMuchText { max_mib } => {
            let mut a = ApiError::new(S::PAYLOAD_TOO_LARGE, "too_much_text");
            a.args.push(("max", format!("{max_mib} MiB")));
            a
        }
        ImportError::TooManyRows { max } => {
            let mut a = ApiError::new(S::PAYLOAD_TOO_LARGE, "too_many_rows");
            a.args.push(("max", max.to_string()));
            a
        }
        ImportError::Rows(rows) => ApiError {
            status: S::UNPROCESSABLE_ENTITY,
            code: "import_rows_invalid",
            args: vec![("count", rows.len().to_string())],
            details: Details::Rows(rows),
        },
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The body is written by `render_errors`, which knows the language and the kind of client.
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

#[derive(Serialize)]
pub struct FieldMessage {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct RowMessage {
    pub row: usize,
    pub column: String,
    pub header: String,
    pub code: &'static str,
    pub message: String,
}

/// An error in words, for JSON bodies and pages.
pub struct Explained {
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldMessage>,
    pub rows: Vec<RowMessage>,
    pub text: Option<String>,
}

pub fn field_message(
    i18n: &I18n,
    lang: Lang,
    code: &str,
    params: &[(&'static str, String)],
) -> String {
    i18n.tr(lang, &format!("err-{code}"), params)
}

pub fn explain(e: &ApiError, i18n: &I18n, lang: Lang) -> Explained {
    let mut args = e.args.clone();
    if e.code == "not_found" && !args.iter().any(|(k, _)| *k == "what") {
        args.push(("what", "page".to_owned()));
    }
    if let Some(what) = args.iter_mut().find(|(k, _)| *k == "what") {
        what.1 = i18n.t(lang, &format!("object-{}", what.1));
    }
    let mut out = Explained {
        code: e.code,
        message: i18n.tr(lang, &format!("err-{}", e.code), &args),
        fields: vec![],
        rows: vec![],
        text: None,
    };
    match &e.details {
        Details::None => {}
        Details::Text(t) => out.text = Some(t.clone()),
        Details::Fields(fs) => {
            out.fields = fs
                .iter()
                .map(|f| FieldMessage {
                    field: f.field.clone(),
                    code: f.code,
                    message: field_message(i18n, lang, f.code, &f.params),
                })
                .collect()
        }
        Details::Rows(rs) => {
            out.rows = rs
                .iter()
                .map(|r| RowMessage {
                    row: r.row,
                    column: r.column.clone(),
                    header: r.header.clone(),
                    code: r.code,
                    message: field_message(i18n, lang, r.code, &r.params),
                })
                .collect()
        }
    }
    out
}

pub fn json_body(x: &Explained) -> serde_json::Value {
    let mut details = serde_json::Map::new();
    if !x.fields.is_empty() {
        details.insert(
            "fields".into(),
            serde_json::to_value(&x.fields).unwrap_or_default(),
        );
    }
    if !x.rows.is_empty() {
        details.insert(
            "rows".into(),
            serde_json::to_value(&x.rows).unwrap_or_default(),
        );
    }
    if let Some(t) = &x.text {
        details.insert("reason".into(), serde_json::Value::String(t.clone()));
    }
    serde_json::json!({ "code": x.code, "message": x.message, "details": details })
}

fn wants_json(path: &str, accept: Option<&str>) -> bool {
    path.starts_with("/api/")
        || accept.is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// Writes error bodies: JSON for the API, a page (or a redirect to the login) for the UI.
pub async fn render_errors(
    State(state): State<AppState>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let lang = crate::request::lang_of(req.headers());
    let path = req.uri().path().to_owned();
    let path_q = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let json = wants_json(
        &path,
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let fragment = req.headers().contains_key("x-fragment");
    let mut res = next.run(req).await;
    let err = match res.extensions_mut().remove::<ApiError>() {
        Some(err) => err,
        // A refusal without a body of ours (axum's own 404, 405, 400 … in plain text, or
        // none): made one of ours. Pages and JSON bodies we wrote are left as they are.
        None if res.status().is_client_error() && !ours(&res) => ApiError::for_status(res.status()),
        None => return res,
    };
    let x = explain(&err, &state.i18n, lang);
    if json {
        let mut r = (err.status, axum::Json(json_body(&x))).into_response();
        if err.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return r;
    }
    if !fragment {
        if err.status == StatusCode::UNAUTHORIZED && err.code == "unauthenticated" {
            let next = urlencode(&path_q);
            return axum::response::Redirect::to(&format!("/login?next={next}")).into_response();
        }
        if err.code == "password_change_required" {
            return axum::response::Redirect::to("/password").into_response();
        }
        if err.code == "second_factor_required" {
            let next = urlencode(&path_q);
            return axum::response::Redirect::to(&format!("/login/totp?next={next}"))
                .into_response();
        }
        if err.code == "second_factor_setup_required" {
            return axum::response::Redirect::to("/account/totp").into_response();
        }
    }
    (
        err.status,
        Html(crate::kit::error_page(&state, lang, err.status, &x)),
    )
        .into_response()
}

/// Whether a response carries a body luodi wrote (a page or JSON), not a bare status or
/// axum's plain-text rejection.
fn ours(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| !ct.starts_with("text/plain"))
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
