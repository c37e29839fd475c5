//! Weekly bulletin pages (每周一通报): the list with the form that computes a scope's bulletin for
//! an ISO week, and a bulletin's page: the summary, the ranking with the figures behind each
//! score and the proposed interviews, the named lists, a bar chart of the scores drawn as
//! server-side SVG (geometry in SVG attributes, colours in the stylesheet), the downloads, and
//! the form that publishes a draft. A published bulletin never changes.

mod list;
mod show;

use list::*;
use show::*;

use super::reports::{campaign_options, default_org_code, supervised_org, Zones};
use super::{opt_id, Ctx};
use super::{render_status, see_other, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::bulletin::{Figures, ScoringRules};
use luodi_domain::cadence::parse_iso_week;
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::bulletins::{self as bulletins_svc, BulletinView};
use luodi_service::campaigns as campaigns_svc;
use luodi_service::orgs as orgs_svc;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bulletins", get(list_page).post(compute))
        .route("/bulletins/{id}", get(show))
        .route("/bulletins/{id}/publish", post(publish))
}

// --- Helpers ---------------------------------------------------------------------------------

/// A rate as the bulletin prints it (see [`luodi_domain::bulletin::percent`]).
fn pct(rate: Option<f64>) -> String {
    luodi_domain::bulletin::percent(rate)
}

/// One reason of an interview proposal as a sentence, quoting its figures as the bulletin's row
/// shows them; the interviews pages say it the same way.
pub(crate) fn reason_text(ctx: &Ctx, r: &serde_json::Value) -> Option<String> {
    let n = |k: &str| r[k].as_i64().unwrap_or(0);
    match r.get("reason")?.as_str()? {
        "red_items" => Some(ctx.tr(
            "bulletins-reason-red-items",
            &[("count", n("count").to_string())],
        )),
        // Proposals made before the window's counts were recorded carry the rate alone.
        "low_punctuality" if n("weeks") == 0 => Some(ctx.tr(
            "bulletins-reason-low-punctuality",
            &[("rate", pct(r["rate"].as_f64()))],
        )),
        "low_punctuality" => Some(ctx.tr(
            "bulletins-reason-low-punctuality-window",
            &[
                ("weeks", n("weeks").to_string()),
                ("rate", pct(r["rate"].as_f64())),
                ("due", n("due").to_string()),
                ("on_time", n("on_time").to_string()),
            ],
        )),
        _ => None,
    }
}

/// A score as the bulletin prints it: one decimal at most.
fn score_text(s: f64) -> String {
    if (s - s.round()).abs() < 0.05 {
        format!("{}", s.round() as i64)
    } else {
        format!("{s:.1}")
    }
}

fn status_tag(ctx: &Ctx, s: &str) -> (String, &'static str) {
    let class = if s == "published" {
        "tag-green"
    } else {
        "tag-amber"
    };
    (ctx.t(&format!("bulletins-status-{s}")), class)
}

/// Names of scope orgs, looked up once each; `#id` for an org the reader cannot see.
#[derive(Default)]
struct OrgNames(HashMap<i64, Option<(String, String)>>);

impl OrgNames {
    async fn get(&mut self, state: &AppState, actor: &Actor, id: i64) -> Option<(String, String)> {
        match self.0.entry(id) {
            Entry::Occupied(e) => e.get().clone(),
            Entry::Vacant(e) => {
                let o = orgs_svc::get(&state.svc, actor, id)
                    .await
                    .ok()
                    .map(|o| (o.name, o.code));
                e.insert(o).clone()
            }
        }
    }

    async fn name(&mut self, state: &AppState, actor: &Actor, id: i64) -> String {
        self.get(state, actor, id)
            .await
            .map(|(n, _)| n)
            .unwrap_or_else(|| format!("#{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_scores_print_plainly() {
        assert_eq!(pct(None), "\u{2014}");
        assert_eq!(pct(Some(0.5)), "50%");
        assert_eq!(pct(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(score_text(100.0), "100");
        assert_eq!(score_text(97.5), "97.5");
        assert_eq!(score_text(-3.0), "-3");
    }

    #[test]
    fn long_names_fit_the_chart() {
        assert_eq!(fit("港航管理处", 10.0), "港航管理处");
        let cut = fit("辽宁省交通运输厅厅机关第一党支部及其所属全部单位", 10.0);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 10);
    }
}
