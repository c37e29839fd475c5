//! Research pages: topics, the form for a new one, and a topic with its visits and findings;
//! each finding either links to the rectification item its problem became or offers the form
//! that raises it; the report closes the topic.

use super::export_page;
use super::forms::org_by_code;
use super::ledger::{row_view, ItemRowView};
use super::records::{create, export_list, list_parts, new_page, placed, FormParts, RecordKind};
use super::{opt_id, render, Ctx, Pager};
use super::{parse_version, see_other, see_refused, FormErrors};
use crate::auth::{lang_of, Signed};
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
use luodi_service::orgs::Org;
use luodi_service::research::{
    self as svc, FindingInput, ProblemInput, ReportInput, TopicInput, VisitInput,
};
use luodi_service::research::{Topic, TopicFilter, Visit};
use luodi_service::Page;
use luodi_service::{Actor, ServiceError, ServiceResult};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/research", get(list_page).post(create::<Topics>))
        .route("/research/new", get(new_page::<Topics>))
        .route("/research/export.xlsx", get(export))
        .route("/research/{id}", get(show_page))
        .route("/research/{id}/visits", post(add_visit))
        .route("/research/{id}/findings", post(add_finding))
        .route("/research/{id}/report", post(report))
        .route("/findings/{id}/problem", post(raise_problem))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageParams {
    page: String,
    ok: String,
    refused: String,
}

