//! Uploads: the `file` part of a multipart form, read up to a limit.

use crate::error::ApiError;
use axum::extract::Multipart;

/// Reads the multipart field `file` (name and bytes), refusing more than `max` bytes.
pub async fn read_upload(mp: Multipart, max: u64) -> Result<(String, Vec<u8>), ApiError> {
    let mut files = read_uploads(mp, max).await?;
    // read_uploads answers at least one file or an error.
    Ok(files.swap_remove(0))
}

/// Reads every multipart field `file` (several files in one upload), at most `max` bytes in all.
pub async fn read_uploads(mut mp: Multipart, max: u64) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut out = Vec::new();
    let mut total: u64 = 0;
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
            total += chunk.len() as u64;
            if total > max {
                return Err(luodi_service::ServiceError::Import(
                    luodi_office::ImportError::TooLarge { max_bytes: max },
                )
                .into());
            }
            buf.extend_from_slice(&chunk);
        }
        // A form sent with no file chosen carries one empty, nameless part.
        if buf.is_empty() && name.is_empty() {
            continue;
        }
        out.push((name, buf));
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "bad_request",
            "multipart field `file` is missing",
        ));
    }
    Ok(out)
}
