//! Recording an item: the form, its milestones as lines, and the new item.

use super::*;
use crate::ui::forms::form_status;

// --- Recording an item -----------------------------------------------------------------------

/// The item form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub campaign_id: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub phase: String,
    pub source: String,
    pub category: String,
    pub item_type: String,
    pub lead_org_code: String,
    pub responsible_person: String,
    pub responsible_username: String,
    pub due_on: String,
    /// One measure per line.
    pub measures: String,
    /// One milestone per line: `YYYY-MM-DD title`.
    pub milestones: String,
    pub parent_id: String,
    /// The special programme area the item is a measure of (from "add a measure").
    pub programme_area_id: String,
    pub issue: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewItemQuery {
    pub parent: String,
    pub kind: String,
    pub programme_area_id: String,
}

#[derive(Template)]
#[template(path = "ledger_item_form.html")]
pub(super) struct ItemFormPage {
    pub(super) ctx: Ctx,
    pub(super) form: ItemForm,
    pub(super) errors: FormErrors,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) kinds: Vec<(String, String)>,
    pub(super) phases: Vec<(String, String)>,
    pub(super) sources: Vec<(String, String)>,
    pub(super) types: Vec<(String, String)>,
    pub(super) can_issue: bool,
    pub(super) parent: Option<(i64, String)>,
    /// The programme and area of a measure: (programme id, "programme / area").
    pub(super) area: Option<(i64, String)>,
    pub(super) cancel: String,
}

pub(super) async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: ItemForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let mut ctx = Ctx::signed(state, headers, signed, "ledger", "item-new-title").await?;
    let parent_id = opt_id(Some(&form.parent_id));
    let parent = match parent_id {
        Some(pid) => items_svc::get(&state.svc, actor, pid)
            .await
            .ok()
            .map(|d| (pid, d.item.item.title)),
        None => None,
    };
    let area_id = opt_id(Some(&form.programme_area_id));
    let area = match area_id {
        Some(aid) => crate::ui::programmes::area_context(state, actor, aid)
            .await
            .ok()
            .map(|a| (a.programme_id, a.label)),
        None => None,
    };
    let task_book = form.kind == "task";
    let (list_title, list_href) = if task_book {
        (ctx.t("nav-task-book"), "/ledger?kind=task")
    } else {
        (ctx.t("nav-ledger"), "/ledger")
    };
    ctx = ctx.crumb(list_title, list_href);
    if let Some((pid, title)) = &parent {
        ctx = ctx.crumb(title.clone(), &format!("/items/{pid}"));
        ctx.title = ctx.t("item-new-subtask");
    }
    let title = ctx.title.clone();
    ctx = ctx.crumb(title, "");
    ctx.back = match (parent_id, area_id) {
        (Some(pid), _) => format!("/items/new?parent={pid}"),
        (None, Some(aid)) => format!("/items/new?kind=task&programme_area_id={aid}"),
        (None, None) => "/items/new".into(),
    };
    let campaigns = campaigns_svc::list(&state.svc, actor, None, Page::new(1, 200))
        .await?
        .items
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    let status = form_status(&errors);
    let page = ItemFormPage {
        campaigns,
        kinds: kind_options(&ctx),
        phases: phase_options(&ctx),
        sources: source_options(&ctx),
        types: type_options(&ctx),
        can_issue: actor.can_somewhere(Permission::SuperviseItems),
        cancel: match (&parent, &area) {
            (Some((pid, _)), _) => format!("/items/{pid}"),
            (None, Some((prog, _))) => format!("/programmes/{prog}"),
            (None, None) => list_href.to_owned(),
        },
        parent,
        area,
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

pub(super) async fn new_item_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<NewItemQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let kind = match ItemKind::parse(&q.kind) {
        Some(k) => k.as_str(),
        None => "rectification",
    };
    let mut form = ItemForm {
        kind: kind.into(),
        phase: "rectification".into(),
        source: "self_examination".into(),
        item_type: "time_limited".into(),
        ..Default::default()
    };
    if let Some(aid) = opt_id(Some(&q.programme_area_id)) {
        // A measure of a programme area: in the programme's campaign.
        let a = crate::ui::programmes::area_context(&state, actor, aid).await?;
        form.programme_area_id = aid.to_string();
        form.campaign_id = a.campaign_id.to_string();
    }
    if let Some(pid) = opt_id(Some(&q.parent)) {
        // A subtask starts from its parent: same campaign, kind, phase and unit.
        let d = items_svc::get(&state.svc, actor, pid).await?;
        let p = &d.item.item;
        form.parent_id = pid.to_string();
        form.campaign_id = p.campaign_id.to_string();
        form.kind = p.kind.clone();
        form.phase = p.phase.clone();
        form.source = p.source.clone();
        form.item_type = p.item_type.clone();
        form.category = p.category.clone();
        form.lead_org_code = d.item.lead_org_code.clone();
    } else if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            form.lead_org_code = o.code;
        }
    }
    if form.lead_org_code.is_empty() {
        // Standing nowhere chosen: the user's only root, as the scope switcher does.
        let roots = orgs_svc::children(&state.svc, actor, None, false).await?;
        if let [only] = roots.as_slice() {
            form.lead_org_code = only.org.code.clone();
        }
    }
    form_page(&state, &headers, &signed, form, FormErrors::default()).await
}

