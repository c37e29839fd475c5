//! The organisation tree pages: the tree browser and list, one org's page with its forms, and
//! the spreadsheet import.

use super::{
    fmt_time, kind_options, opt_id, pager_info, parse_version, query_base, render, render_status,
    see_other, validation, Ctx, FormErrors, ListQuery, Pager,
};
use crate::auth::{lang_of, Signed};
use crate::error::{explain, ApiError, RowMessage};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_office::ImportError;
use luodi_service::orgs::{self as orgs_svc, NewOrgInput, OrgChanges, OrgQuery};
use luodi_service::orgs::{Org, OrgNode};
use luodi_service::ServiceError;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------

/// A robot as the org page lists it.
pub struct RobotRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub has_secret: bool,
    pub enabled: bool,
}

impl RobotRow {
    pub fn new(ctx: &Ctx, w: luodi_service::webhooks::WebhookView) -> Self {
        RobotRow {
            id: w.id,
            name: w.name,
            kind: ctx.t(&format!("channel-{}", w.kind)),
            url: w.url,
            has_secret: w.has_secret,
            enabled: w.enabled,
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RobotForm {
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_page).post(create))
        .route("/orgs/tree", get(tree_fragment))
        .route("/orgs/import", get(import_page).post(import))
        .route("/orgs/import/template.xlsx", get(import_template))
        .route("/orgs/{id}", get(org_page))
        .route("/orgs/{id}/edit", post(edit))
        .route("/orgs/{id}/move", post(move_org))
        .route("/orgs/{id}/disable", post(disable))
        .route("/orgs/{id}/enable", post(enable))
}

/// An org as a tree node or a table row.
pub struct NodeView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind_label: String,
    pub child_count: i64,
    pub disabled: bool,
    pub status: String,
    /// The number of children, in words (`orgs-children-count`).
    pub meta: String,
}

fn node_view(ctx: &Ctx, n: &OrgNode) -> NodeView {
    NodeView {
        id: n.org.id,
        code: n.org.code.clone(),
        name: n.org.name.clone(),
        kind_label: ctx.kind(&n.org.kind),
        child_count: n.child_count,
        disabled: n.org.disabled,
        status: ctx.t(if n.org.disabled {
            "status-disabled"
        } else {
            "status-enabled"
        }),
        meta: ctx.tr(
            "orgs-children-count",
            &[("count", n.child_count.to_string())],
        ),
    }
}

