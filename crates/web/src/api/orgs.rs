//! `/api/v1/orgs`: the organisation tree.

use super::{etag, expected_version, stale_as_412, ApiJson, PageOf, Paging};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::kit::read_upload;
use crate::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_service::orgs::{self, NewOrgInput, OrgChanges, OrgQuery};
use luodi_service::orgs::{Org, OrgNode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An organisation.
#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Unique code, e.g. an administrative division code.
    pub code: String,
    pub name: String,
    /// province, city, county, department, enterprise, unit or branch.
    pub kind: String,
    pub depth: i64,
    pub disabled: bool,
    /// Number of direct children (in lists).
    pub child_count: Option<i64>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl OrgDto {
    pub fn from_org(o: Org, child_count: Option<i64>) -> Self {
        OrgDto {
            id: o.id,
            parent_id: o.parent_id,
            code: o.code,
            name: o.name,
            kind: o.kind,
            depth: o.depth,
            disabled: o.disabled,
            child_count,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
    fn from_node(n: OrgNode) -> Self {
        Self::from_org(n.org, Some(n.child_count))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgListParams {
    /// Only this org's subtree.
    pub within: Option<i64>,
    /// Only direct children of this org.
    pub parent_id: Option<i64>,
    pub kind: Option<String>,
    /// Text in the name or code.
    pub q: Option<String>,
    #[serde(default)]
    pub include_disabled: bool,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Lists the orgs in the caller's scope.
#[utoipa::path(get, path = "/orgs", tag = "orgs", params(OrgListParams),
    responses((status = 200, body = PageOf<OrgDto>), (status = 401, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<OrgListParams>,
) -> Result<Json<PageOf<OrgDto>>, ApiError> {
    let page = Paging {
        page: p.page,
        per_page: p.per_page,
    }
    .page();
    let q = OrgQuery {
        within: p.within,
        parent_id: p.parent_id,
        kind: p.kind,
        q: p.q,
        include_disabled: p.include_disabled,
    };
    Ok(Json(PageOf::from(
        orgs::list(&state.svc, &s.actor, q, page).await?,
        OrgDto::from_node,
    )))
}

/// A new org.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrgBody {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The parent; only whole-tree administrators may create roots.
    pub parent_id: Option<i64>,
}

/// Creates an org under a parent in the caller's scope.
#[utoipa::path(post, path = "/orgs", tag = "orgs", request_body = NewOrgBody,
    responses((status = 201, body = OrgDto), (status = 422, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<NewOrgBody>,
) -> Result<Response, ApiError> {
    let org = orgs::create(
        &state.svc,
        &s.actor,
        NewOrgInput {
            code: b.code,
            name: b.name,
            kind: b.kind,
            parent_id: b.parent_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [etag(org.version)],
        Json(OrgDto::from_org(org, Some(0))),
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgLookupParams {
    /// Words typed (part of a name or code; a place name may run into the unit's name, e.g.
    /// `沈阳市和平区`). Empty: the first orgs of the caller's scope, nearest the root.
    #[serde(default)]
    pub q: String,
    /// Only this org's subtree (an org the caller may read).
    pub under: Option<i64>,
    /// At most this many answers (1–50, default 20).
    pub limit: Option<i64>,
}

/// An org a picker offers.
#[derive(Serialize, ToSchema)]
pub struct OrgHitDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    /// The parent's name, when the caller may read the parent.
    pub parent_name: Option<String>,
    /// Names of the ancestors the caller may read, root first (not the org itself).
    pub path_names: Vec<String>,
}

/// Orgs whose name or code holds the typed words, for pickers: enabled orgs the caller may
/// read, best match first (exact code, then a code or name that starts with the text, then
/// nearer the root). One query whatever the tree's size.
#[utoipa::path(get, path = "/orgs/lookup", tag = "orgs", operation_id = "orgs_lookup", params(OrgLookupParams),
    responses((status = 200, body = Vec<OrgHitDto>), (status = 404, body = super::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Signed(s): Signed,
    Query(p): Query<OrgLookupParams>,
) -> Result<Json<Vec<OrgHitDto>>, ApiError> {
    let hits = orgs::lookup(&state.svc, &s.actor, &p.q, p.under, p.limit).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| OrgHitDto {
                id: h.org.id,
                code: h.org.code,
                name: h.org.name,
                kind: h.org.kind,
                parent_id: h.org.parent_id,
                parent_name: h.parent_name,
                path_names: h.path_names,
            })
            .collect(),
    ))
}

/// One org. Its `ETag` is its version.
#[utoipa::path(get, path = "/orgs/{id}", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = OrgDto), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = orgs::detail(&state.svc, &s.actor, id).await?;
    Ok((
        [etag(d.org.version)],
        Json(OrgDto::from_org(d.org, Some(d.child_count))),
    )
        .into_response())
}

/// Direct children of an org.
#[utoipa::path(get, path = "/orgs/{id}/children", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OrgDto>), (status = 404, body = super::ErrorBody)))]
pub async fn children(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<Vec<OrgDto>>, ApiError> {
    Ok(Json(
        orgs::children(&state.svc, &s.actor, Some(id), true)
            .await?
            .into_iter()
            .map(OrgDto::from_node)
            .collect(),
    ))
}

/// Changes to an org; absent fields are kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgBody {
    pub name: Option<String>,
    pub kind: Option<String>,
    /// Disable (true) or enable (false).
    pub disabled: Option<bool>,
    /// The version read; or send `If-Match`.
    pub version: Option<i64>,
}

/// Renames, re-kinds, disables or enables an org.
#[utoipa::path(patch, path = "/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = UpdateOrgBody,
    responses((status = 200, body = OrgDto), (status = 409, body = super::ErrorBody), (status = 412, body = super::ErrorBody), (status = 428, body = super::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<UpdateOrgBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let changes = OrgChanges {
        name: b.name,
        kind: b.kind,
        disabled: b.disabled,
    };
    let org = orgs::update(&state.svc, &s.actor, id, changes, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(([etag(org.version)], Json(OrgDto::from_org(org, None))).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveOrgBody {
    /// The new parent (null: make it a root, whole-tree administrators only).
    pub parent_id: Option<i64>,
    pub version: Option<i64>,
}

/// Moves an org and its subtree under another parent; a move into its own subtree is refused.
#[utoipa::path(post, path = "/orgs/{id}/move", tag = "orgs", params(("id" = i64, Path)), request_body = MoveOrgBody,
    responses((status = 200, body = OrgDto), (status = 422, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
pub async fn move_org(
    State(state): State<AppState>,
    Signed(s): Signed,
    headers: HeaderMap,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MoveOrgBody>,
) -> Result<Response, ApiError> {
    let (version, if_match) = expected_version(&headers, b.version)?;
    let org = orgs::move_org(&state.svc, &s.actor, id, b.parent_id, version)
        .await
        .map_err(|e| stale_as_412(e, if_match))?;
    Ok(([etag(org.version)], Json(OrgDto::from_org(org, None))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
}

/// Imports a tree from .xlsx or .csv (multipart field `file`; columns 编码/code, 名称/name,
/// 类型/kind, 上级编码/parent code). Every row is checked first; one bad row and nothing is
/// imported, and the error lists each bad cell by row and column.
#[utoipa::path(post, path = "/orgs/import", tag = "orgs", request_body(content_type = "multipart/form-data", content = String),
    responses((status = 200, body = ImportResult), (status = 422, body = super::ErrorBody), (status = 413, body = super::ErrorBody), (status = 415, body = super::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    Signed(s): Signed,
    mp: Multipart,
) -> Result<Json<ImportResult>, ApiError> {
    // Who may import is settled before the file is read.
    let permit = orgs::admit_import(&state.svc, &s.actor)?;
    let (name, bytes) = read_upload(mp, state.config.max_upload_bytes).await?;
    let summary = orgs::import_file(&state.svc, permit, bytes, &name).await?;
    Ok(Json(ImportResult {
        created: summary.created,
    }))
}
