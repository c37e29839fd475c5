//! Information submission (信息报送) and briefing (工作简报) pages: a unit writes a news item with
//! photos and submits it; the office edits it, adopts it into a numbered briefing (or records a
//! higher level's adoption), and publishes the briefing to its scope, also as a Word document.

use super::reports::{campaign_options, default_org_code, supervised_org};
use super::{fmt_time, pager_info, render_status, see_other, see_refused, FormErrors};
use super::{query_base, render, Ctx, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::briefings::Submission;
use luodi_service::briefings::{
    self as svc, AdoptInput, BriefingInput, ListFilter, SubmissionInput, SubmissionText,
};
use luodi_service::orgs as orgs_svc;
use luodi_service::Page;
use luodi_service::ServiceError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/submissions", get(list_page).post(create))
        .route("/submissions/new", get(new_page))
        .route("/submissions/{id}", get(show).post(update))
        .route("/submissions/{id}/submit", post(submit))
        .route("/submissions/{id}/photos", post(add_photo))
        .route("/submissions/{id}/adopt", post(adopt))
        .route("/submissions/{id}/unadopt", post(unadopt))
        .route("/photos/{id}", get(photo))
        .route("/briefings", get(briefings_page).post(create_briefing))
        .route("/briefings/{id}", get(briefing_page))
        .route("/briefings/{id}/publish", post(publish))
}

const STATUSES: [&str; 3] = ["draft", "submitted", "adopted"];

fn status_class(s: &str) -> &'static str {
    match s {
        "draft" => "tag-grey",
        "submitted" => "tag-blue",
        "adopted" => "tag-green",
        "published" => "tag-green",
        _ => "tag-amber",
    }
}

struct SubmissionRow {
    id: i64,
    title: String,
    org_id: i64,
    org_name: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    submitted: String,
    author: String,
}

fn submission_row(ctx: &Ctx, s: &Submission) -> SubmissionRow {
    SubmissionRow {
        id: s.id,
        title: s.title.clone(),
        org_id: s.org_id,
        org_name: s.org_name.clone(),
        status: s.status.clone(),
        status_label: ctx.t(&format!("submission-status-{}", s.status)),
        status_class: status_class(&s.status),
        submitted: s.submitted_at.as_ref().map(fmt_time).unwrap_or_default(),
        author: s.author_name.clone(),
    }
}

// --- Submissions -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    status: String,
    page: String,
    ok: String,
}

#[derive(Template)]
#[template(path = "submission_list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<SubmissionRow>,
    pager: Pager,
    pager_info: String,
    statuses: Vec<(String, String)>,
    status: String,
    can_write: bool,
}