/// A root of the tree; when it is the only one its children come with the page, so that the
/// tree opens without a request (and without JS).
pub struct TreeRoot {
    pub node: NodeView,
    pub children: Vec<NodeView>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NewOrgForm {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub name: String,
    pub kind: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    pub parent_code: String,
    pub version: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub version: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TreeQuery {
    pub parent: Option<String>,
}

// --- The tree and the list -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orgs_list.html")]
struct OrgsPage {
    ctx: Ctx,
    roots: Vec<TreeRoot>,
    load_error: String,
    rows: Vec<NodeView>,
    pager: Pager,
    pager_info: String,
    q: String,
    kind: String,
    disabled: bool,
    kinds: Vec<(String, String)>,
    can_create_root: bool,
    form: NewOrgForm,
    errors: FormErrors,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    orgs_list_response(
        &state,
        &headers,
        &signed,
        q,
        NewOrgForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn orgs_list_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &luodi_service::auth::SignedIn,
    q: ListQuery,
    form: NewOrgForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadOrgs) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(state, headers, signed, "orgs", "orgs-title")
        .await?
        .with_flash(q.ok.as_deref());
    ctx.back = "/orgs".into();
    let title = ctx.t("orgs-title");
    ctx = ctx.crumb(title, "");

    // The tree: the scope the user stands in, or the roots of what they may see.
    let top: Vec<OrgNode> = match &ctx.scope {
        Some(s) => {
            let d = orgs_svc::detail(&state.svc, actor, s.id).await?;
            vec![OrgNode {
                org: d.org,
                child_count: d.child_count,
            }]
        }
        None => orgs_svc::children(&state.svc, actor, None, true).await?,
    };
    let mut roots = Vec::new();
    let single = top.len() == 1;
    for n in &top {
        let children = if single && n.child_count > 0 {
            orgs_svc::children(&state.svc, actor, Some(n.org.id), true)
                .await?
                .iter()
                .map(|c| node_view(&ctx, c))
                .collect()
        } else {
            Vec::new()
        };
        roots.push(TreeRoot {
            node: node_view(&ctx, n),
            children,
        });
    }

    // The list.
    let text = q.q.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let disabled = q.disabled.as_deref().is_some_and(|d| !d.is_empty());
    let per_page = q.per_page.map(|p| p.to_string());
    let query = OrgQuery {
        within: ctx.scope.as_ref().map(|s| s.id),
        parent_id: None,
        kind: Some(kind.trim().to_owned()).filter(|k| !k.is_empty()),
        q: Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        include_disabled: disabled,
    };
    let list = orgs_svc::list(&state.svc, actor, query, q.page()).await?;
    let base = query_base(
        "/orgs",
        &[
            ("q", Some(&text)),
            ("kind", Some(&kind)),
            ("disabled", disabled.then_some("1")),
            ("per_page", per_page.as_deref()),
        ],
    );
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OrgsPage {
        roots,
        load_error: ctx.t("orgs-tree-load-error"),
        rows: list.items.iter().map(|n| node_view(&ctx, n)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        q: text,
        kind,
        disabled,
        kinds: kind_options(&ctx),
        can_create_root: actor.can(Permission::ManageOrgs, "/"),
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

#[derive(Template)]
#[template(path = "orgs_tree.html")]
struct TreeFragment {
    nodes: Vec<NodeView>,
    load_error: String,
}

async fn tree_fragment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<TreeQuery>,
) -> Result<Response, ApiError> {
    let parent = opt_id(q.parent.as_deref());
    let kids = orgs_svc::children(&state.svc, &signed.actor, parent, true).await?;
    // A light context: the fragment needs labels only, not the page chrome.
    let ctx = Ctx::anonymous(&state, &headers, "orgs-title");
    let nodes = kids.iter().map(|n| node_view(&ctx, n)).collect();
    let frag = TreeFragment {
        nodes,
        load_error: ctx.t("orgs-tree-load-error"),
    };
    Ok(match frag.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal").into_response()
        }
    })
}

// --- One org ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orgs_show.html")]
struct OrgPage {
    ctx: Ctx,
    org: Org,
    kind_label: String,
    parent: Option<Org>,
    created_at: String,
    updated_at: String,
    children: Vec<NodeView>,
    pager: Pager,
    pager_info: String,
    can_manage: bool,
    kinds: Vec<(String, String)>,
    edit: EditForm,
    edit_errors: FormErrors,
    child: NewOrgForm,
    child_errors: FormErrors,
    mv: MoveForm,
    move_errors: FormErrors,
    /// A supervisor over the org may urge it (催办).
    can_urge: bool,
    robots: Vec<RobotRow>,
    robot: RobotForm,
    robot_errors: FormErrors,
}

/// The forms of an org page as entered, when one of them was refused.
#[derive(Default)]
pub(crate) struct OrgForms {
    pub edit: Option<EditForm>,
    pub edit_errors: FormErrors,
    pub child: NewOrgForm,
    pub child_errors: FormErrors,
    pub mv: MoveForm,
    pub move_errors: FormErrors,
    pub robot: RobotForm,
    pub robot_errors: FormErrors,
}

impl OrgForms {
    fn refused(&self) -> bool {
        !self.edit_errors.is_empty()
            || !self.child_errors.is_empty()
            || !self.move_errors.is_empty()
            || !self.robot_errors.is_empty()
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrgPageQuery {
    page: Option<i64>,
    ok: Option<String>,
    refused: Option<String>,
}

async fn org_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OrgPageQuery>,
) -> Result<Response, ApiError> {
    org_response(&state, &headers, &signed, id, q, OrgForms::default()).await
}

pub(crate) async fn org_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &luodi_service::auth::SignedIn,
    id: i64,
    q: OrgPageQuery,
    forms: OrgForms,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let detail = orgs_svc::detail(&state.svc, actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "orgs", "orgs-title")
        .await?
        .with_flash(q.ok.as_deref())
        .with_refusal(q.refused.as_deref());
    ctx.back = format!("/orgs/{id}");
    let title = ctx.t("orgs-title");
    ctx = ctx.crumb(title, "/orgs");
    for a in &detail.ancestors {
        ctx = ctx.crumb(a.name.clone(), &format!("/orgs/{}", a.id));
    }
    ctx = ctx.crumb(detail.org.name.clone(), "");
    ctx.title = detail.org.name.clone();

    let page = q.page.unwrap_or(1).max(1);
    let query = OrgQuery {
        parent_id: Some(id),
        include_disabled: true,
        ..Default::default()
    };
    let kids = orgs_svc::list(&state.svc, actor, query, luodi_service::Page::new(page, 50)).await?;
    let pager = Pager::new(
        kids.total,
        kids.page,
        kids.per_page,
        &format!("/orgs/{id}?"),
    );
    let org = detail.org;
    let status = if forms.refused() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let edit = forms.edit.unwrap_or_else(|| EditForm {
        name: org.name.clone(),
        kind: org.kind.clone(),
        version: org.version.to_string(),
    });
    let can_manage = actor.can(Permission::ManageOrgs, &org.path);
    let robots = if can_manage {
        luodi_service::webhooks::list(&state.svc, actor, org.id)
            .await?
            .into_iter()
            .map(|w| RobotRow::new(&ctx, w))
            .collect()
    } else {
        Vec::new()
    };
    let page = OrgPage {
        can_urge: actor.can(Permission::SuperviseItems, &org.path),
        robots,
        robot: forms.robot,
        robot_errors: forms.robot_errors,
        kind_label: ctx.kind(&org.kind),
        parent: detail
            .ancestors
            .last()
            .filter(|a| Some(a.id) == org.parent_id)
            .cloned(),
        created_at: fmt_time(&org.created_at),
        updated_at: fmt_time(&org.updated_at),
        children: kids.items.iter().map(|n| node_view(&ctx, n)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_manage,
        kinds: kind_options(&ctx),
        edit,
        edit_errors: forms.edit_errors,
        child: forms.child,
        child_errors: forms.child_errors,
        mv: forms.mv,
        move_errors: forms.move_errors,
        org,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<NewOrgForm>,
) -> Result<Response, ApiError> {
    let parent_id = opt_id(Some(&form.parent_id));
    let input = NewOrgInput {
        code: form.code.clone(),
        name: form.name.clone(),
        kind: form.kind.clone(),
        parent_id,
    };
    let v = match orgs_svc::create(&state.svc, &signed.actor, input).await {
        Ok(org) => return Ok(see_other(&format!("/orgs/{}", org.id), "created")),
        Err(e) => validation(e)?,
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    errors.absorb(&state.i18n, lang, &v, |f| {
        matches!(f, "code" | "name" | "kind").then(|| f.to_owned())
    });
    let errors = errors.finish(&state.i18n, lang);
    match parent_id {
        Some(pid) => {
            let forms = OrgForms {
                child: form,
                child_errors: errors,
                ..Default::default()
            };
            org_response(
                &state,
                &headers,
                &signed,
                pid,
                OrgPageQuery::default(),
                forms,
            )
            .await
        }
        None => {
            orgs_list_response(
                &state,
                &headers,
                &signed,
                ListQuery::default(),
                form,
                errors,
            )
            .await
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let changes = OrgChanges {
        name: Some(form.name.clone()),
        kind: Some(form.kind.clone()),
        disabled: None,
    };
    let v = match orgs_svc::update(&state.svc, &signed.actor, id, changes, version).await {
        Ok(_) => return Ok(see_other(&format!("/orgs/{id}"), "saved")),
        Err(e) => validation(e)?,
    };
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    errors.absorb(&state.i18n, lang, &v, |f| {
        matches!(f, "name" | "kind").then(|| f.to_owned())
    });
    let forms = OrgForms {
        edit: Some(form),
        edit_errors: errors.finish(&state.i18n, lang),
        ..Default::default()
    };
    org_response(
        &state,
        &headers,
        &signed,
        id,
        OrgPageQuery::default(),
        forms,
    )
    .await
}

async fn move_org(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let code = form.parent_code.trim();
    let parent = if code.is_empty() {
        Some(None)
    } else {
        match orgs_svc::get_by_code(&state.svc, &signed.actor, code).await {
            Ok(p) => Some(Some(p.id)),
            Err(ServiceError::NotFound(_)) => {
                errors.add(
                    &state.i18n,
                    lang,
                    "parent_code",
                    "unknown_parent",
                    &[("value", code.to_owned())],
                );
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    if let Some(parent) = parent {
        let v = match orgs_svc::move_org(&state.svc, &signed.actor, id, parent, version).await {
            Ok(_) => return Ok(see_other(&format!("/orgs/{id}"), "moved")),
            Err(e) => validation(e)?,
        };
        errors.absorb(&state.i18n, lang, &v, |f| {
            (f == "parent_id").then(|| "parent_code".to_owned())
        });
    }
    let forms = OrgForms {
        mv: form,
        move_errors: errors.finish(&state.i18n, lang),
        ..Default::default()
    };
    org_response(
        &state,
        &headers,
        &signed,
        id,
        OrgPageQuery::default(),
        forms,
    )
    .await
}

async fn set_disabled(
    state: &AppState,
    signed: &luodi_service::auth::SignedIn,
    id: i64,
    version: &str,
    disabled: bool,
) -> Result<Response, ApiError> {
    let version = parse_version(version)?;
    let changes = OrgChanges {
        disabled: Some(disabled),
        ..Default::default()
    };
    orgs_svc::update(&state.svc, &signed.actor, id, changes, version).await?;
    Ok(see_other(
        &format!("/orgs/{id}"),
        if disabled { "disabled" } else { "enabled" },
    ))
}

async fn disable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, &form.version, true).await
}

async fn enable(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<VersionForm>,
) -> Result<Response, ApiError> {
    set_disabled(&state, &signed, id, &form.version, false).await
}

// --- Import ----------------------------------------------------------------------------------

/// Rows of import errors shown at most; the rest are counted.
const MAX_ROWS_SHOWN: usize = 500;

/// "机构导入模板.xlsx", percent-encoded for `filename*` (RFC 5987).
const TEMPLATE_NAME_UTF8: &str = "%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "orgs_import.html")]
struct ImportPage {
    ctx: Ctx,
    max_bytes: u64,
    too_large: String,
    error: Option<String>,
    detail: Option<String>,
    rows: Vec<RowMessage>,
    more: String,
}

async fn import_ctx(
    state: &AppState,
    headers: &HeaderMap,
    signed: &luodi_service::auth::SignedIn,
) -> Result<Ctx, ApiError> {
    if !signed.actor.can_somewhere(Permission::ManageOrgs) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(state, headers, signed, "import", "import-title").await?;
    ctx.back = "/orgs/import".into();
    let (orgs, title) = (ctx.t("orgs-title"), ctx.t("import-title"));
    Ok(ctx.crumb(orgs, "/orgs").crumb(title, ""))
}

fn import_view(state: &AppState, ctx: Ctx) -> ImportPage {
    let max = state.config.max_upload_bytes;
    let too_large = ctx.tr(
        "err-file_too_large",
        &[("max", format!("{} MiB", max / (1024 * 1024)))],
    );
    ImportPage {
        ctx,
        max_bytes: max,
        too_large,
        error: None,
        detail: None,
        rows: Vec::new(),
        more: String::new(),
    }
}

async fn import_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let ctx = import_ctx(&state, &headers, &signed).await?;
    Ok(render(&import_view(&state, ctx)))
}

async fn import_template(Signed(signed): Signed) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::ReadOrgs) {
        return Err(ServiceError::Forbidden.into());
    }
    let bytes = luodi_office::org_import::template_xlsx().map_err(|e| {
        tracing::error!(error = %e, "import template failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    })?;
    let disposition = format!(
        "attachment; filename=\"org-import-template.xlsx\"; filename*=UTF-8''{TEMPLATE_NAME_UTF8}"
    );
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_TYPE));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Reads the `file` part of the upload: its name and bytes, refusing more than `max` bytes.
async fn read_upload(
    mut mp: Multipart,
    max: u64,
) -> Result<Option<(String, Vec<u8>)>, ServiceError> {
    let too_large = || ServiceError::Import(ImportError::TooLarge { max_bytes: max });
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ServiceError::Import(ImportError::Unreadable(e.body_text()))
        }
    };
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut buf = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if (buf.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        if name.is_empty() && buf.is_empty() {
            return Ok(None);
        }
        return Ok(Some((name, buf)));
    }
    Ok(None)
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    mp: Multipart,
) -> Result<Response, ApiError> {
    // Who may import is settled before the file is read.
    let permit = orgs_svc::admit_import(&state.svc, &signed.actor)?;
    let max = state.config.max_upload_bytes;
    let result = match read_upload(mp, max).await {
        Ok(None) => Err(None),
        Ok(Some((name, bytes))) => orgs_svc::import_file(&state.svc, permit, bytes, &name)
            .await
            .map(|_| ())
            .map_err(Some),
        Err(e) => Err(Some(e)),
    };
    let err = match result {
        Ok(_) => return Ok(Redirect::to("/orgs?ok=imported").into_response()),
        // Refusals of the file are shown on the form; anything else is an error page.
        Err(Some(e @ (ServiceError::Import(_) | ServiceError::Validation(_)))) => {
            Some(ApiError::from(e))
        }
        Err(Some(e)) => return Err(e.into()),
        Err(None) => None,
    };
    let ctx = import_ctx(&state, &headers, &signed).await?;
    let mut page = import_view(&state, ctx);
    let status = match err {
        None => {
            page.error = Some(page.ctx.t("import-no-file"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(err) => {
            let mut x = explain(&err, &state.i18n, page.ctx.lang);
            page.error = Some(x.message.clone());
            let mut details: Vec<String> = x.fields.iter().map(|f| f.message.clone()).collect();
            details.extend(x.text.take());
            page.detail = Some(details.join(" ")).filter(|d| !d.is_empty());
            if x.rows.len() > MAX_ROWS_SHOWN {
                page.more = page.ctx.tr(
                    "import-more-rows",
                    &[("count", (x.rows.len() - MAX_ROWS_SHOWN).to_string())],
                );
                x.rows.truncate(MAX_ROWS_SHOWN);
            }
            page.rows = x.rows;
            if matches!(err.details, crate::error::Details::Rows(_)) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                err.status
            }
        }
    };
    Ok(render_status(status, &page))
}
