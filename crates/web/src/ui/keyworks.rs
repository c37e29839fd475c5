//! Key work pages: the list, the form, and one key work with its tasks and its indicators (the
//! trajectory drawn against the actuals, the week's actual entered once, the confidence rating).

use super::dashboard::{indicator_row, IndicatorRow};
use super::export_page;
use super::ledger::{row_view, ItemRowView};
use super::records::{create, export_list, list_parts, new_page, placed, FormParts, RecordKind};
use super::{opt_id, render, Ctx, Pager};
use super::{parse_version, see_other, see_refused, FormErrors};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::i18n::{I18n, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use luodi_service::auth::SignedIn;
use luodi_service::error::invalid;
use luodi_service::keyworks::KeyWork;
use luodi_service::keyworks::{
    self as svc, ActualInput, ConfidenceInput, IndicatorInput, KeyWorkInput,
};
use luodi_service::orgs::Org;
use luodi_service::Page;
use luodi_service::{Actor, ServiceResult};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/key-works", get(list_page).post(create::<KeyWorks>))
        .route("/key-works/new", get(new_page::<KeyWorks>))
        .route("/key-works/export.xlsx", get(export))
        .route("/key-works/{id}", get(show_page))
        .route("/key-works/{id}/indicators", post(add_indicator))
        .route("/key-works/{id}/tasks", post(link_task))
        .route("/indicators/{id}/actuals", post(record_actual))
        .route("/indicators/{id}/confidence", post(set_confidence))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageParams {
    page: String,
    ok: String,
    refused: String,
}

#[derive(Template)]
#[template(path = "keywork_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<KeyWork>,
    pager: Pager,
    pager_info: String,
    can_create: bool,
}

/// The list as a workbook, same columns as the page.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let list = svc::list(&state.svc, &signed.actor, None, export_page()).await?;
    let columns = ["keywork-title", "keywork-org", "keywork-description"];
    export_list::<KeyWorks, _>(&state, &headers, list, &columns, |_, k| {
        vec![k.title.into(), k.org_name.into(), k.description.into()]
    })
    .await
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<PageParams>,
) -> Result<Response, ApiError> {
    let page = Page::new(q.page.trim().parse().unwrap_or(1), 50);
    let list = svc::list(&state.svc, &signed.actor, None, page).await?;
    let p = list_parts::<KeyWorks, _>(&state, &headers, &signed, &q.ok, list).await?;
    Ok(render(&ListPage {
        ctx: p.ctx,
        rows: p.rows,
        pager: p.pager,
        pager_info: p.pager_info,
        can_create: p.can_create,
    }))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct KeyWorkForm {
    pub campaign_id: String,
    pub org_code: String,
    pub title: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "keywork_form.html")]
struct FormPage {
    ctx: Ctx,
    form: KeyWorkForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
}

/// Key works as a record kind: their list, new form and making one.
struct KeyWorks;

placed!(KeyWorkForm);

impl RecordKind for KeyWorks {
    const PATH: &'static str = "/key-works";
    const ACTIVE: &'static str = "key_works";
    const TITLE: &'static str = "keyworks-title";
    const NEW_TITLE: &'static str = "keyworks-new";
    type Form = KeyWorkForm;
    type Parsed = ();

    fn parse(_: &KeyWorkForm, _: &mut FormErrors, _: (&I18n, Lang)) -> Option<()> {
        Some(())
    }

    async fn make(
        state: &AppState,
        actor: &Actor,
        form: &KeyWorkForm,
        (campaign_id, org): (i64, Org),
        (): (),
    ) -> ServiceResult<i64> {
        let input = KeyWorkInput {
            campaign_id,
            org_id: org.id,
            title: form.title.clone(),
            description: form.description.clone(),
        };
        Ok(svc::create(&state.svc, actor, input).await?.key_work.id)
    }

    type FormPage = FormPage;

    async fn form_template(
        _: &AppState,
        _: &SignedIn,
        p: FormParts<KeyWorkForm>,
    ) -> Result<FormPage, ApiError> {
        Ok(FormPage {
            ctx: p.ctx,
            form: p.form,
            errors: p.errors,
            campaigns: p.campaigns,
        })
    }
}

/// An indicator's row with the version its confidence form carries.
struct IndicatorEdit {
    row: IndicatorRow,
    version: i64,
    confidence: String,
    note: String,
}