/// Milestones from the textarea: `YYYY-MM-DD title` per non-empty line; errors by line number.
pub(super) fn parse_milestones(text: &str) -> (Vec<MilestoneInput>, Vec<(usize, &'static str)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, title) = match line.split_once(char::is_whitespace) {
            Some((d, t)) => (d, t.trim()),
            None => (line, ""),
        };
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Err(_) => errors.push((i + 1, "bad_date")),
            Ok(_) if title.is_empty() => errors.push((i + 1, "required")),
            Ok(d) => out.push(MilestoneInput {
                title: title.to_owned(),
                due_on: d,
                done_on: None,
            }),
        }
    }
    (out, errors)
}

/// The form field a service validation error belongs to.
pub(super) fn form_field(f: &str) -> Option<String> {
    let base = f.split(['[', '.']).next().unwrap_or(f);
    match base {
        "title" | "description" | "category" | "responsible_person" | "kind" | "phase"
        | "source" | "item_type" | "measures" | "milestones" | "campaign_id" | "due_on" => {
            Some(base.to_owned())
        }
        "lead_org_id" => Some("lead_org_code".into()),
        "responsible_user_id" => Some("responsible_username".into()),
        _ => None,
    }
}

pub(super) async fn create_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<ItemForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();

    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let due_on = match parse_date(&form.due_on) {
        Ok(d) => Some(d),
        Err(code) => {
            errors.add(i18n, lang, "due_on", code, &[]);
            None
        }
    };
    let code = form.lead_org_code.trim();
    let lead_org_id = if code.is_empty() {
        errors.add(i18n, lang, "lead_org_code", "required", &[]);
        None
    } else {
        match orgs_svc::get_by_code(&state.svc, actor, code).await {
            Ok(o) => Some(o.id),
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
                errors.add(i18n, lang, "lead_org_code", "unknown_org", &[]);
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let username = form.responsible_username.trim();
    let responsible_user_id = if username.is_empty() {
        None
    } else {
        match items_svc::responsible_by_username(&state.svc, &signed.actor, username).await? {
            Some(id) => Some(id),
            None => {
                errors.add(i18n, lang, "responsible_username", "unknown_user", &[]);
                None
            }
        }
    };
    let (milestones, milestone_errors) = parse_milestones(&form.milestones);
    for (line, code) in milestone_errors {
        let message = crate::error::field_message(i18n, lang, code, &[]);
        errors.add_message(
            "milestones",
            i18n.tr(
                lang,
                "item-form-milestone-error",
                &[("line", line.to_string()), ("message", message)],
            ),
        );
    }
    let can_issue = actor.can_somewhere(Permission::SuperviseItems);
    let input = ItemInput {
        campaign_id: campaign_id.unwrap_or(0),
        kind: form.kind.trim().to_owned(),
        parent_id: opt_id(Some(&form.parent_id)),
        title: form.title.clone(),
        description: form.description.clone(),
        phase: form.phase.trim().to_owned(),
        source: form.source.trim().to_owned(),
        category: form.category.clone(),
        item_type: form.item_type.trim().to_owned(),
        lead_org_id: lead_org_id.unwrap_or(0),
        co_org_ids: Vec::new(),
        responsible_user_id,
        responsible_person: form.responsible_person.clone(),
        due_on: due_on.unwrap_or_default(),
        goal_id: None,
        measures: form
            .measures
            .lines()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
            .collect(),
        milestones,
        weight: None,
        programme_area_id: opt_id(Some(&form.programme_area_id)),
        issue: can_issue && !form.issue.trim().is_empty(),
    };
    let v = if !errors.is_empty() {
        // Show every problem at once: the service's checks on the fields that did parse.
        items_svc::validate(&input)
    } else {
        match items_svc::create(&state.svc, actor, input).await {
            Ok(d) => return Ok(see_other(&format!("/items/{}", d.item.item.id), "created")),
            Err(ServiceError::Validation(v)) => v,
            Err(e) => return Err(e.into()),
        }
    };
    errors.absorb(i18n, lang, &v, form_field);
    let errors = errors.finish(i18n, lang);
    form_page(&state, &headers, &signed, form, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milestones_parse_by_line() {
        let (ok, bad) = parse_milestones(
            "2026-10-15 完成方案制定\n\n2026-13-01 x\n2026-11-01\u{3000}中期评估\n2026-11-02",
        );
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].title, "中期评估");
        assert_eq!(bad, vec![(3, "bad_date"), (5, "required")]);
    }
}
