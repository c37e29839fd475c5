//! Meeting pages: the list, the form (with the earlier commitments still open, for review) and
//! a meeting with its minutes, the commitments it made and the earlier ones it reviewed, each
//! with its light.

use super::export_page;
use super::ledger::{row_view, ItemRowView};
use super::records::{create, export_list, list_parts, new_page, placed, FormParts, RecordKind};
use super::FormErrors;
use super::{opt_id, render, Ctx, Pager};
use crate::auth::Signed;
use crate::error::ApiError;
use crate::i18n::{I18n, Lang};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use luodi_service::auth::SignedIn;
use luodi_service::meetings::{self as svc, CommitmentInput, MeetingInput, KINDS};
use luodi_service::meetings::{Meeting, MeetingFilter};
use luodi_service::orgs::Org;
use luodi_service::Page;
use luodi_service::{Actor, ServiceResult};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list_page).post(create::<Meetings>))
        .route("/meetings/new", get(new_page::<Meetings>))
        .route("/meetings/export.xlsx", get(export))
        .route("/meetings/{id}", get(show_page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListParams {
    page: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "meeting_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Meeting>,
    kinds: Vec<(String, String)>,
    pager: Pager,
    pager_info: String,
    can_create: bool,
}

/// The list as a workbook, same columns as the page.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let list = svc::list(
        &state.svc,
        &signed.actor,
        MeetingFilter::default(),
        export_page(),
    )
    .await?;
    let columns = [
        "meeting-held-on",
        "meeting-title",
        "meeting-kind",
        "meeting-org",
        "meeting-chair",
    ];
    export_list::<Meetings, _>(&state, &headers, list, &columns, |ctx, m| {
        vec![
            m.held_on.into(),
            m.title.into(),
            ctx.t(&format!("meeting-kind-{}", m.kind)).into(),
            m.org_name.into(),
            m.chair.into(),
        ]
    })
    .await
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListParams>,
) -> Result<Response, ApiError> {
    let page = Page::new(q.page.trim().parse().unwrap_or(1), 50);
    let list = svc::list(&state.svc, &signed.actor, MeetingFilter::default(), page).await?;
    let p = list_parts::<Meetings, _>(&state, &headers, &signed, &q.ok, list).await?;
    Ok(render(&ListPage {
        kinds: p.ctx.options("meeting-kind-", &KINDS),
        ctx: p.ctx,
        rows: p.rows,
        pager: p.pager,
        pager_info: p.pager_info,
        can_create: p.can_create,
    }))
}

/// The meeting form as entered.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    pub campaign_id: String,
    pub org_code: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub chair: String,
    pub attendees: String,
    pub minutes: String,
    /// One per line: `YYYY-MM-DD 责任人 事项`.
    pub commitments: String,
}

#[derive(Template)]
#[template(path = "meeting_form.html")]
struct FormPage {
    ctx: Ctx,
    form: MeetingForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    /// Commitments of the org's earlier meetings still open: to review at this one.
    review: Vec<ItemRowView>,
}

/// Commitments of the org's earlier meetings still open on the day of this one: to review at
/// it (none while the form names no org or campaign yet).
async fn open_commitments(
    state: &AppState,
    actor: &Actor,
    form: &MeetingForm,
    campaigns: &[(String, String)],
) -> Vec<svc::Review> {
    let campaign = opt_id(Some(&form.campaign_id))
        .or_else(|| campaigns.first().and_then(|c| c.0.parse().ok()));
    let held = NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d")
        .unwrap_or_else(|_| luodi_service::keyworks::today(&state.svc));
    let org = luodi_service::orgs::get_by_code(&state.svc, actor, form.org_code.trim())
        .await
        .ok();
    match (org, campaign) {
        (Some(o), Some(c)) => svc::open_commitments(&state.svc, actor, o.id, c, held)
            .await
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Parses the commitment lines; a bad line is an error under the field, by line.
fn parse_commitments(
    text: &str,
    errors: &mut FormErrors,
    (i18n, lang): (&I18n, Lang),
) -> Vec<CommitmentInput> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (date, person, title) = (parts.next(), parts.next(), parts.next());
        match (
            date.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            person,
            title.map(str::trim).filter(|t| !t.is_empty()),
        ) {
            (Some(due_on), Some(person), Some(title)) => out.push(CommitmentInput {
                title: title.to_owned(),
                responsible_person: person.to_owned(),
                responsible_user_id: None,
                lead_org_id: None,
                due_on,
            }),
            _ => errors.add_message(
                "commitments",
                i18n.tr(
                    lang,
                    "form-line-error",
                    &[
                        ("line", (i + 1).to_string()),
                        ("message", i18n.t(lang, "meetings-commitment-format")),
                    ],
                ),
            ),
        }
    }
    out
}