#[derive(Template)]
#[template(path = "keywork_show.html")]
struct ShowPage {
    ctx: Ctx,
    k: KeyWork,
    tasks: Vec<ItemRowView>,
    indicators: Vec<IndicatorRow>,
    edits: Vec<IndicatorEdit>,
    can_edit: bool,
    today: String,
}

async fn show_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PageParams>,
) -> Result<Response, ApiError> {
    let v = svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "key_works", "keyworks-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/key-works/{id}");
    ctx.title = v.key_work.title.clone();
    let list = ctx.t("keyworks-title");
    let ctx = ctx
        .crumb(list, "/key-works")
        .crumb(v.key_work.title.clone(), "");
    let indicators: Vec<IndicatorRow> = v
        .indicators
        .iter()
        .map(|i| indicator_row(&ctx, i, format!("#indicator-{}", i.indicator.id)))
        .collect();
    let edits = v
        .indicators
        .iter()
        .map(|i| IndicatorEdit {
            row: indicator_row(&ctx, i, String::new()),
            version: i.indicator.version,
            confidence: i.indicator.confidence.clone(),
            note: i.indicator.confidence_note.clone(),
        })
        .collect();
    // The form's default week: this week.
    let today = svc::today(&state.svc);
    Ok(render(&ShowPage {
        tasks: v.tasks.iter().map(|r| row_view(&ctx, r)).collect(),
        indicators,
        edits,
        can_edit: v.can_edit,
        today: today.to_string(),
        k: v.key_work,
        ctx,
    }))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IndicatorForm {
    name: String,
    unit: String,
    baseline: String,
    target: String,
    direction: String,
    start_on: String,
    target_on: String,
}

async fn add_indicator(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<IndicatorForm>,
) -> Result<Response, ApiError> {
    let back = format!("/key-works/{id}");
    let parsed = (
        number(&f.baseline),
        number(&f.target),
        date(&f.start_on),
        date(&f.target_on),
    );
    let (Some(baseline), Some(target), Some(start_on), Some(target_on)) = parsed else {
        let (field, code) = match parsed {
            (None, ..) => ("baseline", "bad_number"),
            (_, None, ..) => ("target", "bad_number"),
            (_, _, None, _) => ("start_on", "bad_date"),
            _ => ("target_on", "bad_date"),
        };
        return see_refused(&back, invalid(field, code));
    };
    let input = IndicatorInput {
        name: f.name,
        unit: f.unit,
        baseline,
        target,
        direction: f.direction,
        start_on,
        target_on,
        plan: None,
    };
    match svc::add_indicator(&state.svc, &signed.actor, id, input).await {
        Ok(_) => Ok(see_other(&back, "indicator_added")),
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LinkForm {
    item_id: String,
}

async fn link_task(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, ApiError> {
    let back = format!("/key-works/{id}");
    let Some(item) = opt_id(Some(&f.item_id)) else {
        return see_refused(&back, invalid("item_id", "unknown_item"));
    };
    match svc::link_task(&state.svc, &signed.actor, id, item).await {
        Ok(_) => Ok(see_other(&back, "task_linked")),
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActualForm {
    key_work_id: String,
    week_on: String,
    value: String,
}

async fn record_actual(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ActualForm>,
) -> Result<Response, ApiError> {
    let back = format!("/key-works/{}", opt_id(Some(&f.key_work_id)).unwrap_or(0));
    let (Some(week_on), Some(value)) = (date(&f.week_on), number(&f.value)) else {
        return see_refused(&back, invalid("value", "bad_number"));
    };
    match svc::record_actual(
        &state.svc,
        &signed.actor,
        id,
        ActualInput { week_on, value },
    )
    .await
    {
        Ok(v) => Ok(see_other(
            &format!("/key-works/{}", v.key_work.id),
            "actual_recorded",
        )),
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfidenceForm {
    key_work_id: String,
    confidence: String,
    note: String,
    version: String,
}

async fn set_confidence(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ConfidenceForm>,
) -> Result<Response, ApiError> {
    let back = format!("/key-works/{}", opt_id(Some(&f.key_work_id)).unwrap_or(0));
    let input = ConfidenceInput {
        confidence: f.confidence,
        note: f.note,
        version: parse_version(&f.version)?,
    };
    match svc::set_confidence(&state.svc, &signed.actor, id, input).await {
        Ok(v) => Ok(see_other(
            &format!("/key-works/{}", v.key_work.id),
            "confidence_set",
        )),
        Err(e) => see_refused(&back, e),
    }
}
