//! Accountability interview pages (约谈): the list of the reader's subtree, and one interview
//! with its reasons, the office's decision (confirm or dismiss a proposal), the record of the
//! interview held, and its commitments as tracked items with their lights.

use super::{export_href, query_base, render, xlsx_list, Cell, Ctx};
use super::{fmt_time, render_status, see_other, see_refused, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::ui::forms::form_status;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use luodi_service::auth::SignedIn;
use luodi_service::interviews::Interview;
use luodi_service::interviews::{self as interviews_svc, CommitmentInput, RecordInput};
use luodi_service::ServiceError;
use serde::Deserialize;
use std::collections::HashMap;

/// Rows of commitments the record form offers.
const COMMITMENT_ROWS: usize = 5;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/interviews", get(list_page))
        .route("/interviews/export.xlsx", get(export))
        .route("/interviews/{id}", get(show))
        .route("/interviews/{id}/decide", post(decide))
        .route("/interviews/{id}/record", post(record))
}

fn status_tag(s: &str) -> &'static str {
    match s {
        "proposed" => "tag-amber",
        "confirmed" => "tag-blue",
        "held" => "tag-green",
        _ => "tag-grey",
    }
}

/// The reasons of a proposal, as sentences: worded and figured as on its bulletin.
fn reasons(ctx: &Ctx, json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    crate::ui::bulletins::reason_text(ctx, r).unwrap_or_else(|| {
                        r["reason"]
                            .as_str()
                            .or_else(|| r.as_str())
                            .unwrap_or("")
                            .to_owned()
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

struct Row {
    id: i64,
    org_id: i64,
    org_name: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    kind: String,
    held_on: String,
    reasons: Vec<String>,
    created: String,
}

fn row(ctx: &Ctx, v: &Interview) -> Row {
    Row {
        id: v.id,
        org_id: v.org_id,
        org_name: v.org_name.clone(),
        status: v.status.clone(),
        status_label: ctx.t(&format!("interviews-status-{}", v.status)),
        status_class: status_tag(&v.status),
        kind: ctx.t(&format!("bulletins-interview-{}", v.kind)),
        held_on: v.held_on.map(|d| d.to_string()).unwrap_or_default(),
        reasons: reasons(ctx, &v.reasons_json),
        created: fmt_time(&v.created_at),
    }
}

#[derive(Template)]
#[template(path = "interview_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    status: String,
    statuses: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    status: String,
}

/// The interviews of the reader's subtree with the list's filter, as the list shows them.
async fn rows(
    state: &AppState,
    signed: &SignedIn,
    ctx: &Ctx,
    q: &ListQuery,
) -> Result<Vec<Row>, ApiError> {
    let all = interviews_svc::list(&state.svc, &signed.actor).await?;
    Ok(all
        .iter()
        .filter(|v| q.status.is_empty() || v.status == q.status)
        .map(|v| row(ctx, v))
        .collect())
}

/// The filtered list as a workbook, same columns as the page.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let ctx = Ctx::anonymous(&state, &headers, "interviews-title");
    let mut all = rows(&state, &signed, &ctx, &q).await?;
    let total = all.len() as i64;
    all.truncate(luodi_service::Page::EXPORT_ROWS as usize);
    let rows: Vec<Vec<Cell>> = all
        .into_iter()
        .map(|r| {
            vec![
                r.org_name.into(),
                r.reasons.join("\n").into(),
                r.kind.into(),
                r.status_label.into(),
                r.held_on.into(),
                r.created.into(),
            ]
        })
        .collect();
    let columns = [
        "bulletin-col-org",
        "interviews-reasons",
        "interviews-kind",
        "manage-status",
        "interviews-held-on",
        "interviews-proposed-at",
    ];
    xlsx_list(&ctx, "interviews-title", &columns, rows, total).await
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let mut ctx = Ctx::signed(&state, &headers, &signed, "interviews", "interviews-title").await?;
    ctx.export = export_href(
        "/interviews/export.xlsx",
        &query_base("/interviews", &[("status", Some(q.status.as_str()))]),
    );
    let rows = rows(&state, &signed, &ctx, &q).await?;
    let statuses = ctx.options(
        "interviews-status-",
        &["proposed", "confirmed", "held", "dismissed"],
    );
    Ok(render(&ListPage {
        ctx,
        rows,
        status: q.status,
        statuses,
    }))
}

struct CommitmentView {
    id: i64,
    title: String,
    person: String,
    due_on: String,
    light: String,
    status_label: String,
}

/// One row of the record form as typed, with its field names.
#[derive(Default, Clone)]
struct CommitmentForm {
    title: String,
    person: String,
    due_on: String,
    title_key: String,
    person_key: String,
    due_key: String,
}

impl CommitmentForm {
    fn row(i: usize, title: String, person: String, due_on: String) -> Self {
        CommitmentForm {
            title,
            person,
            due_on,
            title_key: format!("c{i}_title"),
            person_key: format!("c{i}_person"),
            due_key: format!("c{i}_due"),
        }
    }
}

#[derive(Default)]
struct RecordForm {
    kind: String,
    level: String,
    interviewer: String,
    interviewees: String,
    held_on: String,
    minutes: String,
    rows: Vec<CommitmentForm>,
}

#[derive(Template)]
#[template(path = "interview_show.html")]
struct ShowPage {
    ctx: Ctx,
    v: Row,
    version: i64,
    level: String,
    interviewer: String,
    interviewees: String,
    minutes: String,
    bulletin_id: Option<i64>,
    commitments: Vec<CommitmentView>,
    can_decide: bool,
    can_record: bool,
    form: RecordForm,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    levels: Vec<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    ok: String,
    refused: String,
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, ApiError> {
    show_response(
        &state,
        &headers,
        &signed,
        id,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}

async fn show_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    q: &ShowQuery,
    typed: Option<RecordForm>,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let d = interviews_svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "interviews", "interviews-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|s| !s.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|s| !s.is_empty()));
    ctx.back = format!("/interviews/{id}");
    let title = ctx.t("interviews-title");
    ctx = ctx.crumb(title, "/interviews");
    ctx = ctx.crumb(d.interview.org_name.clone(), "");
    ctx.title = ctx.tr("interviews-of", &[("org", d.interview.org_name.clone())]);
    let i = &d.interview;
    let open = matches!(i.status.as_str(), "proposed" | "confirmed");
    let form = typed.unwrap_or_else(|| RecordForm {
        kind: i.kind.clone(),
        level: "office".into(),
        // Today in China (UTC+8, no daylight saving).
        held_on: (state.svc.now() + chrono::Duration::hours(8))
            .date_naive()
            .to_string(),
        rows: (0..COMMITMENT_ROWS)
            .map(|i| CommitmentForm::row(i, String::new(), String::new(), String::new()))
            .collect(),
        ..Default::default()
    });
    let commitments = d
        .commitments
        .iter()
        .map(|r| CommitmentView {
            id: r.item.id,
            title: r.item.title.clone(),
            person: r.item.responsible_person.clone(),
            due_on: r.item.due_on.to_string(),
            light: r.item.light.clone(),
            status_label: ctx.t(&format!("status-{}", r.item.status)),
        })
        .collect();
    let kinds = ["reminder", "warning", "accountability"]
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("bulletins-interview-{k}"))))
        .collect();
    let levels = ["office", "leader"]
        .iter()
        .map(|k| (k.to_string(), ctx.t(&format!("interviews-level-{k}"))))
        .collect();
    let status = form_status(&errors);
    let page = ShowPage {
        v: row(&ctx, i),
        version: i.version,
        level: if i.status == "held" {
            ctx.t(&format!("interviews-level-{}", i.level))
        } else {
            String::new()
        },
        interviewer: i.interviewer.clone(),
        interviewees: i.interviewees.clone(),
        minutes: i.minutes.clone(),
        bulletin_id: i.bulletin_id,
        commitments,
        can_decide: d.can_act && i.status == "proposed",
        can_record: d.can_act && open,
        form,
        errors,
        kinds,
        levels,
        ctx,
    };
    Ok(render_status(status, &page))
}