async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let status = Some(q.status.trim())
        .filter(|s| STATUSES.contains(s))
        .unwrap_or_default()
        .to_owned();
    let page = Page::new(q.page.trim().parse().unwrap_or(1), 50);
    let list = svc::list(
        &state.svc,
        actor,
        ListFilter {
            status: Some(status.clone()),
            campaign_id: None,
        },
        page,
    )
    .await?;
    let mut ctx = Ctx::signed(
        &state,
        &headers,
        &signed,
        "submissions",
        "submissions-title",
    )
    .await?
    .with_flash(Some(q.ok.as_str()).filter(|k| !k.is_empty()));
    let base = query_base("/submissions", &[("status", Some(status.as_str()))]);
    ctx.back = base.trim_end_matches(['?', '&']).to_owned();
    let title = ctx.t("submissions-title");
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(list.total, list.page, list.per_page, &base);
    Ok(render(&ListPage {
        rows: list.items.iter().map(|s| submission_row(&ctx, s)).collect(),
        pager_info: pager_info(&ctx, &pager),
        pager,
        statuses: STATUSES
            .iter()
            .map(|s| (s.to_string(), ctx.t(&format!("submission-status-{s}"))))
            .collect(),
        status,
        can_write: actor.can_somewhere(Permission::DeliverItems),
        ctx,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewForm {
    campaign_id: String,
    org_code: String,
    title: String,
    body: String,
}

#[derive(Template)]
#[template(path = "submission_new.html")]
struct NewPage {
    ctx: Ctx,
    form: NewForm,
    campaigns: Vec<(String, String)>,
    errors: FormErrors,
}

async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    let form = NewForm {
        org_code: default_org_code(&state, &signed).await,
        ..Default::default()
    };
    new_response(&state, &headers, &signed, form, FormErrors::default()).await
}

async fn new_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: NewForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let ctx = Ctx::signed(state, headers, signed, "submissions", "submissions-new").await?;
    let list = ctx.t("submissions-title");
    let here = ctx.t("submissions-new");
    let ctx = ctx.crumb(list, "/submissions").crumb(here, "");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewPage {
        campaigns: campaign_options(state, &signed.actor).await?,
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<NewForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = form.campaign_id.trim().parse::<i64>().ok();
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let org = match orgs_svc::get_by_code(&state.svc, &signed.actor, form.org_code.trim()).await {
        Ok(o) => Some(o),
        Err(_) => {
            errors.add(i18n, lang, "org_code", "unknown_org", &[]);
            None
        }
    };
    if let (Some(campaign_id), Some(org)) = (campaign_id, org) {
        let input = SubmissionInput {
            campaign_id,
            org_id: org.id,
            title: form.title.clone(),
            body: form.body.clone(),
        };
        match svc::create(&state.svc, &signed.actor, input).await {
            Ok(v) => {
                return Ok(see_other(
                    &format!("/submissions/{}", v.submission.id),
                    "submission_saved",
                ))
            }
            Err(ServiceError::Validation(v)) => errors.absorb(i18n, lang, &v, |f| {
                Some(if f == "org_id" { "org_code" } else { f }.to_owned())
            }),
            Err(ServiceError::Refused(code)) => errors.add(i18n, lang, "org_code", code, &[]),
            Err(e) => return Err(e.into()),
        }
    }
    let errors = errors.finish(i18n, lang);
    new_response(&state, &headers, &signed, form, errors).await
}

struct PhotoView {
    id: i64,
    name: String,
}

struct AdoptionView {
    level: String,
    what: String,
    briefing_id: Option<i64>,
    removable: bool,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "submission_show.html")]
struct ShowPage {
    ctx: Ctx,
    s: SubmissionRow,
    body: String,
    version: i64,
    edited_by: String,
    photos: Vec<PhotoView>,
    adoptions: Vec<AdoptionView>,
    frozen: bool,
    can_edit: bool,
    can_submit: bool,
    can_adopt: bool,
    /// Draft briefings the office may add it to: (id, label).
    briefings: Vec<(i64, String)>,
    edit_title: String,
    edit_body: String,
    errors: FormErrors,
    photos_max: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    ok: String,
    refused: String,
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, ApiError> {
    show_response(
        &state,
        &headers,
        &signed,
        id,
        &q,
        None,
        FormErrors::default(),
    )
    .await
}

async fn show_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    q: &ShowQuery,
    typed: Option<(String, String)>,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let v = svc::get(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "submissions", "submissions-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|s| !s.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|s| !s.is_empty()));
    ctx.back = format!("/submissions/{id}");
    let list = ctx.t("submissions-title");
    ctx = ctx
        .crumb(list, "/submissions")
        .crumb(v.submission.title.clone(), "");
    ctx.title = v.submission.title.clone();
    let briefings = if v.can_adopt {
        svc::list_briefings(&state.svc, &signed.actor)
            .await?
            .into_iter()
            .filter(|b| {
                b.status == "draft"
                    && b.campaign_id == v.submission.campaign_id
                    && luodi_domain::org::is_within(&v.submission.org_path, &b.org_path)
                    && !v.adoptions.iter().any(|a| a.briefing_id == Some(b.id))
            })
            .map(|b| {
                let label = format!(
                    "{} {}{}",
                    b.org_name,
                    ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
                    if b.title.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", b.title)
                    }
                );
                (b.id, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    let adoptions = v
        .adoptions
        .iter()
        .map(|a| AdoptionView {
            level: ctx.t(&format!("submission-level-{}", a.level)),
            what: match (a.briefing_id, a.issue_no) {
                (Some(_), Some(n)) => format!(
                    "{} {}",
                    a.org_name.clone().unwrap_or_default(),
                    ctx.tr("bulletin-issue", &[("n", n.to_string())])
                ),
                _ => a.note.clone(),
            },
            briefing_id: a.briefing_id,
            removable: a.briefing_status.as_deref() == Some("draft") && v.can_adopt,
            by: a.adopted_by.clone(),
            at: fmt_time(&a.adopted_at),
        })
        .collect();
    let (edit_title, edit_body) =
        typed.unwrap_or_else(|| (v.submission.title.clone(), v.submission.body.clone()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShowPage {
        s: submission_row(&ctx, &v.submission),
        body: v.submission.body.clone(),
        version: v.submission.version,
        edited_by: v.submission.edited_by.clone().unwrap_or_default(),
        photos: v
            .photos
            .iter()
            .map(|p| PhotoView {
                id: p.id,
                name: p.file_name.clone(),
            })
            .collect(),
        adoptions,
        frozen: v.frozen,
        can_edit: v.can_edit,
        can_submit: v.can_submit,
        can_adopt: v.can_adopt,
        briefings,
        edit_title,
        edit_body,
        errors,
        photos_max: svc::PHOTOS_MAX,
        ctx,
    };
    Ok(render_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    title: String,
    body: String,
    version: String,
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, ApiError> {
    let back = format!("/submissions/{id}");
    let version = f.version.trim().parse().unwrap_or(0);
    let text = SubmissionText {
        title: f.title.clone(),
        body: f.body.clone(),
    };
    match svc::update(&state.svc, &signed.actor, id, text, version).await {
        Ok(_) => Ok(see_other(&back, "submission_saved")),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, |f| Some(f.to_owned()));
            let errors = errors.finish(&state.i18n, lang);
            show_response(
                &state,
                &headers,
                &signed,
                id,
                &ShowQuery::default(),
                Some((f.title, f.body)),
                errors,
            )
            .await
        }
        Err(ServiceError::Stale { .. }) => refused(&back, "stale_version"),
        Err(e) => see_refused(&back, e),
    }
}

fn refused(back: &str, code: &str) -> Result<Response, ApiError> {
    Ok(axum::response::IntoResponse::into_response(
        axum::response::Redirect::to(&format!("{back}?refused={code}")),
    ))
}

/// A refusal after a redirect, naming the field's reason when it is one field's.
fn refused_by(back: &str, e: ServiceError) -> Result<Response, ApiError> {
    match e {
        ServiceError::Validation(v) if v.errors.len() == 1 => refused(back, v.errors[0].code),
        ServiceError::Stale { .. } => refused(back, "stale_version"),
        e => see_refused(back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VersionForm {
    version: String,
}

async fn submit(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, ApiError> {
    let back = format!("/submissions/{id}");
    let version = f.version.trim().parse().unwrap_or(0);
    match svc::submit(&state.svc, &signed.actor, id, version).await {
        Ok(_) => Ok(see_other(&back, "submission_submitted")),
        Err(e) => refused_by(&back, e),
    }
}

async fn add_photo(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let back = format!("/submissions/{id}");
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    match svc::add_photo(&state.svc, &signed.actor, id, &bytes, &name).await {
        Ok(_) => Ok(see_other(&back, "photo_added")),
        Err(e) => refused_by(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AdoptForm {
    /// A briefing id, or `higher`.
    target: String,
    note: String,
    /// Where to go back to: the briefing page when adopting from there.
    back: String,
}

fn back_to(id: i64, back: &str) -> String {
    match back.strip_prefix("/briefings/") {
        Some(rest) if rest.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() => {
            back.to_owned()
        }
        _ => format!("/submissions/{id}"),
    }
}

async fn adopt(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<AdoptForm>,
) -> Result<Response, ApiError> {
    let back = back_to(id, &f.back);
    let input = match f.target.trim() {
        "higher" => AdoptInput {
            level: "higher".into(),
            briefing_id: None,
            note: f.note,
        },
        t => AdoptInput {
            level: "office".into(),
            briefing_id: t.parse().ok(),
            note: f.note,
        },
    };
    match svc::adopt(&state.svc, &signed.actor, id, input).await {
        Ok(_) => Ok(see_other(&back, "submission_adopted")),
        Err(e) => refused_by(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnadoptForm {
    briefing_id: String,
    back: String,
}

async fn unadopt(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<UnadoptForm>,
) -> Result<Response, ApiError> {
    let back = back_to(id, &f.back);
    let briefing_id = f.briefing_id.trim().parse().unwrap_or(0);
    match svc::unadopt(&state.svc, &signed.actor, id, briefing_id).await {
        Ok(_) => Ok(see_other(&back, "submission_unadopted")),
        Err(e) => refused_by(&back, e),
    }
}

// --- Briefings -------------------------------------------------------------------------------

struct BriefingRow {
    id: i64,
    org_name: String,
    issue: String,
    title: String,
    status: String,
    status_label: String,
    status_class: &'static str,
    entries: i64,
    date: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BriefingForm {
    campaign_id: String,
    org_code: String,
    title: String,
}

#[derive(Template)]
#[template(path = "briefing_list.html")]
struct BriefingsPage {
    ctx: Ctx,
    rows: Vec<BriefingRow>,
    can_issue: bool,
    form: BriefingForm,
    campaigns: Vec<(String, String)>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FlashQuery {
    ok: String,
    refused: String,
}

async fn briefings_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<FlashQuery>,
) -> Result<Response, ApiError> {
    let form = BriefingForm {
        org_code: default_org_code(&state, &signed).await,
        ..Default::default()
    };
    briefings_response(&state, &headers, &signed, &q, form, FormErrors::default()).await
}

async fn briefings_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    q: &FlashQuery,
    form: BriefingForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let list = svc::list_briefings(&state.svc, &signed.actor).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "briefings", "briefings-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|s| !s.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|s| !s.is_empty()));
    ctx.back = "/briefings".into();
    let title = ctx.t("briefings-title");
    let ctx = ctx.crumb(title, "");
    let rows = list
        .iter()
        .map(|b| BriefingRow {
            id: b.id,
            org_name: b.org_name.clone(),
            issue: ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
            title: b.title.clone(),
            status: b.status.clone(),
            status_label: ctx.t(&format!("briefing-status-{}", b.status)),
            status_class: status_class(&b.status),
            entries: b.entries,
            date: fmt_time(&b.published_at.unwrap_or(b.created_at)),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = BriefingsPage {
        rows,
        can_issue: signed.actor.can_somewhere(Permission::SuperviseItems),
        campaigns: campaign_options(state, &signed.actor).await?,
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

async fn create_briefing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<BriefingForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = form.campaign_id.trim().parse::<i64>().ok();
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let org = supervised_org(
        &state,
        lang,
        &signed.actor,
        &mut errors,
        "org_code",
        &form.org_code,
    )
    .await?;
    if let (Some(campaign_id), Some(org)) = (campaign_id, org) {
        let input = BriefingInput {
            campaign_id,
            org_id: org.id,
            title: form.title.clone(),
        };
        match svc::create_briefing(&state.svc, &signed.actor, input).await {
            Ok(v) => {
                return Ok(see_other(
                    &format!("/briefings/{}", v.briefing.id),
                    "briefing_created",
                ))
            }
            Err(ServiceError::Validation(v)) => errors.absorb(i18n, lang, &v, |f| {
                Some(if f == "org_id" { "org_code" } else { f }.to_owned())
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let errors = errors.finish(i18n, lang);
    briefings_response(
        &state,
        &headers,
        &signed,
        &FlashQuery::default(),
        form,
        errors,
    )
    .await
}

struct EntryView {
    id: i64,
    title: String,
    org_name: String,
    body: String,
    photos: Vec<PhotoView>,
}

#[derive(Template)]
#[template(path = "briefing_show.html")]
struct BriefingPage {
    ctx: Ctx,
    b: BriefingRow,
    published_by: String,
    entries: Vec<EntryView>,
    candidates: Vec<SubmissionRow>,
    can_publish: bool,
}

async fn briefing_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> Result<Response, ApiError> {
    let v = svc::get_briefing(&state.svc, &signed.actor, id).await?;
    let mut ctx = Ctx::signed(&state, &headers, &signed, "briefings", "briefings-title")
        .await?
        .with_flash(Some(q.ok.as_str()).filter(|s| !s.is_empty()))
        .with_refusal(Some(q.refused.as_str()).filter(|s| !s.is_empty()));
    ctx.back = format!("/briefings/{id}");
    let b = &v.briefing;
    let issue = ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]);
    let list = ctx.t("briefings-title");
    ctx = ctx
        .crumb(list, "/briefings")
        .crumb(format!("{} {issue}", b.org_name), "");
    ctx.title = format!("{} {issue}", ctx.t("briefing-doc-title"));
    let row = BriefingRow {
        id: b.id,
        org_name: b.org_name.clone(),
        issue,
        title: b.title.clone(),
        status: b.status.clone(),
        status_label: ctx.t(&format!("briefing-status-{}", b.status)),
        status_class: status_class(&b.status),
        entries: b.entries,
        date: fmt_time(&b.published_at.unwrap_or(b.created_at)),
    };
    let page = BriefingPage {
        b: row,
        published_by: b.published_by.clone().unwrap_or_default(),
        entries: v
            .entries
            .iter()
            .map(|e| EntryView {
                id: e.submission.id,
                title: e.submission.title.clone(),
                org_name: e.submission.org_name.clone(),
                body: e.submission.body.clone(),
                photos: e
                    .photos
                    .iter()
                    .map(|p| PhotoView {
                        id: p.id,
                        name: p.file_name.clone(),
                    })
                    .collect(),
            })
            .collect(),
        candidates: v
            .candidates
            .iter()
            .map(|s| submission_row(&ctx, s))
            .collect(),
        can_publish: v.can_publish,
        ctx,
    };
    Ok(render(&page))
}

async fn publish(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let back = format!("/briefings/{id}");
    match svc::publish_briefing(&state.svc, &signed.actor, id).await {
        Ok(_) => Ok(see_other(&back, "briefing_published")),
        Err(e) => refused_by(&back, e),
    }
}

/// A photo of a submission, shown inline in its page.
async fn photo(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (p, bytes) = luodi_service::briefings::photo(&state.svc, &s.actor, id).await?;
    Ok(crate::kit::photo_response(p.content_type, bytes))
}
