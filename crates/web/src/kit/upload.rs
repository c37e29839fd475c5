//! Uploads: the `file` part of a multipart form, read up to a limit.

use crate::error::ApiError;
use axum::extract::Multipart;

/// Reads the multipart field `file` (name and bytes), refusing more than `max` bytes.
pub async fn read_upload(mut mp: Multipart, max: u64) -> Result<(String, Vec<u8>), ApiError> {
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request("bad_request", e.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_owned();
        let mut buf = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| ApiError::bad_request("bad_request", e.body_text()))?
        {
            if (buf.len() + chunk.len()) as u64 > max {
                return Err(luodi_service::ServiceError::Import(
                    luodi_office::ImportError::TooLarge { max_bytes: max },
                )
                .into());
            }
            buf.extend_from_slice(&chunk);
        }
        return Ok((name, buf));
    }
    Err(ApiError::bad_request(
        "bad_request",
        "multipart field `file` is missing",
    ))
}
