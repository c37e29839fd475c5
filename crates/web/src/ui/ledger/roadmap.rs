//! The roadmap: the task book as a Gantt-style chart drawn as server-side SVG.

use super::*;

// --- The roadmap -----------------------------------------------------------------------------

/// The drawing's coordinate system (viewBox units; the SVG scales to the card's width).
pub(super) const SVG_W: f64 = 1200.0;
pub(super) const LABEL_W: f64 = 380.0;
pub(super) const CHART_X0: f64 = 392.0;
pub(super) const CHART_X1: f64 = 1188.0;
pub(super) const HEADER_H: f64 = 34.0;
pub(super) const ROW_H: f64 = 30.0;
pub(super) const FONT: f64 = 13.0;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoadmapQuery {
    /// Missing: the first campaign; empty: every campaign.
    pub campaign_id: Option<String>,
    pub page: String,
}

pub struct Tick {
    pub x: String,
    pub label: String,
    pub labelled: bool,
}

pub struct Diamond {
    pub points: String,
    pub title: String,
    pub done: bool,
}

pub struct GanttRow {
    pub id: i64,
    pub sub: bool,
    pub odd: bool,
    pub y: String,
    pub h: String,
    pub text_x: String,
    pub text_y: String,
    pub dot_x: String,
    pub dot_y: String,
    pub label: String,
    pub title: String,
    pub bar_x: String,
    pub bar_y: String,
    pub bar_w: String,
    pub bar_h: String,
    pub done_w: String,
    pub light: &'static str,
    pub light_label: String,
    pub bar_title: String,
    pub milestones: Vec<Diamond>,
}

#[derive(Template)]
#[template(path = "roadmap.html")]
pub(super) struct RoadmapPage {
    pub(super) ctx: Ctx,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) campaign: String,
    pub(super) rows: Vec<GanttRow>,
    pub(super) ticks: Vec<Tick>,
    pub(super) width: String,
    pub(super) height: String,
    pub(super) chart_x0: String,
    pub(super) chart_x1: String,
    pub(super) header_h: String,
    pub(super) today_x: Option<String>,
    pub(super) today_label: String,
    pub(super) scope: Option<String>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
}

