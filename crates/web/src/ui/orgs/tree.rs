//! The org tree browser and the list of orgs, filtered and paged.

use super::*;
use crate::ui::forms::form_status;

// --- The tree and the list -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "orgs_list.html")]
pub(super) struct OrgsPage {
    pub(super) ctx: Ctx,
    pub(super) roots: Vec<TreeRoot>,
    pub(super) load_error: String,
    pub(super) rows: Vec<NodeView>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) q: String,
    pub(super) kind: String,
    pub(super) disabled: bool,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) can_create_root: bool,
    pub(super) form: NewOrgForm,
    pub(super) errors: FormErrors,
}

pub(super) async fn list_page(
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

pub(super) async fn orgs_list_response(
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
    let (query, text, kind, disabled) = org_query(&ctx, &q);
    let per_page = q.per_page.map(|p| p.to_string());
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
    ctx.export = export_href("/orgs/export.xlsx", &base);
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let status = form_status(&errors);
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

/// The list's query from the page's filters, within the scope the reader stands in; the text,
/// kind and disabled filters as read.
fn org_query(ctx: &Ctx, q: &ListQuery) -> (OrgQuery, String, String, bool) {
    let text = q.q.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let disabled = q.disabled.as_deref().is_some_and(|d| !d.is_empty());
    let query = OrgQuery {
        within: ctx.scope.as_ref().map(|s| s.id),
        parent_id: None,
        kind: Some(kind.trim().to_owned()).filter(|k| !k.is_empty()),
        q: Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        include_disabled: disabled,
    };
    (query, text, kind, disabled)
}

/// The filtered list as a workbook, same columns as the page.
pub(super) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    // The full context: the list stands in the reader's scope, as on the page.
    let ctx = Ctx::signed(&state, &headers, &signed, "orgs", "orgs-title").await?;
    let (query, ..) = org_query(&ctx, &q);
    let list = orgs_svc::list(&state.svc, &signed.actor, query, export_page()).await?;
    let rows = list
        .items
        .iter()
        .map(|n| {
            let v = node_view(&ctx, n);
            vec![
                v.code.into(),
                v.name.into(),
                v.kind_label.into(),
                Cell::from(v.child_count),
                v.status.into(),
            ]
        })
        .collect();
    let columns = [
        "orgs-code",
        "orgs-name",
        "orgs-kind",
        "orgs-child-count",
        "manage-status",
    ];
    xlsx_list(&ctx, "orgs-title", &columns, rows, list.total).await
}

#[derive(Template)]
#[template(path = "orgs_tree.html")]
pub(super) struct TreeFragment {
    pub(super) nodes: Vec<NodeView>,
    pub(super) load_error: String,
}

pub(super) async fn tree_fragment(
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
