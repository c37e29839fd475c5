//! Situation report pages (情况汇报) and work rules (工作制度): the list of reports with their
//! state against the cut-off, a report's page with the figures luodi pre-fills (a fact is
//! entered once) and the three texts a unit writes, the supervising org's review, and the work
//! rules with the form that sets one up (a reporting rule opens the current period at once).

mod list;
mod report;
mod rules;
mod steps;

use list::*;
use report::*;
use rules::*;
use steps::*;

use super::{export_href, export_page, opt_id, query_base, render, xlsx_list, Ctx, Pager};
use super::{kind_options, pager_info, parse_version, render_status, see_other};
use super::{validation, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, NaiveTime, Utc};
use luodi_domain::bulletin::{report_state, ReportState};
use luodi_domain::cadence::Cadence;
use luodi_domain::org::OrgKind;
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns as campaigns_svc;
use luodi_service::items::{self as items_svc, ItemRules};
use luodi_service::orgs as orgs_svc;
use luodi_service::reports::{self as reports_svc, ReportTexts, RuleInput, RULE_KINDS};
use luodi_service::reports::{Report, ReportFilter};
use luodi_service::Page;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(list_page))
        .route("/reports/export.xlsx", get(export))
        .route("/reports/{id}", get(report_page).post(write))
        .route("/reports/{id}/review", post(review))
        .route("/rules", get(rules_page).post(create_rule))
        .route("/rules/new", get(new_rule_page))
}

const PER_PAGE: i64 = 50;
const STATUSES: [&str; 6] = [
    "to_write",
    "open",
    "draft",
    "submitted",
    "accepted",
    "sent_back",
];
const CADENCE_KINDS: [&str; 3] = ["weekly", "monthly", "cron"];

// --- Helpers ---------------------------------------------------------------------------------

/// The campaigns the actor reads, as `(id, name)`, for selects.
pub(super) async fn campaign_options(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>, ApiError> {
    if !actor.can_somewhere(Permission::ReadCampaigns) {
        return Ok(Vec::new());
    }
    Ok(
        campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
    )
}

/// The code of the org the user stands in, or of their only root (the default of org fields).
pub(super) async fn default_org_code(state: &AppState, signed: &SignedIn) -> String {
    let actor = &signed.actor;
    if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            return o.code;
        }
    }
    match orgs_svc::children(&state.svc, actor, None, false).await {
        Ok(roots) => match roots.as_slice() {
            [only] => only.org.code.clone(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// The org of `code` if the actor may supervise there; otherwise the field's error.
pub(super) async fn supervised_org(
    state: &AppState,
    ctx_lang: crate::i18n::Lang,
    actor: &Actor,
    errors: &mut FormErrors,
    field: &str,
    code: &str,
) -> Result<Option<luodi_service::orgs::Org>, ApiError> {
    let i18n = &state.i18n;
    let code = code.trim();
    if code.is_empty() {
        errors.add(i18n, ctx_lang, field, "required", &[]);
        return Ok(None);
    }
    match orgs_svc::get_by_code(&state.svc, actor, code).await {
        Ok(o) if actor.can(Permission::SuperviseItems, &o.path) => Ok(Some(o)),
        Ok(o) => {
            errors.add_message(
                field,
                i18n.tr(ctx_lang, "rules-org-refused", &[("value", o.name)]),
            );
            Ok(None)
        }
        Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
            errors.add(i18n, ctx_lang, field, "unknown_org", &[]);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The time rules of campaigns, loaded once each, to show instants in the campaign's zone.
#[derive(Default)]
pub(super) struct Zones {
    pub(super) by_campaign: HashMap<i64, Option<ItemRules>>,
    pub(super) campaign_of_rule: HashMap<i64, Option<i64>>,
}

impl Zones {
    /// Loads the zone of `campaign_id` (UTC when its rules cannot be read).
    pub(super) async fn load(&mut self, state: &AppState, campaign_id: i64) {
        if self.by_campaign.contains_key(&campaign_id) {
            return;
        }
        let rules = items_svc::campaign_rules(&state.svc, campaign_id)
            .await
            .ok();
        self.by_campaign.insert(campaign_id, rules);
    }

    /// Loads the zone of the campaign of work rule `rule_id` (the report is already readable).
    async fn load_rule(&mut self, state: &AppState, rule_id: i64) {
        let campaign = match self.campaign_of_rule.entry(rule_id) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let campaign = luodi_service::reports::campaign_of_rule(&state.svc, rule_id)
                    .await
                    .ok()
                    .flatten();
                *e.insert(campaign)
            }
        };
        if let Some(cid) = campaign {
            self.load(state, cid).await;
        }
    }

    /// `t` to the minute in the zone of `campaign_id`, with the zone named.
    pub(super) fn show(&self, ctx: &Ctx, campaign_id: Option<i64>, t: &DateTime<Utc>) -> String {
        let rules = campaign_id.and_then(|c| self.by_campaign.get(&c).and_then(Option::as_ref));
        match rules {
            Some(r) => {
                let local = t.with_timezone(&r.tz);
                let name = r.tz.name();
                let zone = if name == "Asia/Shanghai" {
                    ctx.t("reports-beijing-time")
                } else {
                    name.to_owned()
                };
                ctx.tr(
                    "reports-local-time",
                    &[
                        ("time", local.format("%Y-%m-%d %H:%M").to_string()),
                        ("zone", zone),
                    ],
                )
            }
            None => format!("{} UTC", t.format("%Y-%m-%d %H:%M")),
        }
    }

    fn show_for_rule(&self, ctx: &Ctx, rule_id: i64, t: &DateTime<Utc>) -> String {
        let campaign = self.campaign_of_rule.get(&rule_id).copied().flatten();
        self.show(ctx, campaign, t)
    }
}

fn status_label(ctx: &Ctx, s: &str) -> String {
    let key = format!("reports-status-{s}");
    if ctx.i18n.has(ctx.lang, &key) {
        ctx.t(&key)
    } else {
        s.to_owned()
    }
}

fn status_class(s: &str) -> &'static str {
    match s {
        "open" => "tag-blue",
        "draft" => "tag-grey",
        "submitted" => "tag-amber",
        "accepted" => "tag-green",
        "sent_back" => "tag-red",
        _ => "tag-grey",
    }
}

/// The state's name, label key and tag colour.
fn state_tag(ctx: &Ctx, s: ReportState) -> (&'static str, String, &'static str) {
    let (name, class) = match s {
        ReportState::Open => ("open", "tag-blue"),
        ReportState::SubmittedOnTime => ("submitted_on_time", "tag-green"),
        ReportState::SubmittedLate => ("submitted_late", "tag-amber"),
        ReportState::Missing => ("missing", "tag-red"),
    };
    (name, ctx.t(&format!("reports-state-{name}")), class)
}