pub(super) fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// Cuts `s` to about `max` em (a CJK character is one em, others a bit over half).
pub(super) fn fit(s: &str, max: f64) -> String {
    let width = |c: char| if (c as u32) < 0x2E80 { 0.56 } else { 1.0 };
    let total: f64 = s.chars().map(width).sum();
    if total <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        w += width(c);
        if w > max - 1.0 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub(super) fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

pub(super) fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

pub(super) fn start_of(r: &ItemRow) -> NaiveDate {
    r.item
        .start_on
        .unwrap_or_else(|| r.item.created_at.date_naive())
}

pub(super) async fn roadmap_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<RoadmapQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = Ctx::signed(&state, &headers, &signed, "roadmap", "roadmap-title").await?;
    let title = ctx.t("roadmap-title");
    ctx = ctx.crumb(title, "");
    let campaigns = if actor.can_somewhere(Permission::ReadCampaigns) {
        campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
    } else {
        Vec::new()
    };
    let campaign_id = match &q.campaign_id {
        None => campaigns.first().map(|c| c.id),
        Some(s) => opt_id(Some(s)),
    };
    let campaign = campaign_id.and_then(|id| campaigns.iter().find(|c| c.id == id));
    let campaign_param = match (&q.campaign_id, campaign_id) {
        (Some(s), None) if s.trim().is_empty() => String::new(),
        (_, Some(id)) => id.to_string(),
        _ => String::new(),
    };
    ctx.back = format!("/roadmap?campaign_id={campaign_param}");

    let within = ctx.scope.as_ref().map(|s| s.id);
    let query = ItemQuery {
        within,
        filter: ItemFilter {
            campaign_id,
            kind: Some("task".into()),
            top_level_only: true,
            ..Default::default()
        },
        sort: ItemSort::DueOn,
    };
    let page = Page::new(q.page.trim().parse().unwrap_or(1), PER_PAGE);
    let tops = items_svc::list(&state.svc, actor, query, page).await?;
    let mut ordered: Vec<(ItemRow, bool)> = Vec::new();
    for t in tops.items {
        let id = t.item.id;
        ordered.push((t, false));
        let kids = ItemQuery {
            within: None,
            filter: ItemFilter {
                campaign_id,
                parent_id: Some(id),
                ..Default::default()
            },
            sort: ItemSort::DueOn,
        };
        let kids = items_svc::list(&state.svc, actor, kids, Page::new(1, 100)).await?;
        ordered.extend(kids.items.into_iter().map(|k| (k, true)));
    }
    // The milestones of the items shown (all of them readable: they came from the list).
    let listed: Vec<&ItemRow> = ordered.iter().map(|(r, _)| r).collect();
    let milestones = items_svc::milestones_of(&state.svc, actor, &listed).await?;
    let today = match campaign_id.or(ordered.first().map(|(r, _)| r.item.campaign_id)) {
        Some(cid) => campaign_today(&state, cid).await,
        None => state.svc.now().date_naive(),
    };

    // The date range: the campaign's, widened to whatever is shown.
    let mut dates: Vec<NaiveDate> = Vec::new();
    if let Some(c) = campaign {
        dates.push(c.starts_on);
        dates.push(c.ends_on);
    }
    for (r, _) in &ordered {
        dates.push(start_of(r));
        dates.push(r.item.due_on);
        dates.push(r.item.original_due_on);
        for m in milestones.get(&r.item.id).into_iter().flatten() {
            dates.push(m.due_on);
        }
    }
    let (lo, hi) = match (dates.iter().min(), dates.iter().max()) {
        (Some(lo), Some(hi)) => (first_of_month(*lo), next_month(*hi)),
        _ => (first_of_month(today), next_month(today)),
    };
    let span = (hi - lo).num_days().max(1) as f64;
    let x = |d: NaiveDate| CHART_X0 + (d - lo).num_days() as f64 / span * (CHART_X1 - CHART_X0);

    let mut ticks = Vec::new();
    let mut m = lo;
    let months = {
        let mut k = 0;
        let mut t = lo;
        while t < hi {
            k += 1;
            t = next_month(t);
        }
        k
    };
    let stride = match months {
        0..=12 => 1,
        13..=24 => 2,
        25..=48 => 3,
        _ => 6,
    };
    let mut k = 0;
    while m < hi {
        ticks.push(Tick {
            x: n(x(m)),
            label: ctx.tr(
                "roadmap-month",
                &[
                    ("year", m.year().to_string()),
                    ("month", m.month().to_string()),
                ],
            ),
            labelled: k % stride == 0,
        });
        k += 1;
        m = next_month(m);
    }

    let rows: Vec<GanttRow> = ordered
        .iter()
        .enumerate()
        .map(|(idx, (r, sub))| {
            let i = &r.item;
            let top = HEADER_H + idx as f64 * ROW_H;
            let mid = top + ROW_H / 2.0;
            let indent = if *sub { 20.0 } else { 0.0 };
            let start = start_of(r).min(i.due_on);
            let x0 = x(start);
            let x1 = x(i.due_on).max(x0 + 3.0);
            let bar_h = if *sub { 10.0 } else { 14.0 };
            let w = x1 - x0;
            let status = status_label(&ctx, &i.status);
            let progress = i.progress_percent.clamp(0, 100);
            GanttRow {
                id: i.id,
                sub: *sub,
                odd: idx % 2 == 1,
                y: n(top),
                h: n(ROW_H),
                text_x: n(8.0 + indent + 16.0),
                text_y: n(mid + FONT * 0.36),
                dot_x: n(8.0 + indent + 5.0),
                dot_y: n(mid),
                label: fit(&i.title, (LABEL_W - 8.0 - indent - 24.0) / FONT),
                title: i.title.clone(),
                bar_x: n(x0),
                bar_y: n(mid - bar_h / 2.0),
                bar_w: n(w),
                bar_h: n(bar_h),
                done_w: n(w * progress as f64 / 100.0),
                light: light_name(&i.light),
                light_label: light_label(&ctx, &i.light),
                bar_title: ctx.tr(
                    "roadmap-bar-title",
                    &[
                        ("title", i.title.clone()),
                        ("start", start.to_string()),
                        ("due", i.due_on.to_string()),
                        ("status", status),
                        ("progress", progress.to_string()),
                    ],
                ),
                milestones: milestones
                    .get(&i.id)
                    .into_iter()
                    .flatten()
                    .map(|m| {
                        let cx = x(m.due_on);
                        let s = 6.0;
                        Diamond {
                            points: format!(
                                "{},{} {},{} {},{} {},{}",
                                n(cx),
                                n(mid - s),
                                n(cx + s),
                                n(mid),
                                n(cx),
                                n(mid + s),
                                n(cx - s),
                                n(mid)
                            ),
                            title: ctx.tr(
                                "roadmap-milestone-title",
                                &[("title", m.title.clone()), ("date", m.due_on.to_string())],
                            ),
                            done: m.done_on.is_some(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let height = HEADER_H + rows.len() as f64 * ROW_H + 6.0;
    let today_x = (today >= lo && today < hi).then(|| n(x(today)));
    let base = format!("/roadmap?campaign_id={campaign_param}&");
    let pager = Pager::new(tops.total, tops.page, tops.per_page, &base);
    let page = RoadmapPage {
        campaigns: campaigns
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        campaign: campaign_param,
        rows,
        ticks,
        width: n(SVG_W),
        height: n(height),
        chart_x0: n(CHART_X0),
        chart_x1: n(CHART_X1),
        header_h: n(HEADER_H),
        today_x,
        today_label: ctx.t("roadmap-today"),
        scope: ctx
            .scope
            .as_ref()
            .map(|s| ctx.tr("ledger-scope", &[("name", s.name.clone())])),
        pager_info: pager_info(&ctx, &pager),
        pager,
        ctx,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fit() {
        assert_eq!(fit("短标题", 10.0), "短标题");
        let long = "取消高速公路省界收费站并实现不停车快捷收费的全部工作任务";
        let cut = fit(long, 10.0);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= 10);
    }
}
