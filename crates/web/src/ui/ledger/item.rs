//! One item's page: its head, timeline, evidence, and a form per step the reader may take.

use super::*;

// --- One item --------------------------------------------------------------------------------

/// The item's own fields as its page shows them.
pub struct ItemHead {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub status_label: String,
    pub status_class: &'static str,
    pub light: &'static str,
    pub light_label: String,
    pub timeliness: Option<(String, &'static str)>,
    pub timeliness_label: String,
    pub campaign: String,
    pub phase: String,
    pub source: String,
    pub item_type: String,
    pub category: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_code: String,
    pub co_orgs: Vec<(i64, String)>,
    pub person: String,
    pub due_on: String,
    pub original_due_on: Option<String>,
    pub pending_extension: Option<String>,
    pub start_on: Option<String>,
    pub closed_on: Option<String>,
    pub recheck_due_on: Option<String>,
    pub progress: i64,
    pub reopen_count: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub parent: Option<(i64, String)>,
}

pub struct MilestoneView {
    pub title: String,
    pub due_on: String,
    pub done_on: String,
    pub state: String,
    pub state_class: &'static str,
}

/// One entry of the timeline: a lifecycle step, a progress note or a deadline revision.
pub struct TimelineEntry {
    pub at: String,
    pub who: String,
    /// The account (username) behind the name, shown on hover.
    pub who_id: String,
    pub label: String,
    /// `event`, `note` or `revision`, for the marker's colour.
    pub kind: &'static str,
    pub from_to: Option<(String, String)>,
    pub detail: String,
    /// "Reason: …", or empty.
    pub reason: String,
}

pub struct EvidenceView {
    pub id: i64,
    /// An image or a PDF: shown in the browser (sandboxed) as well as downloaded.
    pub viewable: bool,
    pub name: String,
    pub size: String,
    pub by: String,
    pub at: String,
}

/// A form for one step the reader may take now.
pub struct ActionView {
    pub name: &'static str,
    pub label: String,
    pub needs_reason: bool,
    pub needs_date: bool,
    pub confirm: Option<String>,
    pub button_class: &'static str,
    pub reason: String,
    /// What the text asks for: a reason, the unit's statement, the reviewer's opinion.
    pub reason_label: String,
    pub new_due_on: String,
}

/// What a refused form sends back to the page: the message and what was typed.
#[derive(Default)]
pub(super) struct ItemForms {
    /// The code of a refusal shown after a redirect.
    pub(super) refused: Option<String>,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
    pub(super) action: String,
    pub(super) reason: String,
    pub(super) new_due_on: String,
    pub(super) note_text: String,
    pub(super) note_progress: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger_item.html")]
pub(super) struct ItemPage {
    pub(super) ctx: Ctx,
    pub(super) it: ItemHead,
    pub(super) measures: Vec<String>,
    pub(super) milestones: Vec<MilestoneView>,
    pub(super) children: Vec<ItemRowView>,
    pub(super) timeline: Vec<TimelineEntry>,
    pub(super) evidence: Vec<EvidenceView>,
    pub(super) simple_actions: Vec<ActionView>,
    pub(super) reason_actions: Vec<ActionView>,
    pub(super) can_edit: bool,
    pub(super) can_report: bool,
    /// Close-out waits for evidence: say so where the button would be.
    pub(super) needs_evidence: bool,
    pub(super) can_add_child: bool,
    /// A supervisor may urge (催办) the responsible person of an open item.
    pub(super) can_urge: bool,
    pub(super) max_bytes: u64,
    pub(super) too_large: String,
    pub(super) upload_hint: String,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
    pub(super) note_text: String,
    pub(super) note_progress: String,
    /// Where the item came from: (label, link, title) of a research topic or a meeting.
    pub(super) origins: Vec<(String, String, String)>,
    /// Who was told of it (urges, sent back) and whether they have read it: for supervisors.
    pub(super) told: Vec<ToldView>,
}

/// One person's copy of a notice about the item.
pub(super) struct ToldView {
    pub(super) who: String,
    pub(super) kind: String,
    pub(super) at: String,
    pub(super) read: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemPageQuery {
    pub ok: String,
    pub refused: String,
}

pub(super) async fn item_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ItemPageQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    item_response(
        &state,
        &headers,
        &signed,
        id,
        flash,
        ItemForms {
            refused: Some(q.refused).filter(|r| !r.is_empty()),
            ..Default::default()
        },
        StatusCode::OK,
    )
    .await
}

pub(super) fn timeline(ctx: &Ctx, d: &ItemDetail) -> Vec<TimelineEntry> {
    let mut out: Vec<(DateTime<Utc>, u8, TimelineEntry)> = Vec::new();
    for e in &d.events {
        let label = if ctx.i18n.has(ctx.lang, &format!("action-{}", e.action)) {
            ctx.t(&format!("action-{}", e.action))
        } else if ctx.i18n.has(ctx.lang, &format!("event-{}", e.action)) {
            ctx.t(&format!("event-{}", e.action))
        } else {
            e.action.clone()
        };
        let from_to = (e.from_status != e.to_status && !e.from_status.is_empty()).then(|| {
            (
                status_label(ctx, &e.from_status),
                status_label(ctx, &e.to_status),
            )
        });
        let data: serde_json::Value = e
            .data_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        let s = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let detail = match (s("old_due_on"), s("new_due_on"), s("file_name")) {
            (Some(old), Some(new), _) => format!("{old} → {new}"),
            (None, Some(new), _) => ctx.tr("item-tl-new-due", &[("date", new)]),
            (_, _, Some(name)) => name,
            _ => String::new(),
        };
        out.push((
            e.at,
            0,
            TimelineEntry {
                at: fmt_time(&e.at),
                // People by name; the username on hover (the template's title).
                who: if e.actor_display.is_empty() {
                    e.actor_name.clone()
                } else {
                    e.actor_display.clone()
                },
                who_id: e.actor_name.clone(),
                label,
                kind: "event",
                from_to,
                detail,
                reason: e.reason.clone(),
            },
        ));
    }
    for n in &d.notes {
        let mut detail = n.text.clone();
        if let Some(p) = n.progress_percent {
            let pr = ctx.tr("item-tl-progress", &[("progress", p.to_string())]);
            detail = if detail.is_empty() {
                pr
            } else {
                format!("{detail}（{pr}）")
            };
        }
        out.push((
            n.at,
            1,
            TimelineEntry {
                at: fmt_time(&n.at),
                who: n.author_name.clone(),
                who_id: String::new(),
                label: ctx.t("event-note"),
                kind: "note",
                from_to: None,
                detail,
                reason: String::new(),
            },
        ));
    }
    for r in &d.revisions {
        let mut detail = format!("{} → {}", r.old_due_on, r.new_due_on);
        if !r.requested_by.is_empty() {
            detail.push_str(" · ");
            detail.push_str(&ctx.tr("item-tl-requested-by", &[("name", r.requested_by.clone())]));
        }
        out.push((
            r.at,
            2,
            TimelineEntry {
                at: fmt_time(&r.at),
                who: r.approved_by.clone(),
                who_id: String::new(),
                label: ctx.t("event-revision"),
                kind: "revision",
                from_to: None,
                detail,
                reason: r.reason.clone(),
            },
        ));
    }
    out.sort_by_key(|e| (e.0, e.1));
    out.into_iter()
        .map(|(_, _, mut e)| {
            if !e.reason.trim().is_empty() {
                e.reason = ctx.tr("item-tl-reason", &[("reason", e.reason.trim().to_owned())]);
            }
            e
        })
        .collect()
}

pub(super) fn action_view(ctx: &Ctx, name: &'static str, forms: &ItemForms) -> ActionView {
    let mine = forms.action == name;
    ActionView {
        name,
        label: ctx.t(&format!("action-{name}")),
        needs_reason: REASON_ACTIONS.contains(&name),
        reason_label: match name {
            "request_close_out" => ctx.t("item-close-out-statement"),
            "close" => ctx.t("item-close-opinion"),
            _ => ctx.t("item-reason"),
        },
        needs_date: name == "request_extension",
        confirm: CONFIRM_ACTIONS
            .contains(&name)
            .then(|| ctx.t(&format!("action-{name}-confirm"))),
        button_class: match name {
            "withdraw" | "send_back" | "reopen" => "btn btn-danger",
            "reject_extension" | "return_not_ours" | "suspend" => "btn",
            _ => "btn btn-primary",
        },
        reason: if mine {
            forms.reason.clone()
        } else {
            String::new()
        },
        new_due_on: if mine {
            forms.new_due_on.clone()
        } else {
            String::new()
        },
    }
}

pub(super) async fn item_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    flash: Option<&str>,
    forms: ItemForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let d = items_svc::get(&state.svc, actor, id).await?;
    let research = luodi_service::research::origin_of_item(&state.svc, actor, id).await?;
    let meeting = luodi_service::meetings::of_item(&state.svc, actor, id).await?;
    let task = d.item.item.kind == "task";
    let mut ctx = Ctx::signed(
        state,
        headers,
        signed,
        if task { "tasks" } else { "ledger" },
        "nav-ledger",
    )
    .await?
    .with_flash(flash)
    .with_refusal(forms.refused.as_deref());
    ctx.back = format!("/items/{id}");
    let (list_title, list_href) = if task {
        (ctx.t("nav-task-book"), "/ledger?kind=task")
    } else {
        (ctx.t("nav-ledger"), "/ledger")
    };
    ctx = ctx.crumb(list_title, list_href);
    let i = &d.item.item;
    let parent = match i.parent_id {
        Some(pid) => Some(
            items_svc::get(&state.svc, actor, pid)
                .await
                .map(|p| (pid, p.item.item.title))
                .unwrap_or((pid, format!("#{pid}"))),
        ),
        None => None,
    };
    if let Some((pid, title)) = &parent {
        ctx = ctx.crumb(title.clone(), &format!("/items/{pid}"));
    }
    ctx = ctx.crumb(i.title.clone(), "");
    ctx.title = i.title.clone();

