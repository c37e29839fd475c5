//! The ledger list: filters, the scope's roll-up, server-side paging, the export link.

use super::*;

// --- The ledger ------------------------------------------------------------------------------

/// The ledger's query as the filter bar sends it (all text: an empty field is "any").
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct LedgerQuery {
    pub q: String,
    pub kind: String,
    /// `open`, `done`, one status, or a comma-separated list.
    pub status: String,
    pub light: String,
    pub phase: String,
    pub source: String,
    pub person: String,
    pub due_from: String,
    pub due_to: String,
    pub campaign_id: String,
    /// Only the measures of one special programme area.
    pub programme_area_id: String,
    /// An org whose subtree the list shows instead of the scope the reader stands in (links
    /// from a dashboard into one child's items).
    pub within: String,
    /// normal, due_soon, overdue, closed_on_time or closed_late.
    pub timeliness: String,
    /// By the original deadline, as the on-time rate counts.
    pub original_due_from: String,
    pub original_due_to: String,
    pub sort: String,
    pub page: String,
    pub per_page: String,
    pub ok: String,
    /// Why the last batch was refused (after a redirect).
    pub refused: String,
    /// `1`: only the items the reader is named responsible for.
    pub mine: String,
    /// `pending`: only items with an extension request awaiting a decision.
    pub extension: String,
    /// The reader's account, when `mine` asks for their items (set by the handler).
    #[serde(skip)]
    pub me: Option<i64>,
}

/// The timeliness values a ledger link may filter by.
pub const TIMELINESS: [&str; 5] = [
    "normal",
    "due_soon",
    "overdue",
    "closed_on_time",
    "closed_late",
];

impl LedgerQuery {
    fn statuses(&self) -> Option<String> {
        match self.status.trim() {
            "" => None,
            "open" => Some(OPEN_STATUSES.to_owned()),
            "done" => Some(DONE_STATUSES.to_owned()),
            // In play: issued and not paused or withdrawn (what deadlines and rates count).
            "in_play" => Some(format!("{OPEN_STATUSES},{DONE_STATUSES}")),
            s => {
                let known: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|x| Status::parse(x).is_some())
                    .collect();
                (!known.is_empty()).then(|| known.join(","))
            }
        }
    }

    /// The status filter as the page's own links carry it (`open` and `done` unexpanded).
    fn status_param(&self) -> Option<String> {
        match self.status.trim() {
            s @ ("open" | "done" | "in_play") => Some(s.to_owned()),
            _ => self.statuses(),
        }
    }

    /// The filters for the page's own links: the scope stays implicit (switching scope
    /// applies to them), and status groups stay as chosen.
    fn own(&self) -> ItemListParams {
        ItemListParams {
            within: self.within_id(),
            status: self.status_param(),
            ..self.params(None)
        }
    }

    /// The org named by `within`, if any.
    pub fn within_id(&self) -> Option<i64> {
        opt_id(Some(&self.within))
    }

    fn known(v: &str, ok: impl Fn(&str) -> bool) -> Option<String> {
        let v = v.trim();
        (!v.is_empty() && ok(v)).then(|| v.to_owned())
    }

    fn text(v: &str) -> Option<String> {
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn date(v: &str) -> Option<NaiveDate> {
        parse_date(v).ok()
    }

    fn sort(&self) -> Option<String> {
        Self::known(&self.sort, |s| {
            matches!(s, "due_on" | "-due_on" | "updated" | "title")
        })
    }

    /// The API's list parameters for this query, within `within`.
    pub(super) fn params(&self, within: Option<i64>) -> ItemListParams {
        ItemListParams {
            within,
            campaign_id: opt_id(Some(&self.campaign_id)),
            kind: Self::known(&self.kind, |k| ItemKind::parse(k).is_some()),
            status: self.statuses(),
            light: Self::known(&self.light, |l| matches!(l, "red" | "yellow" | "green")),
            phase: Self::known(&self.phase, |p| PhaseKind::parse(p).is_some()),
            source: Self::known(&self.source, |s| Source::parse(s).is_some()),
            lead_org_id: None,
            responsible_user_id: self.me,
            person: Self::text(&self.person),
            due_from: Self::date(&self.due_from),
            due_to: Self::date(&self.due_to),
            timeliness: Self::known(&self.timeliness, |t| TIMELINESS.contains(&t)),
            original_due_from: Self::date(&self.original_due_from),
            original_due_to: Self::date(&self.original_due_to),
            q: Self::text(&self.q),
            parent_id: None,
            programme_area_id: opt_id(Some(&self.programme_area_id)),
            extension: Self::known(&self.extension, |e| e == "pending"),
            sort: self.sort(),
            page: None,
            per_page: None,
        }
    }

    /// The URL of `path` with the filters of `p` (light replaced by `light` when given).
    fn href(path: &str, p: &ItemListParams, light: Option<&str>) -> String {
        let within = p.within.map(|w| w.to_string());
        let campaign = p.campaign_id.map(|c| c.to_string());
        let area = p.programme_area_id.map(|a| a.to_string());
        let from = p.due_from.map(|d| d.to_string());
        let to = p.due_to.map(|d| d.to_string());
        let ofrom = p.original_due_from.map(|d| d.to_string());
        let oto = p.original_due_to.map(|d| d.to_string());
        query_base(
            path,
            &[
                ("within", within.as_deref()),
                ("campaign_id", campaign.as_deref()),
                ("programme_area_id", area.as_deref()),
                ("kind", p.kind.as_deref()),
                ("status", p.status.as_deref()),
                ("light", light.or(p.light.as_deref())),
                ("phase", p.phase.as_deref()),
                ("source", p.source.as_deref()),
                ("person", p.person.as_deref()),
                ("due_from", from.as_deref()),
                ("due_to", to.as_deref()),
                ("timeliness", p.timeliness.as_deref()),
                ("original_due_from", ofrom.as_deref()),
                ("original_due_to", oto.as_deref()),
                ("q", p.q.as_deref()),
                ("mine", p.responsible_user_id.map(|_| "1")),
                ("extension", p.extension.as_deref()),
                ("sort", p.sort.as_deref()),
            ],
        )
    }
}

