//! One campaign's page: its requirements, goals, phases and metrics.

use super::*;

// --- One campaign ----------------------------------------------------------------------------

pub(super) struct PhaseRow {
    pub(super) kind_label: String,
    pub(super) name: String,
    pub(super) starts_on: String,
    pub(super) ends_on: String,
}

#[derive(Template)]
#[template(path = "campaign_show.html")]
pub(super) struct ShowPage {
    pub(super) ctx: Ctx,
    pub(super) c: Campaign,
    pub(super) dates: String,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) requirements: Vec<String>,
    pub(super) fundamental_task: Vec<String>,
    pub(super) goals: Vec<(String, String)>,
    pub(super) phases: Vec<PhaseRow>,
    pub(super) scope: Vec<(i64, String, String)>,
    pub(super) can_edit: bool,
    /// (metric, label, shown) of every metric a campaign can switch off.
    pub(super) metrics: Vec<(String, String, bool)>,
}

pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let d = campaigns_svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "campaigns", "campaigns-title")
        .await?
        .with_flash(q.ok.as_deref());
    ctx.back = format!("/campaigns/{id}");
    ctx.title = d.campaign.name.clone();
    let title = ctx.t("campaigns-title");
    let ctx = ctx
        .crumb(title, "/campaigns")
        .crumb(d.campaign.name.clone(), "");
    let phases = d
        .phases
        .iter()
        .map(|p| PhaseRow {
            kind_label: ctx.t(&format!("phase-{}", p.kind)),
            name: p.name.clone(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
        })
        .collect();
    let hidden =
        luodi_service::campaigns::hidden_metrics(&state.svc, &signed.actor, d.campaign.id).await?;
    let metrics = luodi_domain::campaign::METRICS
        .iter()
        .map(|m| {
            (
                m.to_string(),
                ctx.t(&format!("metric-{m}")),
                !hidden.iter().any(|h| h == m),
            )
        })
        .collect();
    let page = ShowPage {
        metrics,
        dates: date_range(&d.campaign),
        created_at: fmt_time(&d.campaign.created_at),
        updated_at: fmt_time(&d.campaign.updated_at),
        requirements: paragraphs(&d.campaign.requirements),
        fundamental_task: paragraphs(&d.campaign.fundamental_task),
        goals: d
            .goals
            .iter()
            .map(|g| (g.title.clone(), g.description.clone()))
            .collect(),
        phases,
        scope: d
            .scope
            .iter()
            .map(|s| (s.org_id, s.name.clone(), s.code.clone()))
            .collect(),
        can_edit: signed
            .actor
            .can(Permission::ManageCampaigns, &d.campaign.owner_org_path),
        c: d.campaign,
        ctx,
    };
    Ok(render(&page))
}
