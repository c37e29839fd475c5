//! The form to edit an item (a task or a rectification item). The supervising org may change
//! every field (the responsible unit only while a draft or returned, the deadline only while a
//! draft); the responsible unit changes only the description and the milestones, to mark them
//! done. Only what differs from the item as it stands is sent to the service, so a unit's
//! submission never carries a supervisor's field.

use super::Ctx;
use super::{parse_version, render_status, see_other, FormErrors};
use crate::auth::{lang_of, Signed};
use crate::error::{explain, field_message, ApiError};
use crate::i18n::{I18n, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use luodi_domain::campaign::PhaseKind;
use luodi_domain::item::{ItemType, Refusal, Source, Status};
use luodi_service::auth::SignedIn;
use luodi_service::items::{self as items_svc, ItemChanges, ItemDetail, MilestoneInput};
use luodi_service::orgs as orgs_svc;
use luodi_service::{Actor, ServiceError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/items/{id}/edit", get(edit_page).post(save))
}

/// The edit form as entered (all text, so that anything typed can be shown again).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct EditForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub phase: String,
    pub source: String,
    pub item_type: String,
    pub lead_org_code: String,
    pub responsible_person: String,
    pub responsible_username: String,
    pub due_on: String,
    /// One measure per line.
    pub measures: String,
    /// One milestone per line: `YYYY-MM-DD title`, or `YYYY-MM-DD title | YYYY-MM-DD` when done.
    pub milestones: String,
    pub weight: String,
    pub version: String,
}

/// The item's fields as they stand, for the parts of the form the reader may not change.
pub struct Fixed {
    pub title: String,
    pub category: String,
    pub phase: String,
    pub source: String,
    pub item_type: String,
    pub unit_code: String,
    pub unit_name: String,
    pub person: String,
    pub username: String,
    pub due_on: String,
    pub measures: Vec<String>,
    pub weight: i64,
}

#[derive(Template)]
#[template(path = "item_edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    form: EditForm,
    fixed: Fixed,
    errors: FormErrors,
    /// A refusal of the service (403, 409), in words.
    error: Option<String>,
    /// Every field: the supervising org. Otherwise only the description and milestones.
    full: bool,
    unit_editable: bool,
    due_editable: bool,
    kind_label: String,
    status_label: String,
    /// "The responsible unit now: …", under the unit code.
    unit_current: String,
    phases: Vec<(String, String)>,
    sources: Vec<(String, String)>,
    types: Vec<(String, String)>,
}

fn status_of(d: &ItemDetail) -> Status {
    Status::parse(&d.item.item.status).unwrap_or(Status::Draft)
}

/// Whether the reader edits every field (`true`), only the unit's (`false`), or nothing (why not).
fn mode(actor: &Actor, d: &ItemDetail) -> Result<bool, ApiError> {
    if d.can_edit {
        return Ok(true);
    }
    if d.can_report {
        return Ok(false);
    }
    let st = items_svc::standing(actor, &d.item.item);
    Err(if st.supervisor || st.responsible_unit {
        ServiceError::Conflict(Refusal::WrongStatus.code())
    } else {
        ServiceError::Forbidden
    }
    .into())
}

/// A milestone as a line of the textarea. A title with a bar of its own gets an empty done part,
/// so that the line reads back as it was.
pub fn milestone_line(title: &str, due_on: NaiveDate, done_on: Option<NaiveDate>) -> String {
    match done_on {
        Some(done) => format!("{due_on} {title} | {done}"),
        None if title.contains(['|', '｜']) => format!("{due_on} {title} |"),
        None => format!("{due_on} {title}"),
    }
}

/// Splits the done date off a milestone line: the text after the last bar (`|` or `｜`) when it
/// is empty or a date. Text after a bar that is neither, and does not start with a digit, belongs
/// to the title. `Err` when it starts like a date but is none.
fn split_done(line: &str) -> Result<(&str, Option<NaiveDate>), ()> {
    let Some((pos, bar)) = line
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, '|' | '｜'))
    else {
        return Ok((line, None));
    };
    let body = line[..pos].trim_end();
    let rest = line[pos + bar.len_utf8()..].trim();
    if rest.is_empty() {
        return Ok((body, None));
    }
    match NaiveDate::parse_from_str(rest, "%Y-%m-%d") {
        Ok(d) => Ok((body, Some(d))),
        Err(_) if rest.starts_with(|c: char| c.is_ascii_digit()) => Err(()),
        Err(_) => Ok((line, None)),
    }
}

