//! The outcome of batch work, item by item, as the API answers it and the ledger page shows it.

use crate::error::{explain, ApiError};
use crate::i18n::{I18n, Lang};
use luodi_service::items::BatchOutcome;
use serde::Serialize;
use utoipa::ToSchema;

/// One item's outcome in a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchItemResult {
    pub id: i64,
    pub title: String,
    pub ok: bool,
    /// Why it was refused: a stable code …
    pub code: Option<String>,
    /// … and the reason in the reader's language.
    pub message: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchAnswer {
    pub done: usize,
    pub refused: usize,
    pub results: Vec<BatchItemResult>,
}

/// The answer to a batch, each refusal explained in `lang`.
pub fn batch_answer(i18n: &I18n, lang: Lang, outcomes: Vec<BatchOutcome>) -> BatchAnswer {
    let results: Vec<BatchItemResult> = outcomes
        .into_iter()
        .map(|o| match o.result {
            Ok(()) => BatchItemResult {
                id: o.id,
                title: o.title,
                ok: true,
                code: None,
                message: None,
            },
            Err(e) => {
                let x = explain(&ApiError::from(e), i18n, lang);
                BatchItemResult {
                    id: o.id,
                    title: o.title,
                    ok: false,
                    code: Some(x.code.to_owned()),
                    message: Some(x.message),
                }
            }
        })
        .collect();
    let done = results.iter().filter(|r| r.ok).count();
    BatchAnswer {
        done,
        refused: results.len() - done,
        results,
    }
}
