//! `/api/v1/items`: tasks and rectification items, their lifecycle and progress, and scope
//! roll-ups at `/api/v1/orgs/{id}/rollup`.

use super::{etag, expected_version, stale_as_412, ApiJson, PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::{attachment_response, batch_answer, item_query, ItemListParams};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use luodi_domain::item::Action;
use luodi_service::items::ItemRow;
use luodi_service::items::{self, ItemDetail, ItemInput, MilestoneInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An item in a list.
#[derive(Serialize, ToSchema)]
pub struct ItemSummary {
    pub id: i64,
    pub campaign_id: i64,
    /// task or rectification
    pub kind: String,
    pub parent_id: Option<i64>,
    pub title: String,
    pub phase: String,
    pub source: String,
    pub item_type: String,
    pub lead_org_id: i64,
    pub lead_org_code: String,
    pub lead_org_name: String,
    pub responsible_person: String,
    pub responsible_user_id: Option<i64>,
    /// draft, assigned, returned, in_progress, close_out_requested, under_review, closed, verified, suspended, withdrawn
    pub status: String,
    /// green, yellow, red, or empty when out of play
    pub light: String,
    /// normal, due_soon, overdue, closed_on_time, closed_late, or empty
    pub timeliness: String,
    pub original_due_on: NaiveDate,
    pub due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub progress_percent: i64,
    pub evidence_count: i64,
    pub version: i64,
}

impl From<ItemRow> for ItemSummary {
    fn from(r: ItemRow) -> Self {
        let i = r.item;
        ItemSummary {
            id: i.id,
            campaign_id: i.campaign_id,
            kind: i.kind,
            parent_id: i.parent_id,
            title: i.title,
            phase: i.phase,
            source: i.source,
            item_type: i.item_type,
            lead_org_id: i.lead_org_id,
            lead_org_code: r.lead_org_code,
            lead_org_name: r.lead_org_name,
            responsible_person: i.responsible_person,
            responsible_user_id: i.responsible_user_id,
            status: i.status,
            light: i.light,
            timeliness: i.timeliness,
            original_due_on: i.original_due_on,
            due_on: i.due_on,
            closed_on: i.closed_on,
            progress_percent: i.progress_percent,
            evidence_count: i.evidence_count,
            version: i.version,
        }
    }
}

/// An item with its measures, milestones, timeline and evidence.
#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    #[serde(flatten)]
    pub summary: ItemSummary,
    pub description: String,
    pub category: String,
    pub recheck_due_on: Option<NaiveDate>,
    pub pending_extension_on: Option<NaiveDate>,
    pub reopen_count: i64,
    pub measures: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub milestones: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub co_orgs: Vec<serde_json::Value>,
    /// Every lifecycle step: who, when, from, to, why.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<serde_json::Value>,
    /// Dated deadline revisions; the original deadline is never overwritten.
    #[schema(value_type = Vec<Object>)]
    pub revisions: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub extensions: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub attachments: Vec<serde_json::Value>,
    pub children: Vec<ItemSummary>,
    /// The steps the caller may take now.
    pub allowed: Vec<String>,
}

fn to_json<T: Serialize>(v: Vec<T>) -> Vec<serde_json::Value> {
    v.into_iter()
        .filter_map(|x| serde_json::to_value(x).ok())
        .collect()
}

impl From<ItemDetail> for ItemDto {
    fn from(d: ItemDetail) -> Self {
        let description = d.item.item.description.clone();
        let category = d.item.item.category.clone();
        let recheck_due_on = d.item.item.recheck_due_on;
        let pending_extension_on = d.item.item.pending_extension_on;
        let reopen_count = d.item.item.reopen_count;
        ItemDto {
            summary: d.item.into(),
            description,
            category,
            recheck_due_on,
            pending_extension_on,
            reopen_count,
            measures: d.measures.into_iter().map(|m| m.text).collect(),
            milestones: to_json(d.milestones),
            co_orgs: to_json(d.co_orgs),
            events: to_json(d.events),
            notes: to_json(d.notes),
            revisions: to_json(d.revisions),
            extensions: to_json(d.extensions),
            attachments: to_json(d.attachments),
            children: d.children.into_iter().map(Into::into).collect(),
            allowed: d.allowed.into_iter().map(str::to_owned).collect(),
        }
    }
}

fn reply(d: ItemDetail, status: StatusCode) -> Response {
    let v = d.item.item.version;
    (status, [etag(v)], Json(ItemDto::from(d))).into_response()
}

/// The ledger: items in the caller's scope, filtered, sorted and paged on the server.
#[utoipa::path(get, path = "/items", tag = "items", params(ItemListParams), responses((status = 200, body = PageOf<ItemSummary>), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<ItemListParams>,
) -> Result<Json<PageOf<ItemSummary>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    Ok(Json(PageOf::from(
        items::list(&state.svc, &s.actor, item_query(&p), page).await?,
        ItemSummary::from,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// A new item. A rectification item needs measures, a deadline and a responsible unit and person.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItemBody {
    pub campaign_id: i64,
    /// task or rectification
    pub kind: String,
    pub parent_id: Option<i64>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// study, research, review or rectification
    pub phase: String,
    /// research, self_examination, inspection, public_feedback or superior_instruction
    pub source: String,
    #[serde(default)]
    pub category: String,
    /// immediate, time_limited or long_term
    pub item_type: String,
    /// The responsible unit (责任单位).
    pub lead_org_id: i64,
    #[serde(default)]
    pub co_org_ids: Vec<i64>,
    pub responsible_user_id: Option<i64>,
    /// The responsible person (责任人).
    pub responsible_person: String,
    pub due_on: NaiveDate,
    pub goal_id: Option<i64>,
    #[serde(default)]
    pub measures: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<MilestoneBody>,
    pub weight: Option<i64>,
    /// The special programme's area this item is a measure of.
    pub programme_area_id: Option<i64>,
    /// Issue (assign) at once rather than keep a draft.
    #[serde(default)]
    pub issue: bool,
}

/// Records an item. A supervisor's item is a draft (or assigned at once with `issue`); an item
/// the responsible unit records for itself starts in progress.
#[utoipa::path(post, path = "/items", tag = "items", request_body = NewItemBody, responses((status = 201, body = ItemDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<NewItemBody>,
) -> Result<Response, ApiError> {
    let input = ItemInput {
        campaign_id: b.campaign_id,
        kind: b.kind,
        parent_id: b.parent_id,
        title: b.title,
        description: b.description,
        phase: b.phase,
        source: b.source,
        category: b.category,
        item_type: b.item_type,
        lead_org_id: b.lead_org_id,
        co_org_ids: b.co_org_ids,
        responsible_user_id: b.responsible_user_id,
        responsible_person: b.responsible_person,
        due_on: b.due_on,
        goal_id: b.goal_id,
        measures: b.measures,
        milestones: b
            .milestones
            .into_iter()
            .map(|m| MilestoneInput {
                title: m.title,
                due_on: m.due_on,
                done_on: m.done_on,
            })
            .collect(),
        weight: b.weight,
        programme_area_id: b.programme_area_id,
        issue: b.issue,
    };
    Ok(reply(
        items::create(&state.svc, &s.actor, input).await?,
        StatusCode::CREATED,
    ))
}

/// One item with its timeline. Its `ETag` is its version.
#[utoipa::path(get, path = "/items/{id}", tag = "items", params(("id" = i64, Path)), responses((status = 200, body = ItemDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(reply(
        items::get(&state.svc, &s.actor, id).await?,
        StatusCode::OK,
    ))
}

