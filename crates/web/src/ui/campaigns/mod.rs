//! Campaign pages: the list, a campaign's page, and the form to set one up or change it.

mod form;
mod list;
mod show;

use form::*;
use list::*;
use show::*;

use super::{
    fmt_time, pager_info, parse_version, render_status, see_other, validation, FormErrors,
};
use super::{opt_id, query_base, render, Ctx, ListQuery, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::{field_message, ApiError};
use crate::i18n::{I18n, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use luodi_domain::campaign::DEFAULT_TIME_ZONE;
use luodi_domain::org::ancestor_ids;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns::Campaign;
use luodi_service::campaigns::{
    self as campaigns_svc, CampaignDetail, CampaignInput, GoalInput, PhaseEntry,
};
use luodi_service::orgs as orgs_svc;
use luodi_service::orgs::Org;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;

// --- Form helpers ----------------------------------------------------------------------------

/// The campaign form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub owner_org_id: String,
    pub name: String,
    pub requirements: String,
    pub fundamental_task: String,
    pub starts_on: String,
    pub ends_on: String,
    pub time_zone: String,
    /// One goal per line: `title` or `title|description` (also the full-width `｜`).
    pub goals: String,
    /// Org codes separated by commas or spaces; empty = the owner's subtree.
    pub scope_codes: String,
    pub version: String,
}

/// A date typed as `YYYY-MM-DD`, or the error code.
fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Err("required");
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "bad_date")
}

/// Goals from the textarea: one per non-empty line, split on the first `|` or `｜`.
fn parse_goals(text: &str) -> Vec<GoalInput> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.find(['|', '\u{FF5C}']) {
            Some(i) => {
                let sep = l[i..].chars().next().map_or(1, char::len_utf8);
                GoalInput {
                    title: l[..i].trim().to_owned(),
                    description: l[i + sep..].trim().to_owned(),
                }
            }
            None => GoalInput {
                title: l.to_owned(),
                description: String::new(),
            },
        })
        .collect()
}

fn goals_text(detail: &CampaignDetail) -> String {
    detail
        .goals
        .iter()
        .map(|g| {
            if g.description.is_empty() {
                g.title.clone()
            } else {
                format!("{}|{}", g.title, g.description)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Org codes from the scope field.
fn split_codes(text: &str) -> Vec<&str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '\u{FF0C}' | '\u{3001}' | '\u{FF1B}')
    })
    .filter(|s| !s.is_empty())
    .collect()
}

/// The index in a field name like `goals[3].title`.
fn index_of(field: &str) -> Option<usize> {
    let start = field.find('[')? + 1;
    let end = field[start..].find(']')? + start;
    field[start..end].parse().ok()
}

/// Puts the service's field errors under the fields of the form. Without `phases` (a new
/// campaign gets the default phases, which follow from its dates) phase errors only repeat
/// what the dates already say, and are left out.
fn absorb(
    errors: &mut FormErrors,
    i18n: &I18n,
    lang: Lang,
    v: &Validation,
    phases: Option<&[PhaseEntry]>,
) {
    for e in &v.errors {
        let msg = field_message(i18n, lang, e.code, &e.params);
        let f = e.field.as_str();
        if matches!(
            f,
            "owner_org_id"
                | "name"
                | "requirements"
                | "fundamental_task"
                | "starts_on"
                | "ends_on"
                | "time_zone"
        ) {
            errors.add_message(f, msg);
        } else if f.starts_with("goals[") {
            let line = index_of(f).map_or(0, |i| i + 1).to_string();
            errors.add_message(
                "goals",
                i18n.tr(
                    lang,
                    "campaigns-goal-error",
                    &[("line", line), ("message", msg)],
                ),
            );
        } else if f.starts_with("scope_org_ids[") {
            // An unknown code has been named already.
            if !errors.has("scope_codes") {
                errors.add_message("scope_codes", msg);
            }
        } else if f.starts_with("phases[") {
            let Some(phases) = phases else { continue };
            let phase = index_of(f)
                .and_then(|i| phases.get(i))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| f.to_owned());
            errors.others.push(i18n.tr(
                lang,
                "campaigns-phase-error",
                &[("phase", phase), ("message", msg)],
            ));
        } else {
            errors.others.push(msg);
        }
    }
}

/// The form is refused before the service sees it: say at least that a missing name is missing.
fn not_sent(
    state: &AppState,
    lang: Lang,
    form: &CampaignForm,
    errors: &mut FormErrors,
) -> Option<CampaignInput> {
    if form.name.trim().is_empty() {
        errors.add(&state.i18n, lang, "name", "required", &[]);
    }
    None
}

