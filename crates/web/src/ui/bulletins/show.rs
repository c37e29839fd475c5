//! One bulletin: its ranking with bars, charts and proposed interviews, its note, and publishing it.

use super::*;

// --- One bulletin ----------------------------------------------------------------------------

/// The proposed interview of a ranked org: its kind and why.
pub(super) struct InterviewView {
    pub(super) kind: String,
    pub(super) label: String,
    pub(super) reasons: Vec<String>,
}

pub(super) struct RankedView {
    pub(super) org_id: i64,
    pub(super) org_code: String,
    pub(super) org_name: String,
    pub(super) rank: i64,
    pub(super) score: String,
    pub(super) below_base: bool,
    pub(super) f: Figures,
    pub(super) on_time: String,
    pub(super) punctuality: String,
    /// Punctuality over the interview window, e.g. "近 4 周 76.9%"; empty with no window.
    pub(super) window_punctuality: String,
    pub(super) interview: Option<InterviewView>,
}

/// One bar of the score chart (viewBox units, as text for the attributes).
pub(super) struct Bar {
    pub(super) y: String,
    pub(super) h: String,
    pub(super) x: String,
    pub(super) w: String,
    pub(super) label_x: String,
    pub(super) text_y: String,
    pub(super) label: String,
    pub(super) title: String,
    pub(super) value_x: String,
    pub(super) score: String,
    pub(super) below: bool,
}

pub(super) struct Chart {
    pub(super) width: String,
    pub(super) height: String,
    pub(super) bars: Vec<Bar>,
    pub(super) zero_x: String,
    pub(super) base_x: String,
    pub(super) base_label: String,
    pub(super) top: String,
    pub(super) bottom: String,
}

pub(super) struct Head {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) issue: String,
    pub(super) week: String,
    pub(super) scope_id: i64,
    pub(super) scope_name: String,
    pub(super) campaign: Option<(i64, String)>,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) computed: String,
    published: Option<String>,
    pub(super) note: String,
    pub(super) rules_version: i64,
    /// The audit chain's head at publication (`SEQ:MAC`).
    pub(super) audit_head: Option<String>,
    /// Computed before the week's report deadline: why it is provisional, with the deadline.
    pub(super) provisional: Option<String>,
}

pub(super) struct Summary {
    pub(super) sentence: String,
    pub(super) orgs: usize,
    pub(super) on_time: String,
    pub(super) punctuality: String,
    pub(super) red: i64,
    pub(super) overdue: i64,
}