/// A URL built by `query_base`, without its trailing `?` or `&`.
pub(super) fn trimmed(mut s: String) -> String {
    while s.ends_with('&') || s.ends_with('?') {
        s.pop();
    }
    s
}

/// A light chip of the roll-up: its count and the ledger filtered by it.
pub struct LightChip {
    pub light: &'static str,
    pub label: String,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

/// The roll-up of the scope above the table.
pub struct Summary {
    /// "Scope: <org>".
    pub scope: String,
    pub total: i64,
    pub chips: Vec<LightChip>,
    pub all_href: String,
    pub overdue: i64,
    pub due_soon: i64,
    pub on_time: String,
}

#[derive(Template)]
#[template(path = "ledger_list.html")]
pub(super) struct LedgerPage {
    pub(super) ctx: Ctx,
    pub(super) heading: String,
    pub(super) rows: Vec<ItemRowView>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) summary: Option<Summary>,
    pub(super) f: LedgerQuery,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) statuses: Vec<(String, String)>,
    pub(super) lights: Vec<(String, String)>,
    pub(super) phases: Vec<(String, String)>,
    pub(super) sources: Vec<(String, String)>,
    pub(super) sorts: Vec<(String, String)>,
    pub(super) can_create: bool,
    pub(super) new_href: String,
    pub(super) export_href: String,
    /// Filters that came with a link and have no field in the bar (a dashboard's drill-down).
    pub(super) drill: Vec<String>,
    /// The actions of the batch bar the reader may take: (action, label, needs a reason).
    pub(super) batch_actions: Vec<(String, String, bool)>,
    /// The list's query, for the batch bar's "all that match" and the way back.
    pub(super) filter_query: String,
}