/// Checks the form and builds the service input; field errors go into `errors`.
async fn parse_form(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    form: &CampaignForm,
    phases: Option<Vec<PhaseEntry>>,
    errors: &mut FormErrors,
) -> Result<Option<CampaignInput>, ApiError> {
    let i18n = &state.i18n;
    let owner = opt_id(Some(&form.owner_org_id));
    if owner.is_none() {
        errors.add(i18n, lang, "owner_org_id", "required", &[]);
    }
    let starts = parse_date(&form.starts_on)
        .map_err(|code| errors.add(i18n, lang, "starts_on", code, &[]))
        .ok();
    let ends = parse_date(&form.ends_on)
        .map_err(|code| errors.add(i18n, lang, "ends_on", code, &[]))
        .ok();
    let mut scope_org_ids = Vec::new();
    for code in split_codes(&form.scope_codes) {
        match orgs_svc::get_by_code(&state.svc, actor, code).await {
            Ok(o) => scope_org_ids.push(o.id),
            Err(ServiceError::NotFound(_)) => {
                errors.add_message(
                    "scope_codes",
                    i18n.tr(
                        lang,
                        "campaigns-unknown-scope",
                        &[("value", code.to_owned())],
                    ),
                );
                // No org has id 0: the service checks the other fields and then refuses it,
                // so the form can say everything that is wrong at once.
                scope_org_ids.push(0);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (Some(owner_org_id), Some(starts_on), Some(ends_on)) = (owner, starts, ends) else {
        return Ok(not_sent(state, lang, form, errors));
    };
    let tz = form.time_zone.trim();
    Ok(Some(CampaignInput {
        owner_org_id,
        name: form.name.clone(),
        requirements: form.requirements.clone(),
        fundamental_task: form.fundamental_task.clone(),
        time_zone: Some(if tz.is_empty() {
            DEFAULT_TIME_ZONE.to_owned()
        } else {
            tz.to_owned()
        }),
        starts_on,
        ends_on,
        goals: parse_goals(&form.goals),
        phases,
        scope_org_ids,
        rules: None,
    }))
}

/// The orgs a campaign may be owned by: the roots of the actor's campaign-management scopes,
/// the scope they stand in and its direct children (where offices usually sit), and the
/// current owner.
async fn owner_options(
    state: &AppState,
    actor: &Actor,
    ctx: &Ctx,
    current: Option<i64>,
) -> Result<Vec<(i64, String)>, ApiError> {
    let mut orgs: Vec<Org> = Vec::new();
    let mut kid_ids: Vec<i64> = Vec::new();
    for s in actor.scopes(Permission::ManageCampaigns) {
        if s == "/" {
            orgs.extend(
                orgs_svc::children(&state.svc, actor, None, false)
                    .await?
                    .into_iter()
                    .map(|n| n.org),
            );
        } else if let Some(id) = ancestor_ids(&s).last() {
            if let Ok(o) = orgs_svc::get(&state.svc, actor, *id).await {
                orgs.push(o);
            }
        }
    }
    if let Some(s) = ctx
        .scope
        .as_ref()
        .filter(|s| actor.can(Permission::ManageCampaigns, &s.path))
    {
        orgs.push(s.clone());
        let kids = orgs_svc::children(&state.svc, actor, Some(s.id), false).await?;
        for k in kids.into_iter().take(100) {
            kid_ids.push(k.org.id);
            orgs.push(k.org);
        }
    }
    if let Some(id) = current.filter(|id| !orgs.iter().any(|o| o.id == *id)) {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, id).await {
            orgs.push(o);
        }
    }
    let mut out: Vec<(i64, String)> = Vec::new();
    for o in orgs {
        if !out.iter().any(|(id, _)| *id == o.id) {
            let indent = if kid_ids.contains(&o.id) {
                "\u{21B3} "
            } else {
                ""
            };
            out.push((o.id, format!("{indent}{} ({})", o.name, o.code)));
        }
    }
    Ok(out)
}

fn date_range(c: &Campaign) -> String {
    format!("{} ~ {}", c.starts_on, c.ends_on)
}

// ---------------------------------------------------------------------------------------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list_page).post(create))
        .route("/campaigns/new", get(new_page))
        .route("/campaigns/{id}", get(show))
        .route("/campaigns/{id}/edit", get(edit_page).post(update))
        .route("/campaigns/{id}/metrics", axum::routing::post(set_metrics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_split_on_first_bar() {
        let g = parse_goals("  A|b|c \n\nB\u{FF5C}d\nC  ");
        assert_eq!(g.len(), 3);
        assert_eq!(
            (g[0].title.as_str(), g[0].description.as_str()),
            ("A", "b|c")
        );
        assert_eq!((g[1].title.as_str(), g[1].description.as_str()), ("B", "d"));
        assert_eq!((g[2].title.as_str(), g[2].description.as_str()), ("C", ""));
    }

    #[test]
    fn codes_and_dates() {
        assert_eq!(
            split_codes("a, b\u{FF0C}c  d\u{3001}e"),
            vec!["a", "b", "c", "d", "e"]
        );
        assert_eq!(
            parse_date("2026-09-01").map(|d| d.to_string()),
            Ok("2026-09-01".to_owned())
        );
        assert_eq!(parse_date(" "), Err("required"));
        assert_eq!(parse_date("2026/9/1"), Err("bad_date"));
        assert_eq!(index_of("goals[12].title"), Some(12));
    }
}
