//! The campaigns list.

use super::*;

// --- The list --------------------------------------------------------------------------------

pub(super) struct CampaignRow {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) owner_id: i64,
    pub(super) owner: String,
    pub(super) dates: String,
    pub(super) can_edit: bool,
}

#[derive(Template)]
#[template(path = "campaign_list.html")]
pub(super) struct ListPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<CampaignRow>,
    pub(super) q: String,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) can_create: bool,
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let text = q.q.clone().unwrap_or_default();
    let per_page = q.per_page.map(|p| p.to_string());
    let list = campaigns_svc::list(&state.svc, actor, Some(text.trim()), q.page()).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "campaigns", "campaigns-title")
        .await?
        .with_flash(q.ok.as_deref());
    ctx.back = "/campaigns".into();
    let title = ctx.t("campaigns-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(
        list.total,
        list.page,
        list.per_page,
        &query_base(
            "/campaigns",
            &[("q", Some(&text)), ("per_page", per_page.as_deref())],
        ),
    );
    let rows = list
        .items
        .iter()
        .map(|c| CampaignRow {
            id: c.id,
            name: c.name.clone(),
            owner_id: c.owner_org_id,
            owner: c.owner_org_name.clone(),
            dates: date_range(c),
            can_edit: actor.can(Permission::ManageCampaigns, &c.owner_org_path),
        })
        .collect();
    let page = ListPage {
        rows,
        q: text,
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_create: actor.can_somewhere(Permission::ManageCampaigns),
        ctx,
    };
    Ok(render(&page))
}