/// Milestones from the textarea, one per non-empty line: `YYYY-MM-DD title`, optionally followed
/// by `| YYYY-MM-DD`, the day it was done. Errors by line number.
pub fn parse_milestone_lines(text: &str) -> (Vec<MilestoneInput>, Vec<(usize, &'static str)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok((body, done_on)) = split_done(line) else {
            errors.push((i + 1, "bad_date"));
            continue;
        };
        let (date, title) = match body.split_once(char::is_whitespace) {
            Some((d, t)) => (d, t.trim()),
            None => (body, ""),
        };
        match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            Err(_) => errors.push((i + 1, "bad_date")),
            Ok(_) if title.is_empty() => errors.push((i + 1, "required")),
            Ok(due_on) => out.push(MilestoneInput {
                title: title.to_owned(),
                due_on,
                done_on,
            }),
        }
    }
    (out, errors)
}

/// Text from a textarea with the browser's line ends made plain.
fn plain(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn measures_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form as the item stands.
fn form_of(d: &ItemDetail, username: &str) -> EditForm {
    let i = &d.item.item;
    EditForm {
        title: i.title.clone(),
        description: i.description.clone(),
        category: i.category.clone(),
        phase: i.phase.clone(),
        source: i.source.clone(),
        item_type: i.item_type.clone(),
        lead_org_code: d.item.lead_org_code.clone(),
        responsible_person: i.responsible_person.clone(),
        responsible_username: username.to_owned(),
        due_on: i.due_on.to_string(),
        measures: d
            .measures
            .iter()
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        milestones: d
            .milestones
            .iter()
            .map(|m| milestone_line(&m.title, m.due_on, m.done_on))
            .collect::<Vec<_>>()
            .join("\n"),
        weight: i.weight.to_string(),
        version: i.version.to_string(),
    }
}

fn fixed_of(ctx: &Ctx, d: &ItemDetail, username: &str) -> Fixed {
    let i = &d.item.item;
    Fixed {
        title: i.title.clone(),
        category: i.category.clone(),
        phase: ctx.t(&format!("phase-{}", i.phase)),
        source: ctx.t(&format!("source-{}", i.source)),
        item_type: ctx.t(&format!("item-type-{}", i.item_type)),
        unit_code: d.item.lead_org_code.clone(),
        unit_name: d.item.lead_org_name.clone(),
        person: i.responsible_person.clone(),
        username: username.to_owned(),
        due_on: i.due_on.to_string(),
        measures: d.measures.iter().map(|m| m.text.clone()).collect(),
        weight: i.weight,
    }
}

/// The form field a service validation error belongs to (`None`: the summary). A unit's form
/// shows only the description and milestones.
fn form_field(full: bool, f: &str) -> Option<String> {
    let base = f.split(['[', '.']).next().unwrap_or(f);
    let field = match base {
        "description" | "milestones" => base,
        "title" | "category" | "phase" | "source" | "item_type" | "responsible_person"
        | "measures" | "due_on" | "weight"
            if full =>
        {
            base
        }
        "lead_org_id" if full => "lead_org_code",
        "responsible_user_id" if full => "responsible_username",
        _ => return None,
    };
    Some(field.to_owned())
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    d: &ItemDetail,
    full: bool,
    form: EditForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let i = &d.item.item;
    let id = i.id;
    let task = i.kind == "task";
    let mut ctx = Ctx::signed(
        state,
        headers,
        signed,
        if task { "tasks" } else { "ledger" },
        "item-edit-title",
    )
    .await?;
    ctx.back = format!("/items/{id}/edit");
    let (list_title, list_href) = if task {
        (ctx.t("nav-task-book"), "/ledger?kind=task")
    } else {
        (ctx.t("nav-ledger"), "/ledger")
    };
    let title = ctx.title.clone();
    ctx = ctx
        .crumb(list_title, list_href)
        .crumb(i.title.clone(), &format!("/items/{id}"))
        .crumb(title, "");
    let username = items_svc::responsible_username(&state.svc, i).await?;
    let status_now = status_of(d);
    let phases: Vec<&str> = PhaseKind::ALL.iter().map(|k| k.as_str()).collect();
    let sources: Vec<&str> = Source::ALL.iter().map(|k| k.as_str()).collect();
    let types: Vec<&str> = ItemType::ALL.iter().map(|k| k.as_str()).collect();
    let page = EditPage {
        id,
        fixed: fixed_of(&ctx, d, &username),
        full,
        unit_editable: full && matches!(status_now, Status::Draft | Status::Returned),
        due_editable: full && status_now == Status::Draft,
        kind_label: ctx.t(&format!("item-kind-{}", i.kind)),
        status_label: ctx.t(&format!("status-{}", i.status)),
        unit_current: ctx.tr(
            "item-edit-unit-current",
            &[("name", d.item.lead_org_name.clone())],
        ),
        phases: ctx.options("phase-", &phases),
        sources: ctx.options("source-", &sources),
        types: ctx.options("item-type-", &types),
        form,
        errors,
        error,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = items_svc::get(&state.svc, &signed.actor, id).await?;
    let full = mode(&signed.actor, &d)?;
    let username = items_svc::responsible_username(&state.svc, &d.item.item).await?;
    let form = form_of(&d, &username);
    form_page(
        &state,
        &headers,
        &signed,
        &d,
        full,
        form,
        FormErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The changes the form makes to the item, or the form's errors.
async fn changes(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    d: &ItemDetail,
    full: bool,
    form: &EditForm,
    errors: &mut FormErrors,
) -> Result<(ItemChanges, bool), ApiError> {
    let i18n: &I18n = &state.i18n;
    let i = &d.item.item;
    let mut ch = ItemChanges::default();
    let mut changed = false;

    let description = plain(&form.description);
    if description.trim() != i.description.trim() {
        ch.description = Some(description);
        changed = true;
    }
    let (milestones, milestone_errors) = parse_milestone_lines(&form.milestones);
    for (line, code) in milestone_errors {
        let message = field_message(i18n, lang, code, &[]);
        errors.add_message(
            "milestones",
            i18n.tr(
                lang,
                "item-form-milestone-error",
                &[("line", line.to_string()), ("message", message)],
            ),
        );
    }
    let now: Vec<(&str, NaiveDate, Option<NaiveDate>)> = d
        .milestones
        .iter()
        .map(|m| (m.title.trim(), m.due_on, m.done_on))
        .collect();
    let typed: Vec<(&str, NaiveDate, Option<NaiveDate>)> = milestones
        .iter()
        .map(|m| (m.title.trim(), m.due_on, m.done_on))
        .collect();
    if typed != now {
        ch.milestones = Some(milestones.clone());
        changed = true;
    }
    if !full {
        return Ok((ch, changed));
    }

    let text = |typed: &str, now: &str| (typed.trim() != now.trim()).then(|| typed.to_owned());
    for (slot, value) in [
        (&mut ch.title, text(&form.title, &i.title)),
        (&mut ch.category, text(&form.category, &i.category)),
        (&mut ch.phase, text(&form.phase, &i.phase)),
        (&mut ch.source, text(&form.source, &i.source)),
        (&mut ch.item_type, text(&form.item_type, &i.item_type)),
        (
            &mut ch.responsible_person,
            text(&form.responsible_person, &i.responsible_person),
        ),
    ] {
        if value.is_some() {
            *slot = value;
            changed = true;
        }
    }

    let status_now = status_of(d);
    if matches!(status_now, Status::Draft | Status::Returned) {
        let code = form.lead_org_code.trim();
        if code != d.item.lead_org_code {
            if code.is_empty() {
                errors.add(i18n, lang, "lead_org_code", "required", &[]);
            } else {
                match orgs_svc::get_by_code(&state.svc, actor, code).await {
                    Ok(o) if o.id == i.lead_org_id => {}
                    Ok(o) => {
                        ch.lead_org_id = Some(o.id);
                        changed = true;
                    }
                    Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
                        errors.add(i18n, lang, "lead_org_code", "unknown_org", &[]);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }

    let username = form.responsible_username.trim();
    let current = items_svc::responsible_username(&state.svc, i).await?;
    if username != current {
        if username.is_empty() {
            if i.responsible_user_id.is_some() {
                ch.responsible_user_id = Some(None);
                changed = true;
            }
        } else {
            match items_svc::responsible_by_username(&state.svc, actor, username).await? {
                Some(id) if Some(id) == i.responsible_user_id => {}
                Some(id) => {
                    ch.responsible_user_id = Some(Some(id));
                    changed = true;
                }
                None => errors.add(i18n, lang, "responsible_username", "unknown_user", &[]),
            }
        }
    }

    if status_now == Status::Draft {
        match form.due_on.trim() {
            "" => errors.add(i18n, lang, "due_on", "required", &[]),
            s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(due) if due == i.due_on => {}
                Ok(due) => {
                    ch.due_on = Some(due);
                    changed = true;
                }
                Err(_) => errors.add(i18n, lang, "due_on", "bad_date", &[]),
            },
        }
    }

    let measures = measures_of(&form.measures);
    let measures_now: Vec<&str> = d.measures.iter().map(|m| m.text.trim()).collect();
    if measures.iter().map(String::as_str).ne(measures_now) {
        ch.measures = Some(measures);
        changed = true;
    }

    match form.weight.trim() {
        "" => errors.add(i18n, lang, "weight", "required", &[]),
        s => match s.parse::<i64>() {
            Ok(w) if w == i.weight => {}
            Ok(w) => {
                ch.weight = Some(w);
                changed = true;
            }
            Err(_) => errors.add(i18n, lang, "weight", "bad_number", &[]),
        },
    }
    Ok((ch, changed))
}

async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let actor = &signed.actor;
    let d = items_svc::get(&state.svc, actor, id).await?;
    let full = mode(actor, &d)?;
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let (ch, changed) = changes(&state, actor, lang, &d, full, &form, &mut errors).await?;
    let mut error = None;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut refusal = None;
    if errors.is_empty() {
        if !changed {
            return Ok(see_other(&format!("/items/{id}"), "item_unchanged"));
        }
        let lead_changed = ch.lead_org_id.is_some();
        match items_svc::update(&state.svc, actor, id, ch, version).await {
            Ok(_) => return Ok(see_other(&format!("/items/{id}"), "item_saved")),
            Err(ServiceError::Validation(v)) => {
                errors.absorb(i18n, lang, &v, |f| form_field(full, f));
            }
            Err(e) => {
                let forbidden = matches!(e, ServiceError::Forbidden);
                let err = ApiError::from(e);
                // The only plain refusal of an edit: a new unit the reader may not supervise.
                let unit_refused = forbidden && lead_changed;
                let shown = matches!(err.status, StatusCode::FORBIDDEN | StatusCode::CONFLICT)
                    && (!forbidden || unit_refused);
                if !shown {
                    return Err(err);
                }
                refusal = crate::trail::refusal_code(&err);
                if unit_refused {
                    let value = form.lead_org_code.trim().to_owned();
                    errors.add(
                        i18n,
                        lang,
                        "lead_org_code",
                        "org_not_editable",
                        &[("value", value)],
                    );
                }
                error = Some(explain(&err, i18n, lang).message);
                status = err.status;
            }
        }
    }
    let errors = errors.finish(i18n, lang);
    let res = form_page(
        &state, &headers, &signed, &d, full, form, errors, error, status,
    )
    .await?;
    Ok(match refusal {
        Some(code) => crate::trail::mark_refused(res, code),
        None => res,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn milestone_lines_with_done_dates() {
        let (ok, bad) = parse_milestone_lines(
            "2026-10-15 完成方案制定 | 2026-10-12\r\n\n2026-11-01\u{3000}中期评估\n\
             2026-11-02 A|B\n2026-11-03 验收｜2026-11-30\n2026-11-04 x | 2026-13-01\n\
             2026-11-05 | 2026-11-01\nbad 标题\n2026-11-06 尾随 |",
        );
        let got: Vec<(&str, NaiveDate, Option<NaiveDate>)> = ok
            .iter()
            .map(|m| (m.title.as_str(), m.due_on, m.done_on))
            .collect();
        assert_eq!(
            got,
            vec![
                ("完成方案制定", day("2026-10-15"), Some(day("2026-10-12"))),
                ("中期评估", day("2026-11-01"), None),
                ("A|B", day("2026-11-02"), None),
                ("验收", day("2026-11-03"), Some(day("2026-11-30"))),
                ("尾随", day("2026-11-06"), None),
            ]
        );
        assert_eq!(bad, vec![(6, "bad_date"), (7, "required"), (8, "bad_date")]);
    }

    #[test]
    fn milestone_lines_read_back() {
        for (title, due, done) in [
            ("完成方案", day("2026-03-01"), Some(day("2026-02-20"))),
            ("文件 | 3号", day("2026-03-02"), None),
            ("普通", day("2026-03-03"), None),
        ] {
            let (ok, bad) = parse_milestone_lines(&milestone_line(title, due, done));
            assert!(bad.is_empty(), "{title}");
            assert_eq!(
                (ok[0].title.as_str(), ok[0].due_on, ok[0].done_on),
                (title, due, done)
            );
        }
    }

    #[test]
    fn unit_errors_stay_on_unit_fields() {
        assert_eq!(
            form_field(true, "lead_org_id").as_deref(),
            Some("lead_org_code")
        );
        assert_eq!(form_field(false, "title"), None);
        assert_eq!(
            form_field(false, "milestones[2].title").as_deref(),
            Some("milestones")
        );
        assert_eq!(form_field(true, "measures[0]").as_deref(), Some("measures"));
    }
}