    let campaign = campaigns_svc::get(&state.svc, actor, i.campaign_id)
        .await
        .map(|c| c.campaign.name)
        .unwrap_or_else(|_| format!("#{}", i.campaign_id));
    let today = campaign_today(state, i.campaign_id).await;
    let opt_date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let it = ItemHead {
        id,
        title: i.title.clone(),
        description: i.description.clone(),
        kind: i.kind.clone(),
        kind_label: ctx.t(&format!("item-kind-{}", i.kind)),
        status: i.status.clone(),
        status_label: status_label(&ctx, &i.status),
        status_class: status_class(&i.status),
        light: light_name(&i.light),
        light_label: light_label(&ctx, &i.light),
        timeliness: timeliness_tag(&ctx, &i.timeliness),
        timeliness_label: if i.timeliness.is_empty() {
            String::new()
        } else {
            ctx.t(&format!("timeliness-{}", i.timeliness))
        },
        campaign,
        phase: ctx.t(&format!("phase-{}", i.phase)),
        source: ctx.t(&format!("source-{}", i.source)),
        item_type: ctx.t(&format!("item-type-{}", i.item_type)),
        category: i.category.clone(),
        org_id: i.lead_org_id,
        org_name: d.item.lead_org_name.clone(),
        org_code: d.item.lead_org_code.clone(),
        co_orgs: d
            .co_orgs
            .iter()
            .map(|o| (o.org_id, o.name.clone()))
            .collect(),
        person: i.responsible_person.clone(),
        due_on: i.due_on.to_string(),
        original_due_on: (i.original_due_on != i.due_on).then(|| i.original_due_on.to_string()),
        pending_extension: i
            .pending_extension_on
            .map(|p| ctx.tr("item-pending-extension-value", &[("date", p.to_string())])),
        start_on: opt_date(i.start_on),
        closed_on: opt_date(i.closed_on),
        recheck_due_on: opt_date(i.recheck_due_on),
        progress: i.progress_percent.clamp(0, 100),
        reopen_count: i.reopen_count,
        version: i.version,
        created_at: fmt_time(&i.created_at),
        updated_at: fmt_time(&i.updated_at),
        parent,
    };
    let milestones = d
        .milestones
        .iter()
        .map(|m| {
            // Only an item still being delivered has milestones that can fall behind.
            let open = Status::parse(&i.status).is_some_and(|s| s.is_open());
            let (state_key, state_class) = match m.done_on {
                Some(_) => ("item-milestone-done-state", "tag-green"),
                None if !open => ("", ""),
                None if m.due_on < today => ("item-milestone-late-state", "tag-red"),
                None => ("item-milestone-open-state", "tag-blue"),
            };
            MilestoneView {
                title: m.title.clone(),
                due_on: m.due_on.to_string(),
                done_on: m.done_on.map(|d| d.to_string()).unwrap_or_default(),
                state: if state_key.is_empty() {
                    String::new()
                } else {
                    ctx.t(state_key)
                },
                state_class,
            }
        })
        .collect();
    let (reason_actions, simple_actions): (Vec<ActionView>, Vec<ActionView>) = d
        .allowed
        .iter()
        .map(|a| action_view(&ctx, a, &forms))
        .partition(|a| a.needs_reason);
    let status_now = Status::parse(&i.status).unwrap_or(Status::Draft);
    let max = state.config.max_upload_bytes;
    let max_text = format!("{} MiB", max / (1024 * 1024));
    let mut origins = Vec::new();
    if let Some(o) = research {
        origins.push((
            ctx.t("research-from-topic"),
            format!("/research/{}#finding-{}", o.topic_id, o.finding_id),
            o.topic_title,
        ));
    }
    if let Some((mid, title)) = meeting {
        origins.push((ctx.t("meeting-from"), format!("/meetings/{mid}"), title));
    }
    let told = if actor.can(Permission::SuperviseItems, &i.lead_org_path) {
        luodi_service::reminders::told_about(&state.svc, i.id)
            .await?
            .into_iter()
            .map(|n| ToldView {
                who: n.user_name,
                kind: ctx.t(&format!("inbox-kind-{}", n.subject)),
                at: fmt_time(&n.created_at),
                read: n.read_at.as_ref().map(fmt_time),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = ItemPage {
        told,
        origins,
        measures: d.measures.iter().map(|m| m.text.clone()).collect(),
        milestones,
        children: d.children.iter().map(|c| row_view(&ctx, c)).collect(),
        timeline: timeline(&ctx, &d),
        evidence: d
            .attachments
            .iter()
            .map(|a| EvidenceView {
                id: a.id,
                viewable: crate::kit::viewable(&a.content_type),
                name: a.file_name.clone(),
                size: file_size(a.size),
                by: a.uploaded_by.clone(),
                at: fmt_time(&a.uploaded_at),
            })
            .collect(),
        simple_actions,
        reason_actions,
        can_edit: d.can_edit,
        can_report: d.can_report,
        needs_evidence: d.can_report
            && status_now == Status::InProgress
            && d.attachments.is_empty()
            && !d.allowed.contains(&"request_close_out"),
        can_add_child: actor.can(Permission::EditItems, &i.lead_org_path)
            && !status_now.is_done()
            && status_now != Status::Withdrawn,
        can_urge: actor.can(Permission::SuperviseItems, &i.lead_org_path) && status_now.is_open(),
        max_bytes: max,
        too_large: ctx.tr("err-file_too_large", &[("max", max_text.clone())]),
        upload_hint: ctx.tr("item-upload-hint", &[("max", max_text)]),
        error: forms.error.clone(),
        details: forms.details.clone(),
        note_text: forms.note_text.clone(),
        note_progress: forms
            .note_progress
            .clone()
            .unwrap_or_else(|| i.progress_percent.to_string()),
        it,
        ctx,
    };
    Ok(render_status(status, &page))
}
