//! Information submissions (信息报送): the list, a new one, its page with its photos and adoptions, and the steps on it.

use super::*;
use crate::ui::forms::form_status;

// --- Submissions -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    pub(super) status: String,
    pub(super) page: String,
    pub(super) ok: String,
}

#[derive(Template)]
#[template(path = "submission_list.html")]
pub(super) struct ListPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<SubmissionRow>,
    pub(super) pager: Pager,
    pub(super) pager_info: String,
    pub(super) statuses: Vec<(String, String)>,
    pub(super) status: String,
    pub(super) can_write: bool,
}

pub(super) async fn list_page(
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
pub(super) struct NewForm {
    pub(super) campaign_id: String,
    pub(super) org_code: String,
    pub(super) title: String,
    pub(super) body: String,
}

#[derive(Template)]
#[template(path = "submission_new.html")]
pub(super) struct NewPage {
    pub(super) ctx: Ctx,
    pub(super) form: NewForm,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) errors: FormErrors,
}

pub(super) async fn new_page(
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

pub(super) async fn new_response(
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
    let status = form_status(&errors);
    let page = NewPage {
        campaigns: campaign_options(state, &signed.actor).await?,
        form,
        errors,
        ctx,
    };
    Ok(render_status(status, &page))
}

pub(super) async fn create(
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

pub(super) struct PhotoView {
    pub(super) id: i64,
    pub(super) name: String,
}

pub(super) struct AdoptionView {
    pub(super) level: String,
    pub(super) what: String,
    pub(super) briefing_id: Option<i64>,
    pub(super) removable: bool,
    pub(super) by: String,
    pub(super) at: String,
}

#[derive(Template)]
#[template(path = "submission_show.html")]
pub(super) struct ShowPage {
    pub(super) ctx: Ctx,
    pub(super) s: SubmissionRow,
    pub(super) body: String,
    pub(super) version: i64,
    pub(super) edited_by: String,
    pub(super) photos: Vec<PhotoView>,
    pub(super) adoptions: Vec<AdoptionView>,
    pub(super) frozen: bool,
    pub(super) can_edit: bool,
    pub(super) can_submit: bool,
    pub(super) can_adopt: bool,
    /// Draft briefings the office may add it to: (id, label).
    pub(super) briefings: Vec<(i64, String)>,
    pub(super) edit_title: String,
    pub(super) edit_body: String,
    pub(super) errors: FormErrors,
    pub(super) photos_max: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShowQuery {
    pub(super) ok: String,
    pub(super) refused: String,
}

pub(super) async fn show(
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

pub(super) async fn show_response(
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
    let status = form_status(&errors);
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
pub(super) struct EditForm {
    pub(super) title: String,
    pub(super) body: String,
    pub(super) version: String,
}

pub(super) async fn update(
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
        Err(ServiceError::Stale { .. }) => Ok(crate::kit::see_refused_code(&back, "stale_version")),
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct VersionForm {
    pub(super) version: String,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, ApiError> {
    let back = format!("/submissions/{id}");
    let version = f.version.trim().parse().unwrap_or(0);
    match svc::submit(&state.svc, &signed.actor, id, version).await {
        Ok(_) => Ok(see_other(&back, "submission_submitted")),
        Err(e) => see_refused(&back, e),
    }
}

pub(super) async fn add_photo(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let back = format!("/submissions/{id}");
    let (name, bytes) = crate::kit::read_upload(mp, state.config.max_upload_bytes).await?;
    match svc::add_photo(&state.svc, &signed.actor, id, &bytes, &name).await {
        Ok(_) => Ok(see_other(&back, "photo_added")),
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AdoptForm {
    /// A briefing id, or `higher`.
    pub(super) target: String,
    pub(super) note: String,
    /// Where to go back to: the briefing page when adopting from there.
    pub(super) back: String,
}

pub(super) fn back_to(id: i64, back: &str) -> String {
    match back.strip_prefix("/briefings/") {
        Some(rest) if rest.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() => {
            back.to_owned()
        }
        _ => format!("/submissions/{id}"),
    }
}

pub(super) async fn adopt(
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
        Err(e) => see_refused(&back, e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct UnadoptForm {
    pub(super) briefing_id: String,
    pub(super) back: String,
}

pub(super) async fn unadopt(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(f): Form<UnadoptForm>,
) -> Result<Response, ApiError> {
    let back = back_to(id, &f.back);
    let briefing_id = f.briefing_id.trim().parse().unwrap_or(0);
    match svc::unadopt(&state.svc, &signed.actor, id, briefing_id).await {
        Ok(_) => Ok(see_other(&back, "submission_unadopted")),
        Err(e) => see_refused(&back, e),
    }
}