#[derive(Debug, Deserialize)]
struct DecideForm {
    confirm: String,
    version: i64,
}

async fn decide(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, ApiError> {
    let confirm = f.confirm == "yes";
    let back = format!("/interviews/{id}");
    match interviews_svc::decide(&state.svc, &signed.actor, id, confirm, f.version).await {
        Ok(_) => Ok(see_other(
            &back,
            if confirm {
                "interview_confirmed"
            } else {
                "interview_dismissed"
            },
        )),
        Err(e) => see_refused(&back, e),
    }
}

async fn record(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = RecordForm {
        kind: get("kind"),
        level: get("level"),
        interviewer: get("interviewer"),
        interviewees: get("interviewees"),
        held_on: get("held_on"),
        minutes: get("minutes"),
        rows: (0..COMMITMENT_ROWS)
            .map(|i| {
                CommitmentForm::row(
                    i,
                    get(&format!("c{i}_title")),
                    get(&format!("c{i}_person")),
                    get(&format!("c{i}_due")),
                )
            })
            .collect(),
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let mut v = luodi_domain::Validation::new();
    let held_on = NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d").ok();
    if held_on.is_none() {
        v.add("held_on", "bad_date");
    }
    // Rows left blank are not commitments; a row begun must be whole.
    let mut commitments = Vec::new();
    let mut row_of = Vec::new();
    for (i, r) in form.rows.iter().enumerate() {
        if r.title.trim().is_empty() && r.person.trim().is_empty() && r.due_on.trim().is_empty() {
            continue;
        }
        match NaiveDate::parse_from_str(r.due_on.trim(), "%Y-%m-%d") {
            Ok(due_on) => {
                row_of.push(i);
                commitments.push(CommitmentInput {
                    title: r.title.clone(),
                    due_on,
                    responsible_person: r.person.clone(),
                    responsible_user_id: None,
                });
            }
            Err(_) => v.add(&format!("c{i}_due"), "bad_date"),
        }
    }
    let version: i64 = get("version").trim().parse().unwrap_or(0);
    let outcome = match (v.is_empty(), held_on) {
        (true, Some(held_on)) => {
            let input = RecordInput {
                kind: form.kind.clone(),
                level: form.level.clone(),
                interviewer: form.interviewer.clone(),
                interviewees: form.interviewees.clone(),
                held_on,
                minutes: form.minutes.clone(),
                commitments,
            };
            match interviews_svc::record(&state.svc, &signed.actor, id, input, version).await {
                Ok(_) => return Ok(see_other(&format!("/interviews/{id}"), "interview_held")),
                Err(ServiceError::Validation(v)) => v,
                Err(e) => return see_refused(&format!("/interviews/{id}"), e),
            }
        }
        _ => v,
    };
    errors.absorb(&state.i18n, lang, &outcome, |field| {
        // commitments[2].title → the form row it came from.
        if let Some(rest) = field.strip_prefix("commitments[") {
            let (n, tail) = rest.split_once("].")?;
            let i = row_of.get(n.parse::<usize>().ok()?)?;
            let name = match tail {
                "title" => "title",
                "responsible_person" => "person",
                _ => return None,
            };
            return Some(format!("c{i}_{name}"));
        }
        let row_field =
            field.starts_with('c') && field.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
        let known = matches!(
            field,
            "kind" | "level" | "interviewer" | "interviewees" | "held_on" | "minutes"
        ) || row_field;
        known.then(|| field.to_owned())
    });
    let errors = errors.finish(&state.i18n, lang);
    show_response(
        &state,
        &headers,
        &signed,
        id,
        &ShowQuery::default(),
        Some(form),
        errors,
    )
    .await
}
