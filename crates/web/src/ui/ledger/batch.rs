//! Batch work from the ledger: the rows ticked (or all that match the filter), one action, and a
//! page that shows each item's outcome: done, or refused and why.

use super::*;
use crate::kit::{batch_answer, BatchItemResult};

#[derive(Template)]
#[template(path = "ledger_batch.html")]
pub(super) struct BatchPage {
    pub(super) ctx: Ctx,
    pub(super) action_label: String,
    pub(super) done: usize,
    pub(super) refused: usize,
    pub(super) results: Vec<BatchItemResult>,
    pub(super) back: String,
}

/// The form of the ledger's batch bar: repeated `ids`, or `all=1` with the list's `filter`.
#[derive(Debug, Default)]
struct BatchForm {
    action: String,
    reason: String,
    note: String,
    ids: Vec<i64>,
    all: bool,
    filter: String,
}

impl BatchForm {
    fn parse(body: &[u8]) -> BatchForm {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut f = BatchForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "action" => f.action = v,
                "reason" => f.reason = v,
                "note" => f.note = v,
                "ids" => f.ids.extend(v.trim().parse::<i64>().ok()),
                "all" => f.all = v == "1",
                "filter" => f.filter = v,
                _ => {}
            }
        }
        f
    }
}

pub(super) async fn batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let f = BatchForm::parse(&body);
    let actor = &signed.actor;
    // The list the bar was on, to go back to and to resolve "all that match".
    let filter = f.filter.trim_start_matches('?');
    let mut q: LedgerQuery = serde_urlencoded::from_str(filter).unwrap_or_default();
    q.me = (q.mine.trim() == "1").then_some(signed.user.id);
    let back = if filter.is_empty() {
        "/ledger".to_owned()
    } else {
        format!("/ledger?{filter}")
    };
    let ids = if f.all {
        let within = match q.within_id() {
            Some(id) => Some(id),
            None => signed.scope_org_id,
        };
        items_svc::ids_matching(&state.svc, actor, item_query(&q.params(within))).await?
    } else {
        f.ids.clone()
    };
    if f.action == "export" {
        return export_selection(&state, &headers, &signed, ids).await;
    }
    let action = if f.action == "urge" {
        // The bar has one text field: the reason of a step, the note of an urge.
        let note = if f.note.trim().is_empty() {
            f.reason
        } else {
            f.note
        };
        items_svc::BatchAction::Urge { note }
    } else {
        match Action::from_parts(&f.action, &f.reason, Ok(None)) {
            Ok(a) => items_svc::BatchAction::Step(a),
            Err(_) => return Ok(crate::kit::see_refused_code(&back, "unknown_value")),
        }
    };
    let name = action.name();
    let outcomes = match items_svc::batch(&state.svc, actor, &ids, action).await {
        Ok(o) => o,
        Err(ServiceError::Validation(v)) => {
            // Nothing selected, too many, or the reason missing: back to the list, saying why.
            let code = v
                .errors
                .first()
                .map(|e| match (e.field.as_str(), e.code) {
                    ("reason", _) => "batch_reason_required",
                    ("ids", "required") => "batch_nothing_selected",
                    ("ids", _) => "batch_too_many",
                    _ => "validation_failed",
                })
                .unwrap_or("validation_failed");
            return Ok(crate::kit::see_refused_code(&back, code));
        }
        Err(e) => return Err(e.into()),
    };
    let ctx = Ctx::signed(&state, &headers, &signed, "ledger", "ledger-batch-title").await?;
    let answer = batch_answer(&state.i18n, ctx.lang, outcomes);
    let ledger = ctx.t("nav-ledger");
    let title = ctx.t("ledger-batch-title");
    let ctx = ctx.crumb(ledger, &back).crumb(title, "");
    Ok(render(&BatchPage {
        action_label: ctx.t(&format!("ledger-batch-action-{name}")),
        done: answer.done,
        refused: answer.refused,
        results: answer.results,
        back,
        ctx,
    }))
}

/// The selected items as a ledger workbook.
async fn export_selection(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    ids: Vec<i64>,
) -> Result<Response, ApiError> {
    if ids.is_empty() {
        return Ok(crate::kit::see_refused_code(
            "/ledger",
            "batch_nothing_selected",
        ));
    }
    let lang = lang_of(headers);
    let title = state.i18n.t(lang, "ledger-export-title");
    let q = ItemQuery {
        filter: ItemFilter {
            ids,
            ..Default::default()
        },
        ..Default::default()
    };
    let bytes = luodi_service::ledger::export(&state.svc, &signed.actor, q, &title).await?;
    Ok(attachment_response(
        &format!("{title}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
