//! The account list.

use super::*;

// --- The list --------------------------------------------------------------------------------

pub(super) struct UserRow {
    pub(super) id: i64,
    pub(super) username: String,
    pub(super) display_name: String,
    pub(super) org_id: Option<i64>,
    pub(super) org_name: String,
    pub(super) disabled: bool,
    pub(super) must_change_password: bool,
    pub(super) created_at: String,
}

#[derive(Template)]
#[template(path = "users_list.html")]
pub(super) struct ListPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<UserRow>,
    pub(super) q: String,
    pub(super) disabled: bool,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) can_create: bool,
    /// An office that adds people by asking for accounts (账号申请), not by creating them.
    pub(super) can_request: bool,
}

/// The text and disabled filters as typed, and the text the service searches for.
fn filters(q: &ListQuery) -> (String, Option<String>, bool) {
    let text = q.q.clone().unwrap_or_default();
    let disabled = q.disabled.as_deref().is_some_and(|d| !d.is_empty());
    let filter = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    (text, filter, disabled)
}

/// The filtered accounts as a workbook, same columns as the page.
pub(super) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let (_, filter, disabled) = filters(&q);
    let list =
        accounts_svc::list(&state.svc, &signed.actor, filter, disabled, export_page()).await?;
    let ctx = Ctx::anonymous(&state, &headers, "users-title");
    let rows = list
        .items
        .into_iter()
        .map(|u| {
            let mut status = ctx.t(if u.disabled {
                "status-disabled"
            } else {
                "status-enabled"
            });
            if u.must_change_password {
                status = format!("{status} {}", ctx.t("users-must-change"));
            }
            vec![
                u.username.into(),
                u.display_name.into(),
                u.org_name.unwrap_or_else(|| ctx.t("users-no-org")).into(),
                status.into(),
                fmt_time(&u.created_at).into(),
            ]
        })
        .collect();
    let columns = [
        "users-username",
        "users-display-name",
        "users-org",
        "manage-status",
        "manage-created-at",
    ];
    xlsx_list(&ctx, "users-title", &columns, rows, list.total).await
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let (text, filter, disabled) = filters(&q);
    let per_page = q.per_page.map(|p| p.to_string());
    let list = accounts_svc::list(&state.svc, actor, filter, disabled, q.page()).await?;
    let mut ctx = users_ctx(&state, &headers, &signed, "users-title")
        .await?
        .with_flash(q.ok.as_deref());
    ctx.back = "/admin/users".into();
    let base = query_base(
        "/admin/users",
        &[
            ("q", Some(&text)),
            ("disabled", disabled.then_some("1")),
            ("per_page", per_page.as_deref()),
        ],
    );
    ctx.export = export_href("/admin/users/export.xlsx", &base);
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    let rows = list
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_id: u.org_id,
            org_name: u.org_name.unwrap_or_default(),
            disabled: u.disabled,
            must_change_password: u.must_change_password,
            created_at: fmt_time(&u.created_at),
        })
        .collect();
    let page = ListPage {
        rows,
        q: text,
        disabled,
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_create: actor.can_somewhere(Permission::ManageAccounts),
        can_request: luodi_service::onboarding::may_request(actor),
        ctx,
    };
    Ok(render(&page))
}