#[derive(Template)]
#[template(path = "bulletin_show.html")]
pub(super) struct ShowPage {
    pub(super) ctx: Ctx,
    pub(super) b: Head,
    pub(super) summary: Summary,
    pub(super) rows: Vec<RankedView>,
    pub(super) chart: Option<Chart>,
    pub(super) lists: Vec<(&'static str, String, Vec<String>)>,
    pub(super) commitments: Vec<luodi_service::bulletins::CommitmentLine>,
    pub(super) can_publish: bool,
    pub(super) can_recompute: bool,
    /// The scope's code, to compute a draft again (when the reader sees it).
    pub(super) scope_code: Option<String>,
    pub(super) campaign_id: i64,
    pub(super) note: String,
    pub(super) errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

#[derive(Default)]
pub(super) struct ShowForms {
    pub(super) note: String,
    pub(super) errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    show_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ShowForms::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) fn interview_view(ctx: &Ctx, v: &serde_json::Value) -> Option<InterviewView> {
    let kind = v.get("kind")?.as_str()?.to_owned();
    let reasons = v
        .get("reasons")
        .and_then(|r| r.as_array())
        .map(|rs| rs.iter().filter_map(|r| reason_text(ctx, r)).collect())
        .unwrap_or_default();
    Some(InterviewView {
        label: ctx.t(&format!("bulletins-interview-{kind}")),
        kind,
        reasons,
    })
}

/// Cuts `s` to about `max` em (a CJK character is one em, others a bit over half).
pub(super) fn fit(s: &str, max: f64) -> String {
    let width = |c: char| if (c as u32) < 0x2E80 { 0.56 } else { 1.0 };
    if s.chars().map(width).sum::<f64>() <= max {
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

pub(super) const CHART_W: f64 = 800.0;
pub(super) const CHART_X0: f64 = 236.0;
pub(super) const CHART_X1: f64 = 730.0;
pub(super) const CHART_TOP: f64 = 22.0;
pub(super) const BAR_ROW: f64 = 24.0;
pub(super) const BAR_H: f64 = 14.0;
pub(super) const CHART_FONT: f64 = 12.0;

pub(super) fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// The horizontal bar chart of the scores, in rank order, with the base score marked.
pub(super) fn chart(ctx: &Ctx, v: &BulletinView, base: f64) -> Option<Chart> {
    if v.rows.is_empty() {
        return None;
    }
    let min = v.rows.iter().map(|r| r.score).fold(f64::INFINITY, f64::min);
    let max = v
        .rows
        .iter()
        .map(|r| r.score)
        .fold(f64::NEG_INFINITY, f64::max);
    let lo = min.min(0.0);
    let hi = max.max(base).max(1.0);
    let span = (hi - lo).max(1.0);
    let x = |s: f64| CHART_X0 + (s - lo) / span * (CHART_X1 - CHART_X0);
    let zero = x(0.0);
    let bars = v
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let top = CHART_TOP + i as f64 * BAR_ROW;
            let end = x(r.score);
            let (bx, bw) = if end >= zero {
                (zero, (end - zero).max(1.0))
            } else {
                (end, zero - end)
            };
            let score = score_text(r.score);
            Bar {
                y: n(top + (BAR_ROW - BAR_H) / 2.0),
                h: n(BAR_H),
                x: n(bx),
                w: n(bw),
                label_x: n(CHART_X0 - 8.0),
                text_y: n(top + BAR_ROW / 2.0 + CHART_FONT * 0.36),
                label: fit(&r.org_name, (CHART_X0 - 16.0) / CHART_FONT),
                title: ctx.tr(
                    "bulletins-chart-bar",
                    &[
                        ("rank", r.rank.to_string()),
                        ("org", r.org_name.clone()),
                        ("score", score.clone()),
                    ],
                ),
                value_x: n(bx + bw + 6.0),
                score,
                below: r.score < base,
            }
        })
        .collect::<Vec<_>>();
    let bottom = CHART_TOP + bars.len() as f64 * BAR_ROW;
    Some(Chart {
        width: n(CHART_W),
        height: n(bottom + 8.0),
        bars,
        zero_x: n(zero),
        base_x: n(x(base)),
        base_label: ctx.tr("bulletins-chart-base", &[("score", score_text(base))]),
        top: n(CHART_TOP - 4.0),
        bottom: n(bottom),
    })
}

pub(super) fn names(totals: &serde_json::Value, key: &str) -> Vec<String> {
    totals[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) async fn show_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ShowForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let v = bulletins_svc::get(&state.svc, actor, id).await?;
    let b = &v.bulletin;
    let mut ctx = Ctx::signed(state, headers, signed, "bulletins", "bulletins-title")
        .await?
        .with_flash(flash);
    ctx.back = format!("/bulletins/{id}");
    let list = ctx.t("bulletins-title");
    let issue = ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]);
    let crumb = format!("{} · {issue}", b.period_key);
    ctx.title = format!("{} {issue}", ctx.t("bulletin-doc-title"));
    let ctx = ctx.crumb(list, "/bulletins").crumb(crumb, "");