pub(super) async fn ledger_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(mut q): Query<LedgerQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    q.me = (q.mine.trim() == "1").then_some(signed.user.id);
    let task_book = q.kind.trim() == "task";
    let (active, title_key) = if task_book {
        ("tasks", "nav-task-book")
    } else {
        ("ledger", "nav-ledger")
    };
    let mut ctx = Ctx::signed(&state, &headers, &signed, active, title_key)
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|k| !k.is_empty()));
    // A named org (from a dashboard link) stands in for the scope; a foreign one is not found.
    let scope_org = match q.within_id() {
        Some(id) => Some(orgs_svc::get(&state.svc, actor, id).await?),
        None => ctx.scope.clone(),
    };
    let within = scope_org.as_ref().map(|s| s.id);
    let p = q.params(within);
    let own = q.own();
    ctx.back = trimmed(LedgerQuery::href("/ledger", &own, None));
    let heading = ctx.t(title_key);
    ctx = ctx.crumb(heading.clone(), "");

    let page = Page::new(
        q.page.trim().parse().unwrap_or(1),
        q.per_page.trim().parse().unwrap_or(PER_PAGE),
    );
    let list = items_svc::list(&state.svc, actor, item_query(&p), page).await?;
    let base = LedgerQuery::href("/ledger", &own, None);
    let base = if list.per_page != PER_PAGE {
        format!("{base}per_page={}&", list.per_page)
    } else {
        base
    };
    let pager = Pager::new(list.total, list.page, list.per_page, &base);

    let summary = match &scope_org {
        Some(s) => {
            match items_svc::rollup(&state.svc, actor, s.id, p.campaign_id, p.kind.as_deref()).await
            {
                Ok(r) => {
                    let chips = ["red", "yellow", "green"]
                        .into_iter()
                        .map(|l| LightChip {
                            light: l,
                            label: ctx.t(&format!("light-{l}")),
                            count: r.by_light.get(l).copied().unwrap_or(0),
                            href: trimmed(LedgerQuery::href("/ledger", &own, Some(l))),
                            active: p.light.as_deref() == Some(l),
                        })
                        .collect();
                    let no_light = ItemListParams {
                        light: None,
                        ..q.own()
                    };
                    Some(Summary {
                        scope: ctx.tr("ledger-scope", &[("name", s.name.clone())]),
                        total: r.total,
                        chips,
                        all_href: trimmed(LedgerQuery::href("/ledger", &no_light, None)),
                        overdue: r.overdue,
                        due_soon: r.due_soon,
                        on_time: percent(r.on_time_rate())
                            .unwrap_or_else(|| ctx.t("ledger-summary-no-rate")),
                    })
                }
                Err(e) => {
                    tracing::warn!(error = %e, "ledger roll-up failed");
                    None
                }
            }
        }
        None => None,
    };

    let mut statuses = vec![
        ("open".to_owned(), ctx.t("ledger-status-open")),
        ("done".to_owned(), ctx.t("ledger-status-done")),
    ];
    for s in Status::ALL {
        statuses.push((s.as_str().to_owned(), status_label(&ctx, s.as_str())));
    }
    let sorts = vec![
        ("due_on".to_owned(), ctx.t("ledger-sort-due")),
        ("-due_on".to_owned(), ctx.t("ledger-sort-due-desc")),
        ("updated".to_owned(), ctx.t("ledger-sort-updated")),
        ("title".to_owned(), ctx.t("ledger-sort-title")),
    ];
    let mut drill = Vec::new();
    if let (Some(_), Some(o)) = (q.within_id(), &scope_org) {
        drill.push(ctx.tr("ledger-drill-within", &[("name", o.name.clone())]));
    }
    if let Some(t) = &p.timeliness {
        drill.push(ctx.t(&format!("ledger-drill-{t}")));
    }
    if p.responsible_user_id.is_some() {
        drill.push(ctx.t("ledger-drill-mine"));
    }
    if p.extension.is_some() {
        drill.push(ctx.t("ledger-drill-extension"));
    }
    if p.original_due_from.is_some() || p.original_due_to.is_some() {
        let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        drill.push(ctx.tr(
            "ledger-drill-original-due",
            &[
                ("from", show(p.original_due_from)),
                ("to", show(p.original_due_to)),
            ],
        ));
    }
    let mut batch_actions = Vec::new();
    let mut offer = |name: &str, reason: bool| {
        batch_actions.push((
            name.to_owned(),
            ctx.t(&format!("ledger-batch-action-{name}")),
            reason,
        ))
    };
    if actor.can_somewhere(Permission::SuperviseItems) {
        offer("urge", false);
        offer("assign", false);
        offer("start_review", false);
        offer("send_back", true);
        offer("approve_extension", false);
        offer("reject_extension", true);
    }
    if actor.can_somewhere(Permission::DeliverItems) {
        offer("sign_off", false);
    }
    offer("export", false);
    let own_href = LedgerQuery::href("", &own, None);
    let filter_query = own_href
        .trim_start_matches('?')
        .trim_end_matches('&')
        .to_owned();
    let page = LedgerPage {
        batch_actions,
        filter_query,
        drill,
        heading,
        rows: list.items.iter().map(|r| row_view(&ctx, r)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        summary,
        kinds: kind_options(&ctx),
        statuses,
        lights: ctx.options("light-", &["red", "yellow", "green"]),
        phases: phase_options(&ctx),
        sources: source_options(&ctx),
        sorts,
        can_create: actor.can_somewhere(Permission::EditItems),
        new_href: match (task_book, p.programme_area_id) {
            (true, Some(a)) => format!("/items/new?kind=task&programme_area_id={a}"),
            (true, None) => "/items/new?kind=task".into(),
            _ => "/items/new".into(),
        },
        export_href: trimmed(LedgerQuery::href("/ledger/export.xlsx", &p, None)),
        f: q,
        ctx,
    };
    Ok(render(&page))
}

pub(super) async fn items_index() -> Redirect {
    Redirect::to("/ledger")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_query_expands_status_groups() {
        let q = LedgerQuery {
            status: "open".into(),
            due_from: "bad".into(),
            light: "purple".into(),
            ..Default::default()
        };
        let p = q.params(Some(7));
        assert_eq!(p.status.as_deref(), Some(OPEN_STATUSES));
        assert!(p.due_from.is_none());
        assert!(p.light.is_none());
        let href = trimmed(LedgerQuery::href("/ledger/export.xlsx", &p, None));
        assert!(href.starts_with("/ledger/export.xlsx?within=7&status="));
        assert!(!href.ends_with('&'));
    }
}
