//! Briefings (工作简报): the numbered issues, one issue with its entries, and publishing it.

use super::*;
use crate::ui::forms::form_status;

// --- Briefings -------------------------------------------------------------------------------

pub(super) struct BriefingRow {
    pub(super) id: i64,
    pub(super) org_name: String,
    pub(super) issue: String,
    pub(super) title: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) entries: i64,
    pub(super) date: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct BriefingForm {
    pub(super) campaign_id: String,
    pub(super) org_code: String,
    pub(super) title: String,
}

#[derive(Template)]
#[template(path = "briefing_list.html")]
pub(super) struct BriefingsPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<BriefingRow>,
    pub(super) can_issue: bool,
    pub(super) form: BriefingForm,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct FlashQuery {
    pub(super) ok: String,
    pub(super) refused: String,
}

pub(super) async fn briefings_page(
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

pub(super) async fn briefings_response(
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
    let status = form_status(&errors);
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

pub(super) async fn create_briefing(
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

pub(super) struct EntryView {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) org_name: String,
    pub(super) body: String,
    pub(super) photos: Vec<PhotoView>,
}

#[derive(Template)]
#[template(path = "briefing_show.html")]
pub(super) struct BriefingPage {
    pub(super) ctx: Ctx,
    pub(super) b: BriefingRow,
    published_by: String,
    pub(super) entries: Vec<EntryView>,
    pub(super) candidates: Vec<SubmissionRow>,
    pub(super) can_publish: bool,
}

pub(super) async fn briefing_page(
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

pub(super) async fn publish(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let back = format!("/briefings/{id}");
    match svc::publish_briefing(&state.svc, &signed.actor, id).await {
        Ok(_) => Ok(see_other(&back, "briefing_published")),
        Err(e) => see_refused(&back, e),
    }
}

/// A photo of a submission, shown inline in its page.
pub(super) async fn photo(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (p, bytes) = luodi_service::briefings::photo(&state.svc, &s.actor, id).await?;
    Ok(crate::kit::photo_response(p.content_type, bytes))
}
