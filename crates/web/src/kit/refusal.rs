//! A refused step shown on its own page again, with the reason and each field's message, under
//! the status of the refusal, and recorded in the audit trail ([`crate::trail`]). Refusals that
//! are not about the step (not found, failures) stay error pages.

use crate::error::{explain, ApiError, Explained};
use crate::i18n::{I18n, Lang};
use axum::http::StatusCode;
use axum::response::Response;
use std::future::Future;

/// Whether a refusal belongs on the page the step was taken on: the step's input or its moment
/// was refused (a plain "forbidden" is not the step's).
pub fn shown_on_page(err: &ApiError) -> bool {
    matches!(
        err.status,
        StatusCode::BAD_REQUEST
            | StatusCode::FORBIDDEN
            | StatusCode::CONFLICT
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
            | StatusCode::UNPROCESSABLE_ENTITY
    ) && err.code != "forbidden"
}

/// Shows `err` on its page: `page` renders it from the refusal in words and its status. Marks
/// the answer for the audit trail.
pub async fn reshow<Fut>(
    (i18n, lang): (&I18n, Lang),
    err: ApiError,
    page: impl FnOnce(Explained, StatusCode) -> Fut,
) -> Result<Response, ApiError>
where
    Fut: Future<Output = Result<Response, ApiError>>,
{
    if !shown_on_page(&err) {
        return Err(err);
    }
    let refusal = crate::trail::refusal_code(&err);
    let res = page(explain(&err, i18n, lang), err.status).await?;
    Ok(match refusal {
        Some(code) => crate::trail::mark_refused(res, code),
        None => res,
    })
}
