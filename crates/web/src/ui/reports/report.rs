//! One situation report's page: its figures, its three texts, and the forms the reader may use.

use super::*;

// --- One report ------------------------------------------------------------------------------

/// What a refused form sends back to the page: the messages and what was typed.
#[derive(Default)]
pub(super) struct ReportForms {
    pub(super) texts: Option<ReportTexts>,
    pub(super) errors: FormErrors,
    pub(super) comment: String,
    pub(super) review_errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

pub(super) struct Figure {
    pub(super) key: &'static str,
    pub(super) label: String,
    pub(super) value: i64,
}

pub(super) struct ReportHead {
    pub(super) id: i64,
    pub(super) org_id: i64,
    pub(super) org_name: String,
    pub(super) rule: String,
    pub(super) period: String,
    pub(super) due: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) state: &'static str,
    pub(super) state_label: String,
    pub(super) state_class: &'static str,
    pub(super) submitted: Option<String>,
    pub(super) reviewed: Option<String>,
    pub(super) review_comment: String,
    pub(super) sent_back: bool,
    pub(super) version: i64,
}

#[derive(Template)]
#[template(path = "report_show.html")]
pub(super) struct ReportPage {
    pub(super) ctx: Ctx,
    pub(super) r: ReportHead,
    pub(super) period_span: String,
    pub(super) frozen: bool,
    pub(super) in_period: Vec<Figure>,
    pub(super) now_figures: Vec<Figure>,
    /// The org's indicators with the week's actual: (key work id, name, unit, actual, planned).
    pub(super) indicators: Vec<(i64, String, String, String, String)>,
    pub(super) can_edit: bool,
    pub(super) can_review: bool,
    pub(super) done_text: String,
    pub(super) problems_text: String,
    pub(super) plan_text: String,
    pub(super) errors: FormErrors,
    pub(super) comment: String,
    pub(super) review_errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
}

pub(super) async fn report_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    report_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ReportForms::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) fn figure(ctx: &Ctx, figures: &serde_json::Value, key: &'static str) -> Figure {
    Figure {
        key,
        label: ctx.t(&format!("reports-figure-{}", key.replace('_', "-"))),
        value: figures[key].as_i64().unwrap_or(0),
    }
}

pub(super) fn instant(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

pub(super) async fn report_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ReportForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let v = reports_svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "reports", "reports-title")
        .await?
        .with_flash(flash);
    ctx.back = format!("/reports/{id}");
    let list = ctx.t("reports-title");
    let r: &Report = &v.report;
    let heading = ctx.tr(
        "reports-page-title",
        &[
            ("org", r.org_name.clone()),
            ("period", r.period_key.clone()),
        ],
    );
    ctx.title = heading.clone();
    let ctx = ctx.crumb(list, "/reports").crumb(heading, "");
    let mut zones = Zones::default();
    zones.load_rule(state, r.rule_id).await;
    let (state_name, state_label, state_class) = state_tag(&ctx, v.state);
    let period_span = match (
        instant(&v.figures["period_start"]),
        instant(&v.figures["period_end"]),
    ) {
        (Some(a), Some(b)) => ctx.tr(
            "reports-period-span",
            &[
                ("start", zones.show_for_rule(&ctx, r.rule_id, &a)),
                ("end", zones.show_for_rule(&ctx, r.rule_id, &b)),
            ],
        ),
        _ => String::new(),
    };
    let head = ReportHead {
        id,
        org_id: r.org_id,
        org_name: r.org_name.clone(),
        rule: r.rule_name.clone(),
        period: r.period_key.clone(),
        due: zones.show_for_rule(&ctx, r.rule_id, &r.due_at),
        status: r.status.clone(),
        status_label: status_label(&ctx, &r.status),
        status_class: status_class(&r.status),
        state: state_name,
        state_label,
        state_class,
        submitted: r.submitted_at.map(|t| {
            ctx.tr(
                "reports-submitted-by",
                &[
                    ("time", zones.show_for_rule(&ctx, r.rule_id, &t)),
                    ("name", r.submitted_by.clone().unwrap_or_default()),
                ],
            )
        }),
        reviewed: r.reviewed_at.map(|t| {
            ctx.tr(
                "reports-reviewed-by",
                &[
                    ("time", zones.show_for_rule(&ctx, r.rule_id, &t)),
                    ("name", r.reviewed_by.clone().unwrap_or_default()),
                ],
            )
        }),
        review_comment: r.review_comment.clone(),
        sent_back: r.status == "sent_back",
        version: r.version,
    };
    let texts = forms.texts.unwrap_or_else(|| ReportTexts {
        done_text: r.done_text.clone(),
        problems_text: r.problems_text.clone(),
        plan_text: r.plan_text.clone(),
    });
    let page = ReportPage {
        period_span,
        frozen: r.submitted_at.is_some() && r.status != "sent_back",
        in_period: ["items_closed", "items_recorded", "items_sent_back"]
            .into_iter()
            .map(|k| figure(&ctx, &v.figures, k))
            .collect(),
        now_figures: ["items_open", "items_overdue", "items_red"]
            .into_iter()
            .map(|k| figure(&ctx, &v.figures, k))
            .collect(),
        indicators: v.figures["indicators"]
            .as_array()
            .map(|list| {
                let show = |x: &serde_json::Value| {
                    x.as_f64()
                        .map(|f| f.to_string())
                        .unwrap_or_else(|| "—".into())
                };
                list.iter()
                    .map(|i| {
                        (
                            i["key_work_id"].as_i64().unwrap_or(0),
                            i["name"].as_str().unwrap_or("").to_owned(),
                            i["unit"].as_str().unwrap_or("").to_owned(),
                            show(&i["actual"]),
                            show(&i["planned"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        can_edit: v.can_edit,
        can_review: v.can_review,
        done_text: texts.done_text,
        problems_text: texts.problems_text,
        plan_text: texts.plan_text,
        errors: forms.errors,
        comment: forms.comment,
        review_errors: forms.review_errors,
        error: forms.error,
        details: forms.details,
        r: head,
        ctx,
    };
    Ok(render_status(status, &page))
}