#[derive(Template)]
#[template(path = "research_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Topic>,
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
    let list = svc::list(
        &state.svc,
        &signed.actor,
        TopicFilter::default(),
        export_page(),
    )
    .await?;
    let columns = [
        "research-topic",
        "research-org",
        "research-lead",
        "manage-status",
    ];
    export_list::<Topics, _>(&state, &headers, list, &columns, |ctx, t| {
        vec![
            t.title.into(),
            t.org_name.into(),
            t.lead.into(),
            ctx.t(&format!("research-status-{}", t.status)).into(),
        ]
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
    let list = svc::list(&state.svc, &signed.actor, TopicFilter::default(), page).await?;
    let p = list_parts::<Topics, _>(&state, &headers, &signed, &q.ok, list).await?;
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
pub struct TopicForm {
    pub campaign_id: String,
    pub org_code: String,
    pub title: String,
    pub weakness: String,
    pub lead: String,
    pub members: String,
}

#[derive(Template)]
#[template(path = "research_form.html")]
struct FormPage {
    ctx: Ctx,
    form: TopicForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
}

/// Research topics as a record kind: their list, new form and making one.
struct Topics;

placed!(TopicForm);

impl RecordKind for Topics {
    const PATH: &'static str = "/research";
    const ACTIVE: &'static str = "research";
    const TITLE: &'static str = "research-title";
    const NEW_TITLE: &'static str = "research-new";
    type Form = TopicForm;
    type Parsed = ();

    fn parse(_: &TopicForm, _: &mut FormErrors, _: (&I18n, Lang)) -> Option<()> {
        Some(())
    }

    async fn make(
        state: &AppState,
        actor: &Actor,
        form: &TopicForm,
        (campaign_id, org): (i64, Org),
        (): (),
    ) -> ServiceResult<i64> {
        let input = TopicInput {
            campaign_id,
            org_id: org.id,
            title: form.title.clone(),
            weakness: form.weakness.clone(),
            lead: form.lead.clone(),
            members: form.members.clone(),
        };
        Ok(svc::create(&state.svc, actor, input).await?.topic.id)
    }

    type FormPage = FormPage;

    async fn form_template(
        _: &AppState,
        _: &SignedIn,
        p: FormParts<TopicForm>,
    ) -> Result<FormPage, ApiError> {
        Ok(FormPage {
            ctx: p.ctx,
            form: p.form,
            errors: p.errors,
            campaigns: p.campaigns,
        })
    }
}

struct FindingRow {
    id: i64,
    text: String,
    recorded_by: String,
    /// The item its problem became (none, or one).
    item: Vec<ItemRowView>,
}

#[derive(Template)]
#[template(path = "research_show.html")]
struct ShowPage {
    ctx: Ctx,
    topic: Topic,
    status_label: String,
    visits: Vec<Visit>,
    findings: Vec<FindingRow>,
    can_edit: bool,
    today: String,
    /// The topic's org code, the default responsible unit of a raised problem.
    org_code: String,
}

async fn show_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PageParams>,
) -> Result<Response, ApiError> {
    let v = svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "research", "research-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/research/{id}");
    ctx.title = v.topic.title.clone();
    let list = ctx.t("research-title");
    let ctx = ctx
        .crumb(list, "/research")
        .crumb(v.topic.title.clone(), "");
    let org_code = luodi_service::orgs::get(&state.svc, &signed.actor, v.topic.org_id)
        .await
        .map(|o| o.code)
        .unwrap_or_default();
    Ok(render(&ShowPage {
        findings: v
            .findings
            .iter()
            .map(|f| FindingRow {
                id: f.finding.id,
                text: f.finding.text.clone(),
                recorded_by: f.finding.recorded_by.clone(),
                item: f.item.iter().map(|r| row_view(&ctx, r)).collect(),
            })
            .collect(),
        visits: v.visits,
        can_edit: v.can_edit,
        today: luodi_service::keyworks::today(&state.svc).to_string(),
        org_code,
        status_label: ctx.t(&format!("research-status-{}", v.topic.status)),
        topic: v.topic,
        ctx,
    }))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The first field error of a refused form on the topic page, shown after the redirect.
fn refused_on(id: i64, e: ServiceError) -> Result<Response, ApiError> {
    see_refused(&format!("/research/{id}"), e)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VisitForm {
    visited_on: String,
    place: String,
    notes: String,
}

async fn add_visit(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<VisitForm>,
) -> Result<Response, ApiError> {
    let Some(visited_on) = date(&f.visited_on) else {
        return refused_on(id, luodi_service::error::invalid("visited_on", "bad_date"));
    };
    let input = VisitInput {
        visited_on,
        place: f.place,
        notes: f.notes,
    };
    match svc::add_visit(&state.svc, &signed.actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("/research/{id}"), "visit_added")),
        Err(e) => refused_on(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FindingForm {
    text: String,
}

async fn add_finding(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<FindingForm>,
) -> Result<Response, ApiError> {
    match svc::add_finding(&state.svc, &signed.actor, id, FindingInput { text: f.text }).await {
        Ok(_) => Ok(see_other(&format!("/research/{id}"), "finding_added")),
        Err(e) => refused_on(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReportForm {
    report: String,
    reported_on: String,
    version: String,
}

async fn report(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Result<Response, ApiError> {
    let Some(reported_on) = date(&f.reported_on) else {
        return refused_on(id, luodi_service::error::invalid("reported_on", "bad_date"));
    };
    let input = ReportInput {
        report: f.report,
        reported_on,
        version: parse_version(&f.version)?,
    };
    match svc::report(&state.svc, &signed.actor, id, input).await {
        Ok(_) => Ok(see_other(&format!("/research/{id}"), "research_reported")),
        Err(e) => refused_on(id, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProblemForm {
    topic_id: String,
    title: String,
    /// One per line.
    measures: String,
    lead_org_code: String,
    responsible_person: String,
    due_on: String,
}

async fn raise_problem(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ProblemForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let topic = opt_id(Some(&f.topic_id)).unwrap_or(0);
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let lead = org_by_code(
        &state,
        actor,
        &f.lead_org_code,
        "lead_org_id",
        &mut errors,
        (state.i18n.as_ref(), lang),
    )
    .await?;
    let (Some(lead), Some(due_on)) = (lead, date(&f.due_on)) else {
        let field = if errors.is_empty() {
            "due_on"
        } else {
            "lead_org_id"
        };
        let code = if errors.is_empty() {
            "bad_date"
        } else {
            "unknown_org"
        };
        return refused_on(topic, luodi_service::error::invalid(field, code));
    };
    let input = ProblemInput {
        title: f.title,
        measures: f
            .measures
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        lead_org_id: Some(lead.id),
        responsible_person: f.responsible_person,
        responsible_user_id: None,
        due_on,
    };
    match svc::raise_problem(&state.svc, actor, id, input).await {
        Ok(v) => Ok(see_other(
            &format!("/research/{}", v.topic.id),
            "problem_raised",
        )),
        Err(e) => refused_on(topic, e),
    }
}
