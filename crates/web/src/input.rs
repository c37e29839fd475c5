//! Text that comes in must print: every field of a JSON body or a submitted form is refused
//! when it holds a control character other than tab and line breaks. Such characters print as
//! nothing, and no XML document may hold them, so one of them in a unit's submission once
//! broke the province's briefing for good. The services check the fields they validate too
//! (`Validation::printable`); this catches every field of every request before a handler runs.

use crate::error::{ApiError, Details};
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use luodi_domain::validate::first_control;
use luodi_domain::FieldError;

enum Kind {
    Json,
    Form,
}

fn kind(req: &Request<Body>) -> Option<Kind> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?
        .to_ascii_lowercase();
    if ct.starts_with("application/json") || ct.contains("+json") {
        Some(Kind::Json)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Some(Kind::Form)
    } else {
        None
    }
}

pub async fn refuse_control_characters(
    State(state): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let Some(kind) = kind(&req) else {
        return next.run(req).await;
    };
    let limit = state.config.max_upload_bytes as usize + 64 * 1024;
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => return body_error(e).into_response(),
    };
    let found = match kind {
        Kind::Json => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| in_json(&v, String::new())),
        Kind::Form => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| {
                pairs.into_iter().find_map(|(k, v)| {
                    first_control(&k)
                        .or_else(|| first_control(&v))
                        .map(|c| (k, c))
                })
            }),
    };
    if let Some((field, c)) = found {
        return ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            args: Vec::new(),
            details: Details::Fields(vec![FieldError {
                field,
                code: "control_characters",
                params: vec![("char", format!("U+{:04X}", u32::from(c)))],
            }]),
        }
        .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The first string of a JSON value (a key or a value) with a control character: its path and
/// the character.
fn in_json(v: &serde_json::Value, path: String) -> Option<(String, char)> {
    use serde_json::Value;
    match v {
        Value::String(s) => first_control(s).map(|c| (path, c)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| in_json(v, format!("{path}[{i}]"))),
        Value::Object(o) => o.iter().find_map(|(k, v)| {
            let here = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match first_control(k) {
                Some(c) => Some((here, c)),
                None => in_json(v, here),
            }
        }),
        _ => None,
    }
}

/// A body that could not be read whole: too large, or cut off.
fn body_error(e: axum::Error) -> ApiError {
    let cause = std::error::Error::source(&e);
    if cause.is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request_too_large")
    } else if is_timeout(&e) {
        ApiError::new(StatusCode::REQUEST_TIMEOUT, "request_timeout")
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "body_unreadable")
    }
}

/// Whether a body error is (somewhere down its chain) the body timeout.
fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<crate::serve::BodyTimeout>() {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::in_json;

    #[test]
    fn the_first_control_character_is_found_with_its_path() {
        let v = serde_json::json!({"title": "ok", "measures": ["a", "b\u{1b}c"], "n": 3});
        assert_eq!(
            in_json(&v, String::new()),
            Some(("measures[1]".into(), '\u{1b}'))
        );
        let v = serde_json::json!({"text": "第一行\n第二行\t缩进\r\n"});
        assert_eq!(in_json(&v, String::new()), None);
        let v = serde_json::json!({"a": {"b\u{8}": 1}});
        assert_eq!(
            in_json(&v, String::new()),
            Some(("a.b\u{8}".into(), '\u{8}'))
        );
    }
}
