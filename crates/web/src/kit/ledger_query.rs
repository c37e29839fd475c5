//! The query of a ledger list from its query string, shared by the API's list, the ledger page
//! and the exports.

use chrono::NaiveDate;
use luodi_service::items::ItemQuery;
use luodi_service::items::{ItemFilter, ItemSort};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemListParams {
    /// Only items whose responsible unit lies in this org's subtree.
    pub within: Option<i64>,
    pub campaign_id: Option<i64>,
    /// task or rectification
    pub kind: Option<String>,
    /// Comma-separated statuses; `open`, `done` and `in_play` name groups.
    pub status: Option<String>,
    /// green, yellow or red
    pub light: Option<String>,
    pub phase: Option<String>,
    pub source: Option<String>,
    pub lead_org_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    /// Text in the responsible person's name.
    pub person: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// normal, due_soon, overdue, closed_on_time or closed_late
    pub timeliness: Option<String>,
    /// By the original deadline (as the on-time rate counts), not the current one.
    pub original_due_from: Option<NaiveDate>,
    pub original_due_to: Option<NaiveDate>,
    /// Text in the title or description.
    pub q: Option<String>,
    pub parent_id: Option<i64>,
    /// Only measures of this programme area.
    pub programme_area_id: Option<i64>,
    /// `pending`: only items with an extension request awaiting a decision.
    pub extension: Option<String>,
    /// due_on (default), -due_on, updated, title
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The statuses of a comma-separated list, where `open` (still to deliver), `done` (closed or
/// verified) and `in_play` (both) name groups.
fn statuses(list: &str) -> Vec<String> {
    use luodi_domain::item::Status;
    let mut out: Vec<String> = Vec::new();
    for x in list.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let group: Vec<&str> = match x {
            "open" => Status::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| s.as_str())
                .collect(),
            "done" => Status::ALL
                .iter()
                .filter(|s| s.is_done())
                .map(|s| s.as_str())
                .collect(),
            "in_play" => Status::ALL
                .iter()
                .filter(|s| s.is_open() || s.is_done())
                .map(|s| s.as_str())
                .collect(),
            one => vec![one],
        };
        for s in group {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        }
    }
    out
}

/// The query of a ledger list, shared by the API, the pages and the exports.
pub fn item_query(p: &ItemListParams) -> ItemQuery {
    ItemQuery {
        within: p.within,
        filter: ItemFilter {
            campaign_id: p.campaign_id,
            kind: p.kind.clone(),
            statuses: p.status.as_deref().map(statuses).unwrap_or_default(),
            light: p.light.clone(),
            phase: p.phase.clone(),
            source: p.source.clone(),
            lead_org_id: p.lead_org_id,
            responsible_user_id: p.responsible_user_id,
            person: p.person.clone(),
            due_from: p.due_from,
            due_to: p.due_to,
            timeliness: p.timeliness.clone(),
            original_due_from: p.original_due_from,
            original_due_to: p.original_due_to,
            q: p.q.clone(),
            parent_id: p.parent_id,
            programme_area_id: p.programme_area_id,
            pending_extension: p.extension.as_deref() == Some("pending"),
            ..Default::default()
        },
        sort: match p.sort.as_deref() {
            Some("-due_on") => ItemSort::DueOnDesc,
            Some("updated") => ItemSort::Updated,
            Some("title") => ItemSort::Title,
            _ => ItemSort::DueOn,
        },
    }
}