/// Meetings as a record kind: their list, new form and making one.
struct Meetings;

placed!(MeetingForm);

impl RecordKind for Meetings {
    const PATH: &'static str = "/meetings";
    const ACTIVE: &'static str = "meetings";
    const TITLE: &'static str = "meetings-title";
    const NEW_TITLE: &'static str = "meetings-new";
    const RENAME: &'static [(&'static str, &'static str)] =
        &[("org_id", "org_code"), ("campaign_id", "campaign_id")];
    const LINES: &'static [&'static str] = &["commitments"];
    type Form = MeetingForm;
    /// The day it was held, and the commitments it made.
    type Parsed = (NaiveDate, Vec<CommitmentInput>);

    fn fresh(state: &AppState, org_code: String) -> MeetingForm {
        MeetingForm {
            org_code,
            kind: "leading_group".into(),
            held_on: luodi_service::keyworks::today(&state.svc).to_string(),
            ..Default::default()
        }
    }

    fn parse(
        form: &MeetingForm,
        errors: &mut FormErrors,
        t: (&I18n, Lang),
    ) -> Option<Self::Parsed> {
        let held_on = NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d").ok();
        if held_on.is_none() {
            errors.add(t.0, t.1, "held_on", "bad_date", &[]);
        }
        let commitments = parse_commitments(&form.commitments, errors, t);
        Some((held_on?, commitments))
    }

    async fn make(
        state: &AppState,
        actor: &Actor,
        form: &MeetingForm,
        (campaign_id, org): (i64, Org),
        (held_on, commitments): Self::Parsed,
    ) -> ServiceResult<i64> {
        let input = MeetingInput {
            campaign_id,
            org_id: org.id,
            kind: form.kind.clone(),
            title: form.title.clone(),
            held_on,
            place: form.place.clone(),
            chair: form.chair.clone(),
            attendees: form.attendees.clone(),
            minutes: form.minutes.clone(),
            commitments,
        };
        Ok(svc::create(&state.svc, actor, input).await?.meeting.id)
    }

    type FormPage = FormPage;

    async fn form_template(
        state: &AppState,
        signed: &SignedIn,
        p: FormParts<MeetingForm>,
    ) -> Result<FormPage, ApiError> {
        let review = open_commitments(state, &signed.actor, &p.form, &p.campaigns).await;
        Ok(FormPage {
            review: review.iter().map(|r| row_view(&p.ctx, &r.item)).collect(),
            kinds: p.ctx.options("meeting-kind-", &KINDS),
            campaigns: p.campaigns,
            form: p.form,
            errors: p.errors,
            ctx: p.ctx,
        })
    }
}

#[derive(Template)]
#[template(path = "meeting_show.html")]
struct ShowPage {
    ctx: Ctx,
    m: Meeting,
    kind_label: String,
    commitments: Vec<ItemRowView>,
    review: Vec<ItemRowView>,
}

async fn show_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ListParams>,
) -> Result<Response, ApiError> {
    let v = svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "meetings", "meetings-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/meetings/{id}");
    ctx.title = v.meeting.title.clone();
    let list = ctx.t("meetings-title");
    let ctx = ctx
        .crumb(list, "/meetings")
        .crumb(v.meeting.title.clone(), "");
    Ok(render(&ShowPage {
        kind_label: ctx.t(&format!("meeting-kind-{}", v.meeting.kind)),
        commitments: v.commitments.iter().map(|r| row_view(&ctx, r)).collect(),
        review: v.review.iter().map(|r| row_view(&ctx, &r.item)).collect(),
        m: v.meeting,
        ctx,
    }))
}
