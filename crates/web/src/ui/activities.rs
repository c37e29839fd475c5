//! Study activity pages: a list and a month calendar with counts per kind (counts only: the
//! burden rules forbid ranking by study minutes, likes or check-ins), the form, one activity.

use super::records::{create, new_page, placed, FormParts, RecordKind};
use super::{pager_info, FormErrors};
use super::{query_base, render, Ctx, Pager};
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
use chrono::{Datelike, Duration, NaiveDate};
use luodi_domain::dashboard::monday_of;
use luodi_domain::role::Permission;
use luodi_service::activities::{self as svc, month_bounds, ActivityInput, KINDS};
use luodi_service::activities::{Activity, ActivityFilter};
use luodi_service::auth::SignedIn;
use luodi_service::orgs::Org;
use luodi_service::Page;
use luodi_service::{Actor, ServiceResult};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/activities", get(list_page).post(create::<Activities>))
        .route("/activities/new", get(new_page::<Activities>))
        .route("/activities/{id}", get(show_page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListParams {
    kind: String,
    /// `YYYY-MM`: the month shown (the calendar's, and the list's filter).
    month: String,
    /// `calendar` or the list.
    view: String,
    page: String,
    ok: String,
}

struct Day {
    day: u32,
    in_month: bool,
    today: bool,
    items: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "activity_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Activity>,
    kinds: Vec<(String, String)>,
    /// (kind, label, count, link)
    counts: Vec<(String, String, i64, String)>,
    total: i64,
    /// Counts per kind are shown (the campaigns have not switched them off).
    show_counts: bool,
    kind: String,
    month: String,
    prev_month: String,
    next_month: String,
    calendar: bool,
    weeks: Vec<Vec<Day>>,
    weekdays: Vec<String>,
    list_href: String,
    calendar_href: String,
    pager: Pager,
    pager_info: String,
    can_create: bool,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListParams>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let today = luodi_service::keyworks::today(&state.svc);
    let calendar = q.view == "calendar";
    let month = if month_bounds(&q.month).is_some() {
        q.month.trim().to_owned()
    } else if calendar {
        today.format("%Y-%m").to_string()
    } else {
        String::new()
    };
    let kind = Some(q.kind.trim())
        .filter(|k| KINDS.contains(k))
        .unwrap_or_default()
        .to_owned();
    let bounds = month_bounds(&month);
    let f = ActivityFilter {
        kind: (!kind.is_empty()).then(|| kind.clone()),
        from: bounds.map(|b| b.0),
        to: bounds.map(|b| b.1),
        ..Default::default()
    };
    // A calendar month shows every activity of the month on one page.
    let page = if calendar {
        Page::new(1, Page::MAX_PER_PAGE)
    } else {
        Page::new(q.page.trim().parse().unwrap_or(1), 50)
    };
    let mut ctx = Ctx::signed(&state, &headers, &signed, "activities", "activities-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    let within = ctx.scope.as_ref().map(|o| o.id);
    let (list, counts) = svc::list(&state.svc, actor, within, f, page).await?;
    let base = |view: Option<&str>, kind: Option<&str>, month: &str| {
        query_base(
            "/activities",
            &[("view", view), ("kind", kind), ("month", Some(month))],
        )
    };
    let view = calendar.then_some("calendar");
    let here = base(view, Some(kind.as_str()), &month);
    ctx.back = here.trim_end_matches(['?', '&']).to_owned();
    let title = ctx.t("activities-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(list.total, list.page, list.per_page, &here);
    let shift = |months: i32| {
        bounds
            .map(|(first, _)| {
                let m = if months < 0 {
                    first.checked_sub_months(chrono::Months::new(1))
                } else {
                    first.checked_add_months(chrono::Months::new(1))
                };
                m.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default()
            })
            .unwrap_or_default()
    };
    let weeks = match (calendar, bounds) {
        (true, Some((first, last))) => {
            let mut weeks = Vec::new();
            let mut day = monday_of(first);
            while day <= last {
                let mut week = Vec::new();
                for _ in 0..7 {
                    week.push(Day {
                        day: day.day(),
                        in_month: day.month() == first.month(),
                        today: day == today,
                        items: list
                            .items
                            .iter()
                            .filter(|a| a.held_on == day)
                            .map(|a| (a.id, a.title.clone(), a.kind.clone()))
                            .collect(),
                    });
                    day += Duration::days(1);
                }
                weeks.push(week);
            }
            weeks
        }
        _ => Vec::new(),
    };
    let total = counts.iter().map(|c| c.1).sum();
    let counts = KINDS
        .iter()
        .map(|k| {
            let n = counts.iter().find(|c| c.0 == *k).map(|c| c.1).unwrap_or(0);
            let href = base(view, Some(k), &month);
            (
                k.to_string(),
                ctx.t(&format!("activity-kind-{k}")),
                n,
                href.trim_end_matches(['?', '&']).to_owned(),
            )
        })
        .collect();
    let weekdays = (1..=7).map(|d| ctx.t(&format!("weekday-{d}"))).collect();
    let list_month = if calendar {
        month.clone()
    } else {
        String::new()
    };
    let show_counts = !luodi_service::dashboard::hidden_metrics(&state.svc, actor, None)
        .await?
        .iter()
        .any(|m| m == "activity_counts");
    Ok(render(&ListPage {
        show_counts,
        kinds: ctx.options("activity-kind-", &KINDS),
        list_href: base(None, Some(kind.as_str()), &list_month)
            .trim_end_matches(['?', '&'])
            .to_owned(),
        calendar_href: base(Some("calendar"), Some(kind.as_str()), &month)
            .trim_end_matches(['?', '&'])
            .to_owned(),
        prev_month: shift(-1),
        next_month: shift(1),
        rows: list.items,
        counts,
        total,
        kind,
        month,
        calendar,
        weeks,
        weekdays,
        pager_info: pager_info(&ctx, &pager),
        pager,
        can_create: actor.can_somewhere(Permission::EditItems),
        ctx,
    }))
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub campaign_id: String,
    pub org_code: String,
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub organiser: String,
    pub participants: String,
    pub materials: String,
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    ctx: Ctx,
    form: ActivityForm,
    errors: FormErrors,
    campaigns: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
}

/// Study activities as a record kind: their new form and making one (their list has a
/// calendar of its own).
struct Activities;

placed!(ActivityForm);

impl RecordKind for Activities {
    const PATH: &'static str = "/activities";
    const ACTIVE: &'static str = "activities";
    const TITLE: &'static str = "activities-title";
    const NEW_TITLE: &'static str = "activities-new";
    type Form = ActivityForm;
    /// The day it was held, and how many took part.
    type Parsed = (NaiveDate, i64);

    fn fresh(state: &AppState, org_code: String) -> ActivityForm {
        ActivityForm {
            org_code,
            kind: "group_study".into(),
            held_on: luodi_service::keyworks::today(&state.svc).to_string(),
            ..Default::default()
        }
    }

    fn parse(
        form: &ActivityForm,
        errors: &mut FormErrors,
        t: (&I18n, Lang),
    ) -> Option<Self::Parsed> {
        let held_on = NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d").ok();
        if held_on.is_none() {
            errors.add(t.0, t.1, "held_on", "bad_date", &[]);
        }
        let participants = form.participants.trim().parse::<i64>().ok();
        if participants.is_none() {
            errors.add(t.0, t.1, "participants", "bad_number", &[]);
        }
        Some((held_on?, participants?))
    }

    async fn make(
        state: &AppState,
        actor: &Actor,
        form: &ActivityForm,
        (campaign_id, org): (i64, Org),
        (held_on, participants): Self::Parsed,
    ) -> ServiceResult<i64> {
        let input = ActivityInput {
            campaign_id,
            org_id: org.id,
            kind: form.kind.clone(),
            title: form.title.clone(),
            held_on,
            place: form.place.clone(),
            organiser: form.organiser.clone(),
            participants,
            materials: form.materials.clone(),
        };
        Ok(svc::create(&state.svc, actor, input).await?.id)
    }

    type FormPage = FormPage;

    async fn form_template(
        _: &AppState,
        _: &SignedIn,
        p: FormParts<ActivityForm>,
    ) -> Result<FormPage, ApiError> {
        Ok(FormPage {
            kinds: p.ctx.options("activity-kind-", &KINDS),
            ctx: p.ctx,
            form: p.form,
            errors: p.errors,
            campaigns: p.campaigns,
        })
    }
}

#[derive(Template)]
#[template(path = "activity_show.html")]
struct ShowPage {
    ctx: Ctx,
    a: Activity,
    kind_label: String,
}

async fn show_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ListParams>,
) -> Result<Response, ApiError> {
    let a = svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "activities", "activities-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    ctx.back = format!("/activities/{id}");
    ctx.title = a.title.clone();
    let list = ctx.t("activities-title");
    let ctx = ctx.crumb(list, "/activities").crumb(a.title.clone(), "");
    Ok(render(&ShowPage {
        kind_label: ctx.t(&format!("activity-kind-{}", a.kind)),
        a,
        ctx,
    }))
}
