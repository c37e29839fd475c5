//! `/api/v1/audit`: the audit trail, for the audit administrator.

use super::ApiJson;
use super::{PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use luodi_service::audit::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    /// ok, refused
    pub outcome: String,
}

impl From<AuditRecord> for AuditDto {
    fn from(r: AuditRecord) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditDto {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            ip: r.ip,
            outcome: r.outcome,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Browses the audit trail (audit administrator only), newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditParams), responses((status = 200, body = PageOf<AuditDto>), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<AuditParams>,
) -> Result<Json<PageOf<AuditDto>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    let f = AuditFilter {
        scopes: vec![],
        actor: p.actor,
        action: p.action,
        object_type: p.object_type,
        outcome: p.outcome,
        from: p.from,
        to: p.to,
    };
    Ok(Json(PageOf::from(
        luodi_service::audit::list(&state.svc, &s.actor, f, page).await?,
        AuditDto::from,
    )))
}

/// What verifying the chain found.
#[derive(Serialize, ToSchema)]
pub struct VerifyDto {
    /// True when every record and the chain from its start to its head hold.
    pub ok: bool,
    /// Sealed records checked.
    pub checked: u64,
    /// Records written by luodi, not sealed yet (the sealer runs every few seconds).
    pub unsealed: u64,
    pub first_seq: i64,
    /// The head; note it elsewhere to notice later if the newest records were cut off.
    pub head_seq: i64,
    pub head_mac: String,
    pub purges: usize,
    /// With `head`: true when the chain still reaches that head unchanged, false when it lies
    /// in purged records (check it against their archive).
    pub anchor_reached: Option<bool>,
    /// modified, inserted, deleted, truncated, forged_purge, cut or rewritten
    pub problem_kind: Option<String>,
    /// The first problem, in words.
    pub problem: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct VerifyParams {
    /// A head written down earlier, `SEQ:MAC` (printed on every published bulletin and in the
    /// daily log line): the chain must still reach it unchanged.
    pub head: Option<String>,
}

/// Verifies the whole audit chain (audit administrator of the whole tree), and that it still
/// reaches a head written down earlier, if one is given.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", params(VerifyParams), responses((status = 200, body = VerifyDto), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<VerifyParams>,
) -> Result<Json<VerifyDto>, ApiError> {
    let anchor = luodi_service::audit::anchor(p.head.as_deref())?;
    let v = luodi_service::audit::verify(&state.svc, &s.actor, anchor.as_ref()).await?;
    let kind = v.problem.as_ref().and_then(|b| {
        serde_json::to_value(b)
            .ok()
            .and_then(|j| j.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
    });
    Ok(Json(VerifyDto {
        ok: v.ok(),
        checked: v.checked,
        unsealed: v.unsealed,
        first_seq: v.first_seq,
        head_seq: v.head_seq,
        head_mac: v.head_mac,
        purges: v.purges,
        anchor_reached: v.anchor,
        problem_kind: kind,
        problem: v.problem.map(|b| b.to_string()),
    }))
}

/// A purge of audit records past their retention.
#[derive(Serialize, ToSchema)]
pub struct PurgeDto {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    /// Records from before this moment were purged.
    pub before: DateTime<Utc>,
    pub from_seq: i64,
    pub up_to_seq: i64,
    pub records: i64,
    pub archive_name: String,
    /// SHA-256 of the archive file.
    pub archive_sha256: String,
}

impl From<luodi_service::audit::Purge> for PurgeDto {
    fn from(p: luodi_service::audit::Purge) -> Self {
        PurgeDto {
            id: p.id,
            at: p.at,
            actor_name: p.actor_name,
            before: p.before,
            from_seq: p.from_seq,
            up_to_seq: p.up_to_seq,
            records: p.records,
            archive_name: p.archive_name,
            archive_sha256: p.archive_sha256,
        }
    }
}

/// The purges so far (audit administrator of the whole tree).
#[utoipa::path(get, path = "/audit/purges", tag = "audit", responses((status = 200, body = Vec<PurgeDto>), (status = 403, body = super::ErrorBody)))]
pub async fn purges(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<Vec<PurgeDto>>, ApiError> {
    let list = luodi_service::audit::purges(&state.svc, &s.actor).await?;
    Ok(Json(list.into_iter().map(PurgeDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PurgeBody {
    /// Purge the records from before this moment; it must lie at least the retention period
    /// (180 days by default) back.
    pub before: DateTime<Utc>,
}

/// Archives, then removes, the audit records from before `before` (audit administrator of the
/// whole tree). The archive keeps every record with its MACs; the purge itself is audited.
#[utoipa::path(post, path = "/audit/purges", tag = "audit", request_body = PurgeBody, responses((status = 201, body = PurgeDto), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn purge(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<PurgeBody>,
) -> Result<Response, ApiError> {
    let p = luodi_service::audit::purge(&state.svc, &s.actor, b.before).await?;
    Ok((StatusCode::CREATED, Json(PurgeDto::from(p))).into_response())
}

/// A purge's archive: one JSON line per record, with its sequence number and MACs.
#[utoipa::path(get, path = "/audit/purges/{id}/archive", tag = "audit", params(("id" = i64, Path)), responses((status = 200, content_type = "text/plain", body = Vec<u8>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn archive(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = luodi_service::audit::purge_archive(&state.svc, &s.actor, id).await?;
    Ok(crate::kit::attachment_response(
        &name,
        "text/plain; charset=utf-8",
        bytes,
    ))
}
