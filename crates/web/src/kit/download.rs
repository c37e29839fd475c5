//! Files handed out: always as a download (never shown inline, whatever their type), never
//! cached, and each recorded in the audit trail ([`crate::trail`]); photos, checked by content
//! when stored, shown inline.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A download response that browsers save rather than render.
pub fn attachment_response(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::error::urlencode(file_name).replace('/', "%2F");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let size = bytes.len() as u64;
    let mut res = (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response();
    // Every file that leaves is audited (crate::trail).
    res.extensions_mut().insert(crate::trail::Export {
        file_name: file_name.to_owned(),
        bytes: size,
    });
    res
}

/// A photo (its type recognised from its content when it was stored), shown inline.
pub fn photo_response(content_type: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The types a browser may show inline: images and PDFs, never anything that runs.
pub fn viewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf"
    )
}

/// A file shown in the browser (a preview): only a [`viewable`] type, in a sandbox that runs no
/// script and reaches nothing, never sniffed as another type; anything else is a download.
pub fn inline_response(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    if !viewable(content_type) {
        return attachment_response(file_name, content_type, bytes);
    }
    let mut res = attachment_response(file_name, content_type, bytes);
    let h = res.headers_mut();
    if let Some(d) = h
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
    {
        if let Ok(v) = d.replacen("attachment", "inline", 1).parse() {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    res
}