    let mut names_cache = OrgNames::default();
    let scope = names_cache.get(state, actor, b.scope_org_id).await;
    let mut zones = Zones::default();
    zones.load(state, b.campaign_id).await;
    let campaign = campaigns_svc::get(&state.svc, actor, b.campaign_id)
        .await
        .ok()
        .map(|d| (d.campaign.id, d.campaign.name));
    let rules: ScoringRules = serde_json::from_str(&b.rules_json).unwrap_or_default();
    let totals: Figures = serde_json::from_value(v.totals["figures"].clone()).unwrap_or_default();
    let on_time = pct(v.totals["on_time_rate"].as_f64());
    let punctuality = pct(v.totals["punctuality"].as_f64());
    let summary = Summary {
        sentence: ctx.tr(
            "bulletin-summary",
            &[
                ("orgs", v.rows.len().to_string()),
                ("on_time", on_time.clone()),
                ("punctuality", punctuality.clone()),
                ("red", totals.red.to_string()),
            ],
        ),
        orgs: v.rows.len(),
        on_time,
        punctuality,
        red: totals.red,
        overdue: totals.overdue,
    };
    let (status_label, status_class) = status_tag(&ctx, &b.status);
    let head = Head {
        id,
        title: ctx.t("bulletin-doc-title"),
        issue,
        week: b.period_key.clone(),
        scope_id: b.scope_org_id,
        scope_name: scope
            .as_ref()
            .map(|s| s.0.clone())
            .unwrap_or_else(|| format!("#{}", b.scope_org_id)),
        campaign,
        status: b.status.clone(),
        status_label,
        status_class,
        computed: zones.show(&ctx, Some(b.campaign_id), &b.computed_at),
        published: b.published_at.map(|t| {
            ctx.tr(
                "bulletins-published-by",
                &[
                    ("time", zones.show(&ctx, Some(b.campaign_id), &t)),
                    ("name", b.published_by.clone().unwrap_or_default()),
                ],
            )
        }),
        note: b.note.clone(),
        rules_version: b.rules_version,
        audit_head: b.audit_head.clone(),
        provisional: b.provisional.then(|| {
            let deadline = v.totals["report_deadline"]
                .as_str()
                .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
                .map(|t| zones.show(&ctx, Some(b.campaign_id), &t))
                .unwrap_or_else(|| "\u{2014}".to_owned());
            ctx.tr("bulletins-provisional-why", &[("deadline", deadline)])
        }),
    };
    let rows = v
        .rows
        .iter()
        .map(|r| RankedView {
            org_id: r.org_id,
            org_code: r.org_code.clone(),
            org_name: r.org_name.clone(),
            rank: r.rank,
            score: score_text(r.score),
            below_base: r.score < rules.base,
            f: r.figures.clone(),
            on_time: pct(r.on_time_rate),
            punctuality: pct(r.punctuality),
            window_punctuality: if r.figures.window_weeks > 0 {
                ctx.tr(
                    "bulletins-window-punctuality",
                    &[
                        ("weeks", r.figures.window_weeks.to_string()),
                        ("rate", pct(r.window_punctuality)),
                    ],
                )
            } else {
                String::new()
            },
            interview: interview_view(&ctx, &r.interview),
        })
        .collect();
    let lists = vec![
        (
            "praised",
            ctx.t("bulletin-praised"),
            names(&v.totals, "praised"),
        ),
        (
            "criticised",
            ctx.t("bulletin-criticised"),
            names(&v.totals, "criticised"),
        ),
        (
            "interviews",
            ctx.t("bulletin-interviews"),
            names(&v.totals, "interviews_proposed"),
        ),
    ];
    let page = ShowPage {
        commitments: luodi_service::bulletins::commitment_lines(&state.i18n, ctx.lang, &v.totals),
        chart: chart(&ctx, &v, rules.base),
        summary,
        rows,
        lists,
        can_publish: v.can_publish,
        can_recompute: v.can_recompute,
        scope_code: scope.map(|s| s.1),
        campaign_id: b.campaign_id,
        note: forms.note,
        errors: forms.errors,
        error: forms.error,
        details: forms.details,
        b: head,
        ctx,
    };
    Ok(render_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    pub note: String,
}

pub(super) async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, ApiError> {
    match bulletins_svc::publish(&state.svc, &signed.actor, id, &form.note).await {
        Ok(_) => Ok(see_other(&format!("/bulletins/{id}"), "bulletin_published")),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let forms = ShowForms {
                note: form.note,
                errors: FormErrors::of_field(&state.i18n, lang, &v, "note"),
                ..Default::default()
            };
            show_response(
                &state,
                &headers,
                &signed,
                id,
                None,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            let lang = lang_of(&headers);
            crate::kit::reshow((&state.i18n, lang), e.into(), |x, status| {
                let forms = ShowForms {
                    note: form.note,
                    error: Some(x.message),
                    details: x.text.into_iter().collect(),
                    ..Default::default()
                };
                show_response(&state, &headers, &signed, id, None, forms, status)
            })
            .await
        }
    }
}
