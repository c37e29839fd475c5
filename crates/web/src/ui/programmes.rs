//! Special programme pages (专项整治): the list, a programme's page with its areas (整治内容)
//! and the progress of their measures (工作措施), and the form to set one up. The measures
//! themselves are ledger items: each area links to the ledger filtered by it, and to the item
//! form that records a new measure of it.

use super::{fmt_time, render_status, see_other, validation, FormErrors};
use super::{opt_id, render, Ctx};
use crate::auth::{lang_of, Signed};
use crate::error::{field_message, ApiError};
use crate::i18n::{I18n, Lang};
use crate::ui::forms::form_status;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_service::auth::SignedIn;
use luodi_service::campaigns as campaigns_svc;
use luodi_service::orgs as orgs_svc;
use luodi_service::programmes::Programme;
use luodi_service::programmes::{self as programmes_svc, ProgrammeInput};
use luodi_service::Page;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/programmes", get(list_page).post(create))
        .route("/programmes/new", get(new_page))
        .route("/programmes/{id}", get(show))
}

const LIGHTS: [&str; 3] = ["red", "yellow", "green"];

// --- Helpers ---------------------------------------------------------------------------------

/// The campaigns the actor reads, as `(id, name)`, for selects and names.
async fn campaign_options(state: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, ApiError> {
    if !actor.can_somewhere(Permission::ReadCampaigns) {
        return Ok(Vec::new());
    }
    Ok(
        campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
    )
}

/// The campaign `id` as `(id, name)` if the actor reads it (then its name links to its page).
async fn campaign_named(
    state: &AppState,
    actor: &Actor,
    known: &[(i64, String)],
    id: i64,
) -> Option<(i64, String)> {
    if let Some(c) = known.iter().find(|(cid, _)| *cid == id) {
        return Some(c.clone());
    }
    campaigns_svc::get(&state.svc, actor, id)
        .await
        .ok()
        .map(|d| (d.campaign.id, d.campaign.name))
}

/// `done` of `total` as a whole percentage ("—" with nothing to count).
fn share(done: i64, total: i64) -> String {
    if total <= 0 {
        return "\u{2014}".to_owned();
    }
    format!("{}%", (done as f64 * 100.0 / total as f64).round() as i64)
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Areas from the textarea: one per non-empty line.
fn parse_areas(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The index in a field name like `areas[3]`.
fn index_of(field: &str) -> Option<usize> {
    let start = field.find('[')? + 1;
    let end = field[start..].find(']')? + start;
    field[start..end].parse().ok()
}

/// The programme and area a new item is recorded as a measure of (the item form shows it).
pub struct AreaContext {
    pub programme_id: i64,
    pub campaign_id: i64,
    /// "programme / area".
    pub label: String,
}

/// The area `area_id` with its programme, if the actor sees the programme.
pub async fn area_context(
    state: &AppState,
    actor: &Actor,
    area_id: i64,
) -> Result<AreaContext, ApiError> {
    let area = programmes_svc::area(&state.svc, actor, area_id).await?;
    let d = programmes_svc::get(&state.svc, actor, area.programme_id).await?;
    Ok(AreaContext {
        programme_id: d.programme.id,
        campaign_id: d.programme.campaign_id,
        label: format!("{} / {}", d.programme.name, area.name),
    })
}

// --- The list --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProgrammeListQuery {
    pub campaign_id: String,
    pub ok: String,
}

struct ProgrammeRow {
    id: i64,
    name: String,
    owner_id: i64,
    owner: String,
    campaign: Option<(i64, String)>,
    created_on: String,
}

#[derive(Template)]
#[template(path = "programme_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ProgrammeRow>,
    campaigns: Vec<(String, String)>,
    campaign_id: String,
    can_create: bool,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ProgrammeListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let campaign_id = opt_id(Some(&q.campaign_id));
    let list = programmes_svc::list(&state.svc, actor, campaign_id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "programmes", "programmes-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = "/programmes".into();
    let title = ctx.t("programmes-title");
    let ctx = ctx.crumb(title, "");
    let campaigns = campaign_options(&state, actor).await?;
    let mut rows = Vec::new();
    for p in list {
        rows.push(ProgrammeRow {
            campaign: campaign_named(&state, actor, &campaigns, p.campaign_id).await,
            id: p.id,
            name: p.name,
            owner_id: p.owner_org_id,
            owner: p.owner_org_name,
            created_on: p.created_at.date_naive().to_string(),
        });
    }
    let page = ListPage {
        rows,
        campaigns: campaigns
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        campaign_id: campaign_id.map(|c| c.to_string()).unwrap_or_default(),
        can_create: actor.can_somewhere(Permission::SuperviseItems),
        ctx,
    };
    Ok(render(&page))
}

// --- One programme ---------------------------------------------------------------------------

/// A light's count, linking to the measures of that light.
struct LightCount {
    light: &'static str,
    label: String,
    count: i64,
    href: String,
}

struct AreaRow {
    id: i64,
    number: usize,
    name: String,
    total: i64,
    done: i64,
    /// The progress bar's maximum (at least 1: a bar of nothing is empty, not full).
    max: i64,
    share: String,
    lights: Vec<LightCount>,
    ledger_href: String,
    new_href: String,
}

#[derive(Template)]
#[template(path = "programme_show.html")]
struct ShowPage {
    ctx: Ctx,
    p: Programme,
    campaign: Option<(i64, String)>,
    goal: Vec<String>,
    created_at: String,
    areas: Vec<AreaRow>,
    total: i64,
    done: i64,
    max: i64,
    share: String,
    lights: Vec<(&'static str, String, i64)>,
    can_add: bool,
}

fn light_counts(ctx: &Ctx, by_light: &BTreeMap<String, i64>, ledger_href: &str) -> Vec<LightCount> {
    LIGHTS
        .into_iter()
        .map(|l| LightCount {
            light: l,
            label: ctx.t(&format!("light-{l}")),
            count: by_light.get(l).copied().unwrap_or(0),
            href: format!("{ledger_href}&light={l}"),
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ProgrammeListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let d = programmes_svc::get(&state.svc, actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "programmes", "programmes-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/programmes/{id}");
    ctx.title = d.programme.name.clone();
    let list = ctx.t("programmes-title");
    let ctx = ctx
        .crumb(list, "/programmes")
        .crumb(d.programme.name.clone(), "");
    let campaign = campaign_named(&state, actor, &[], d.programme.campaign_id).await;
    let mut all_lights: BTreeMap<String, i64> = BTreeMap::new();
    let areas: Vec<AreaRow> = d
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            for (l, n) in &a.by_light {
                *all_lights.entry(l.clone()).or_default() += n;
            }
            let ledger_href = format!("/ledger?kind=task&programme_area_id={}", a.area.id);
            AreaRow {
                id: a.area.id,
                number: i + 1,
                name: a.area.name.clone(),
                total: a.total,
                done: a.done,
                max: a.total.max(1),
                share: share(a.done, a.total),
                lights: light_counts(&ctx, &a.by_light, &ledger_href),
                new_href: format!("/items/new?kind=task&programme_area_id={}", a.area.id),
                ledger_href,
            }
        })
        .collect();
    let total: i64 = areas.iter().map(|a| a.total).sum();
    let done: i64 = areas.iter().map(|a| a.done).sum();
    let page = ShowPage {
        campaign,
        goal: paragraphs(&d.programme.goal),
        created_at: fmt_time(&d.programme.created_at),
        total,
        done,
        max: total.max(1),
        share: share(done, total),
        lights: LIGHTS
            .into_iter()
            .map(|l| {
                (
                    l,
                    ctx.t(&format!("light-{l}")),
                    all_lights.get(l).copied().unwrap_or(0),
                )
            })
            .collect(),
        areas,
        can_add: actor.can_somewhere(Permission::EditItems),
        p: d.programme,
        ctx,
    };
    Ok(render(&page))
}

// --- The form --------------------------------------------------------------------------------

/// The programme form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ProgrammeForm {
    pub campaign_id: String,
    pub owner_org_code: String,
    pub name: String,
    pub goal: String,
    /// One area per line.
    pub areas: String,
}

#[derive(Template)]
#[template(path = "programme_form.html")]
struct FormPage {
    ctx: Ctx,
    form: ProgrammeForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: ProgrammeForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let mut ctx = Ctx::signed(state, headers, signed, "programmes", "programmes-new").await?;
    let (list, title) = (ctx.t("programmes-title"), ctx.t("programmes-new"));
    ctx.back = "/programmes/new".into();
    let ctx = ctx.crumb(list, "/programmes").crumb(title, "");
    let campaigns = campaign_options(state, &signed.actor)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let status = form_status(&errors);
    let page = FormPage {
        ctx,
        form,
        errors,
        campaigns,
    };
    Ok(render_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewProgrammeQuery {
    pub campaign_id: String,
}

async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<NewProgrammeQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut form = ProgrammeForm {
        campaign_id: opt_id(Some(&q.campaign_id))
            .map(|c| c.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    // The owner defaults to the scope the user stands in, or their only root.
    if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            form.owner_org_code = o.code;
        }
    }
    if form.owner_org_code.is_empty() {
        let roots = orgs_svc::children(&state.svc, actor, None, false).await?;
        if let [only] = roots.as_slice() {
            form.owner_org_code = only.org.code.clone();
        }
    }
    form_page(&state, &headers, &signed, form, FormErrors::default()).await
}

/// Puts the service's field errors under the fields of the form.
fn absorb(errors: &mut FormErrors, i18n: &I18n, lang: Lang, v: &Validation) {
    for e in &v.errors {
        let msg = field_message(i18n, lang, e.code, &e.params);
        let f = e.field.as_str();
        if matches!(f, "campaign_id" | "name" | "goal" | "areas") {
            errors.add_message(f, msg);
        } else if f == "owner_org_id" {
            errors.add_message("owner_org_code", msg);
        } else if f.starts_with("areas[") {
            let line = index_of(f).map_or(0, |i| i + 1).to_string();
            errors.add_message(
                "areas",
                i18n.tr(
                    lang,
                    "programmes-area-error",
                    &[("line", line), ("message", msg)],
                ),
            );
        } else {
            errors.others.push(msg);
        }
    }
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<ProgrammeForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let code = form.owner_org_code.trim();
    let owner_org_id = if code.is_empty() {
        errors.add(i18n, lang, "owner_org_code", "required", &[]);
        None
    } else {
        match orgs_svc::get_by_code(&state.svc, actor, code).await {
            Ok(o) if actor.can(Permission::SuperviseItems, &o.path) => Some(o.id),
            Ok(o) => {
                errors.add_message(
                    "owner_org_code",
                    i18n.tr(lang, "programmes-owner-refused", &[("value", o.name)]),
                );
                None
            }
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
                errors.add(i18n, lang, "owner_org_code", "unknown_org", &[]);
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let areas = parse_areas(&form.areas);
    match (campaign_id, owner_org_id) {
        (Some(campaign_id), Some(owner_org_id)) => {
            let input = ProgrammeInput {
                campaign_id,
                owner_org_id,
                name: form.name.clone(),
                goal: form.goal.clone(),
                areas,
            };
            let v = match programmes_svc::create(&state.svc, actor, input).await {
                Ok(d) => {
                    return Ok(see_other(
                        &format!("/programmes/{}", d.programme.id),
                        "created",
                    ))
                }
                Err(e) => validation(e)?,
            };
            absorb(&mut errors, i18n, lang, &v);
        }
        _ => {
            // Not sent: say at least what is missing of the rest.
            if form.name.trim().is_empty() {
                errors.add(i18n, lang, "name", "required", &[]);
            }
            if areas.is_empty() {
                errors.add(i18n, lang, "areas", "required", &[]);
            }
        }
    }
    let errors = errors.finish(i18n, lang);
    form_page(&state, &headers, &signed, form, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_one_per_line() {
        assert_eq!(
            parse_areas("  Permits \r\n\r\nFees and charges\n"),
            vec!["Permits", "Fees and charges"]
        );
        assert!(parse_areas(" \n ").is_empty());
    }

    #[test]
    fn shares_round() {
        assert_eq!(share(0, 0), "\u{2014}");
        assert_eq!(share(1, 3), "33%");
        assert_eq!(share(5, 5), "100%");
        assert_eq!(index_of("areas[2]"), Some(2));
    }
}