/// A lifecycle step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// assign, sign_off, return_not_ours, reassign, request_close_out, start_review, close,
    /// send_back, pass_recheck, reopen, request_extension, approve_extension, reject_extension,
    /// suspend, resume, withdraw
    pub action: String,
    /// Required for return_not_ours, send_back, reopen, request_extension, reject_extension, suspend, withdraw.
    #[serde(default)]
    pub reason: String,
    /// For request_extension.
    pub new_due_on: Option<NaiveDate>,
    /// The version read (or send If-Match).
    pub version: Option<i64>,
}

fn action_of(b: &TransitionBody) -> Result<Action, ApiError> {
    Action::from_parts(&b.action, &b.reason, Ok(b.new_due_on))
        .map_err(|e| luodi_service::error::invalid(e.field, e.code).into())
}

/// Takes a lifecycle step. Who may take it is part of the rule (the responsible unit, the
/// supervising org, a reviewer who is not the person responsible); each step is recorded.
#[utoipa::path(post, path = "/items/{id}/transitions", tag = "items", params(("id" = i64, Path)), request_body = TransitionBody,
    responses((status = 200, body = ItemDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 412, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let action = action_of(&b)?;
    let d = items::transition(&state.svc, &s.actor, id, action, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(reply(d, StatusCode::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    pub text: String,
    /// 0–100
    pub progress_percent: Option<i64>,
    pub version: Option<i64>,
}

/// A dated progress note from the responsible unit.
#[utoipa::path(post, path = "/items/{id}/notes", tag = "items", params(("id" = i64, Path)), request_body = NoteBody,
    responses((status = 200, body = ItemDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let d = items::add_note(
        &state.svc,
        &s.actor,
        id,
        &b.text,
        b.progress_percent,
        version,
    )
    .await
    .map_err(|e| stale_as_412(e, if_match))?;
    Ok(reply(d, StatusCode::OK))
}

/// A scope's figures.
#[derive(Serialize, ToSchema)]
pub struct RollupDto {
    pub org_id: i64,
    /// Items, withdrawn ones excluded.
    pub total: i64,
    #[schema(value_type = Object)]
    pub by_status: serde_json::Value,
    /// green / yellow / red
    #[schema(value_type = Object)]
    pub by_light: serde_json::Value,
    pub overdue: i64,
    pub due_soon: i64,
    pub due_so_far: i64,
    pub closed_on_time: i64,
    pub closed_late: i64,
    /// 按期办结率: closed by the original deadline among items due so far.
    pub on_time_rate: Option<f64>,
    pub average_days_to_close: Option<f64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupParams {
    pub campaign_id: Option<i64>,
    pub kind: Option<String>,
}

/// Roll-up of an org's whole subtree: counts by status and light, overdue, on-time rate, average
/// days to close. Read from counters kept current on every change; no scan of items.
#[utoipa::path(get, path = "/orgs/{id}/rollup", tag = "items", params(("id" = i64, Path), RollupParams), responses((status = 200, body = RollupDto), (status = 404, body = super::ErrorBody)))]
pub async fn rollup(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    Query(p): Query<RollupParams>,
) -> Result<Json<RollupDto>, ApiError> {
    let r = items::rollup(&state.svc, &s.actor, id, p.campaign_id, p.kind.as_deref()).await?;
    Ok(Json(RollupDto {
        org_id: id,
        total: r.total,
        by_status: serde_json::to_value(&r.by_status).unwrap_or_default(),
        by_light: serde_json::to_value(&r.by_light).unwrap_or_default(),
        overdue: r.overdue,
        due_soon: r.due_soon,
        due_so_far: r.due_so_far,
        closed_on_time: r.closed_on_time,
        closed_late: r.closed_late,
        on_time_rate: r.on_time_rate(),
        average_days_to_close: r.average_days_to_close(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub item_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// Uploads an evidence file (multipart field `file`). The type is checked by content against an
/// allow-list (PDF, images, Office and OFD documents, text); the size limit is configurable.
#[utoipa::path(post, path = "/items/{id}/evidence", tag = "items", params(("id" = i64, Path)), request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = AttachmentDto), (status = 403, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, ApiError> {
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    let a = items::add_evidence(&state.svc, &s.actor, id, &bytes, &name).await?;
    let dto = AttachmentDto {
        id: a.id,
        item_id: a.item_id,
        file_name: a.file_name,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// Downloads an evidence file: always as an attachment, never shown inline.
#[utoipa::path(get, path = "/attachments/{id}", tag = "items", params(("id" = i64, Path)), responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = items::evidence(&state.svc, &s.actor, id).await?;
    Ok(attachment_response(&a.file_name, &a.content_type, bytes))
}

/// Changes to an item's fields; absent fields are kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItemBody {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub phase: Option<String>,
    pub source: Option<String>,
    pub item_type: Option<String>,
    /// Another responsible unit: only while a draft or returned.
    pub lead_org_id: Option<i64>,
    pub responsible_person: Option<String>,
    /// A user id, or null to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub responsible_user_id: Option<Option<i64>>,
    pub co_org_ids: Option<Vec<i64>>,
    pub measures: Option<Vec<String>>,
    pub milestones: Option<Vec<MilestoneBody>>,
    pub weight: Option<i64>,
    /// Only while a draft; later deadlines move by approved extensions.
    pub due_on: Option<NaiveDate>,
    pub version: Option<i64>,
}

/// `Some(value)` when the field is present (even as null), `None` when it is absent.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Edits an item's fields. The supervising org may change everything (the deadline only while a
/// draft: later it moves by approved extensions); the responsible unit the description and
/// milestones (marking them done).
#[utoipa::path(patch, path = "/items/{id}", tag = "items", params(("id" = i64, Path)), request_body = UpdateItemBody,
    responses((status = 200, body = ItemDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 412, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<UpdateItemBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let ch = items::ItemChanges {
        title: b.title,
        description: b.description,
        category: b.category,
        phase: b.phase,
        source: b.source,
        item_type: b.item_type,
        lead_org_id: b.lead_org_id,
        responsible_person: b.responsible_person,
        responsible_user_id: b.responsible_user_id,
        co_org_ids: b.co_org_ids,
        measures: b.measures,
        milestones: b.milestones.map(|ms| {
            ms.into_iter()
                .map(|m| MilestoneInput {
                    title: m.title,
                    due_on: m.due_on,
                    done_on: m.done_on,
                })
                .collect()
        }),
        weight: b.weight,
        due_on: b.due_on,
    };
    let d = items::update(&state.svc, &s.actor, id, ch, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(reply(d, StatusCode::OK))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeBody {
    #[serde(default)]
    pub note: String,
}

/// A supervisor urges (催办) the item's responsible person: a notice in their inbox, at most once
/// a day per item.
#[utoipa::path(post, path = "/items/{id}/urge", tag = "items", params(("id" = i64, Path)), request_body = UrgeBody,
    responses((status = 204), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn urge(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<UrgeBody>,
) -> Result<StatusCode, ApiError> {
    luodi_service::reminders::urge(&state.svc, &s.actor, id, &b.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    /// urge, or a lifecycle step: assign, sign_off, send_back, approve_extension,
    /// reject_extension, start_review, close, …
    pub action: String,
    /// The items, at most 500.
    pub ids: Vec<i64>,
    /// The one reason for every item, for the steps that need one.
    #[serde(default)]
    pub reason: String,
    /// For urge: the note sent with it.
    #[serde(default)]
    pub note: String,
    /// For request_extension.
    pub new_due_on: Option<NaiveDate>,
}

/// Takes one action on many items: each item as if taken alone (its own rules, event and audit
/// record), answering per item whether it was done or refused and why. A reason the step needs
/// is checked once, before any item is touched (422).
#[utoipa::path(post, path = "/items/batch", tag = "items", operation_id = "items_batch", request_body = BatchBody,
    responses((status = 200, body = crate::kit::BatchAnswer), (status = 422, body = super::ErrorBody)))]
pub async fn batch(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    ApiJson(b): ApiJson<BatchBody>,
) -> Result<Json<crate::kit::BatchAnswer>, ApiError> {
    let action = if b.action.trim() == "urge" {
        items::BatchAction::Urge { note: b.note }
    } else {
        items::BatchAction::Step(
            Action::from_parts(&b.action, &b.reason, Ok(b.new_due_on))
                .map_err(|e| ApiError::from(luodi_service::error::invalid(e.field, e.code)))?,
        )
    };
    let lang = crate::auth::lang_of(&headers);
    let outcomes = items::batch(&state.svc, &s.actor, &b.ids, action).await?;
    Ok(Json(batch_answer(&state.i18n, lang, outcomes)))
}
