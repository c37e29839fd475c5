//! The reports list: what each org owes for each period, filtered and paged.

use super::*;

// --- The list --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportListQuery {
    pub status: String,
    pub period: String,
    pub missing: String,
    /// An org whose subtree's reports are shown (a dashboard's drill-down).
    pub within: String,
    /// `on_time` or `late`: by first submission against the cut-off.
    pub punctuality: String,
    pub campaign_id: String,
    pub page: String,
    pub ok: String,
}

pub(super) struct ReportRow {
    pub(super) id: i64,
    pub(super) period: String,
    pub(super) rule: String,
    pub(super) org_id: i64,
    pub(super) org_name: String,
    pub(super) due: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) state: &'static str,
    pub(super) state_label: String,
    pub(super) state_class: &'static str,
}

#[derive(Template)]
#[template(path = "report_list.html")]
pub(super) struct ListPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<ReportRow>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) statuses: Vec<(String, String)>,
    pub(super) status: String,
    pub(super) period: String,
    /// The current ISO week and the four before it, offered under the period field (which
    /// also takes a month or any other period key).
    pub(super) recent_weeks: Vec<String>,
    pub(super) missing: bool,
    pub(super) can_rules: bool,
    /// Filters from a link that have no field in the bar (a dashboard's drill-down).
    pub(super) drill: Vec<String>,
    pub(super) hidden: Vec<(&'static str, String)>,
}

/// The list's filters as the page reads them from its query, and the service's filter.
struct Filters {
    filter: ReportFilter,
    status: String,
    period: String,
    missing: bool,
    within: Option<luodi_service::orgs::Org>,
    punctuality: Option<String>,
    campaign_id: Option<i64>,
}

async fn filters(
    state: &AppState,
    actor: &Actor,
    q: &ReportListQuery,
) -> Result<Filters, ApiError> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let now = state.svc.now();
    let status = Some(q.status.trim())
        .filter(|s| STATUSES.contains(s))
        .unwrap_or_default()
        .to_owned();
    let period = q.period.trim().chars().take(40).collect::<String>();
    let missing = !q.missing.trim().is_empty();
    let within = match opt_id(Some(&q.within)) {
        Some(id) => Some(luodi_service::orgs::get(&state.svc, actor, id).await?),
        None => None,
    };
    let punctuality = Some(q.punctuality.trim())
        .filter(|p| matches!(*p, "on_time" | "late"))
        .map(str::to_owned);
    let campaign_id = opt_id(Some(&q.campaign_id));
    let filter = ReportFilter {
        within: within.as_ref().map(|o| o.path.clone()),
        punctuality: punctuality.clone(),
        campaign_id,
        period_key: (!period.is_empty()).then(|| period.clone()),
        statuses: match status.as_str() {
            "" => Vec::new(),
            // What the unit still has to write: not begun, a draft, or sent back.
            "to_write" => vec!["open".into(), "draft".into(), "sent_back".into()],
            s => vec![s.to_owned()],
        },
        missing_at: missing.then_some(now),
        ..Default::default()
    };
    Ok(Filters {
        filter,
        status,
        period,
        missing,
        within,
        punctuality,
        campaign_id,
    })
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ReportListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let now = state.svc.now();
    let Filters {
        filter,
        status,
        period,
        missing,
        within,
        punctuality,
        campaign_id,
    } = filters(&state, actor, &q).await?;
    let page = Page::new(q.page.trim().parse().unwrap_or(1), PER_PAGE);
    let list = reports_svc::list(&state.svc, actor, filter, page).await?;

    let mut ctx = Ctx::signed(&state, &headers, &signed, "reports", "reports-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    let missing_param = missing.then_some("1");
    let base = query_base(
        "/reports",
        &[
            ("status", Some(status.as_str())),
            ("period", Some(period.as_str())),
            ("missing", missing_param),
            ("within", Some(q.within.trim())),
            ("punctuality", punctuality.as_deref()),
            ("campaign_id", Some(q.campaign_id.trim())),
        ],
    );
    ctx.back = base.trim_end_matches(['?', '&']).to_owned();
    ctx.export = export_href("/reports/export.xlsx", &base);
    let title = ctx.t("reports-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(list.total, list.page, list.per_page, &base);

    let rows = report_rows(&state, &ctx, &list.items, now).await;
    let mut drill = Vec::new();
    let mut hidden = Vec::new();
    if let Some(o) = &within {
        drill.push(ctx.tr("ledger-drill-within", &[("name", o.name.clone())]));
        hidden.push(("within", o.id.to_string()));
    }
    if let Some(p) = &punctuality {
        drill.push(ctx.t(&format!("reports-drill-{p}")));
        hidden.push(("punctuality", p.clone()));
    }
    if let Some(cid) = campaign_id {
        hidden.push(("campaign_id", cid.to_string()));
    }
    let page = ListPage {
        drill,
        hidden,
        rows,
        pager_info: pager_info(&ctx, &pager),
        pager,
        statuses: STATUSES
            .iter()
            .map(|s| ((*s).to_owned(), status_label(&ctx, s)))
            .collect(),
        status,
        period,
        recent_weeks: (0..5)
            .map(|w| luodi_domain::cadence::iso_week(now.date_naive() - chrono::Duration::weeks(w)))
            .collect(),
        missing,
        can_rules: actor.can_somewhere(Permission::ReadItems),
        ctx,
    };
    Ok(render(&page))
}

/// The rows as the list shows them (and exports them).
async fn report_rows(
    state: &AppState,
    ctx: &Ctx,
    items: &[Report],
    now: DateTime<Utc>,
) -> Vec<ReportRow> {
    let mut zones = Zones::default();
    for r in items {
        zones.load_rule(state, r.rule_id).await;
    }
    items
        .iter()
        .map(|r| {
            let (state_name, state_label, state_class) =
                state_tag(ctx, report_state(r.due_at, r.submitted_at, now));
            ReportRow {
                id: r.id,
                period: r.period_key.clone(),
                rule: r.rule_name.clone(),
                org_id: r.org_id,
                org_name: r.org_name.clone(),
                due: zones.show_for_rule(ctx, r.rule_id, &r.due_at),
                status: r.status.clone(),
                status_label: status_label(ctx, &r.status),
                status_class: status_class(&r.status),
                state: state_name,
                state_label,
                state_class,
            }
        })
        .collect()
}

/// The filtered list as a workbook: the first rows of what the page shows, same columns.
pub(super) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ReportListQuery>,
) -> Result<Response, ApiError> {
    let f = filters(&state, &signed.actor, &q).await?;
    let list = reports_svc::list(&state.svc, &signed.actor, f.filter, export_page()).await?;
    let ctx = Ctx::anonymous(&state, &headers, "reports-title");
    let rows = report_rows(&state, &ctx, &list.items, state.svc.now()).await;
    let cells = rows
        .into_iter()
        .map(|r| {
            vec![
                r.period.into(),
                r.rule.into(),
                r.org_name.into(),
                r.due.into(),
                r.status_label.into(),
                r.state_label.into(),
            ]
        })
        .collect();
    xlsx_list(
        &ctx,
        "reports-title",
        &[
            "reports-col-period",
            "reports-col-rule",
            "reports-col-org",
            "reports-col-due",
            "reports-col-status",
            "reports-col-state",
        ],
        cells,
        list.total,
    )
    .await
}
