//! The bulletins list and the form to compute a week's bulletin.

use super::*;

// --- The list and the compute form -----------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ComputeForm {
    pub campaign_id: String,
    pub scope_org_code: String,
    pub week: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OkQuery {
    pub ok: String,
}

pub(super) struct BulletinRowView {
    pub(super) id: i64,
    pub(super) week: String,
    pub(super) issue: String,
    pub(super) scope_id: i64,
    pub(super) scope_name: String,
    pub(super) status: String,
    pub(super) status_label: String,
    pub(super) status_class: &'static str,
    pub(super) computed: String,
    published: Option<String>,
}

#[derive(Template)]
#[template(path = "bulletin_list.html")]
pub(super) struct ListPage {
    pub(super) ctx: Ctx,
    pub(super) rows: Vec<BulletinRowView>,
    pub(super) can_compute: bool,
    pub(super) campaigns: Vec<(String, String)>,
    pub(super) form: ComputeForm,
    pub(super) errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

#[derive(Default)]
pub(super) struct ListForms {
    pub(super) form: Option<ComputeForm>,
    pub(super) errors: FormErrors,
    pub(super) error: Option<String>,
    pub(super) details: Vec<String>,
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Query(q): Query<OkQuery>,
) -> Result<Response, ApiError> {
    let flash = Some(q.ok.as_str()).filter(|k| !k.is_empty());
    list_response(
        &state,
        &headers,
        &signed,
        flash,
        ListForms::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) async fn list_response(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    flash: Option<&str>,
    forms: ListForms,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let list = bulletins_svc::list(&state.svc, actor).await?;
    let mut ctx = Ctx::signed(state, headers, signed, "bulletins", "bulletins-title")
        .await?
        .with_flash(flash);
    ctx.back = "/bulletins".into();
    let title = ctx.t("bulletins-title");
    let ctx = ctx.crumb(title, "");
    let mut names = OrgNames::default();
    let mut zones = Zones::default();
    let mut rows = Vec::with_capacity(list.len());
    for b in list {
        zones.load(state, b.campaign_id).await;
        let (status_label, status_class) = status_tag(&ctx, &b.status);
        rows.push(BulletinRowView {
            id: b.id,
            issue: ctx.tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
            scope_id: b.scope_org_id,
            scope_name: names.name(state, actor, b.scope_org_id).await,
            computed: zones.show(&ctx, Some(b.campaign_id), &b.computed_at),
            published: b
                .published_at
                .map(|t| zones.show(&ctx, Some(b.campaign_id), &t)),
            week: b.period_key,
            status: b.status,
            status_label,
            status_class,
        });
    }
    let can_compute = actor.can_somewhere(Permission::SuperviseItems);
    let campaigns = if can_compute {
        campaign_options(state, actor).await?
    } else {
        Vec::new()
    };
    let form = match forms.form {
        Some(f) => f,
        None => {
            let campaign_id = campaigns.first().map(|c| c.0.clone()).unwrap_or_default();
            // The last closed week of the campaign: its reports all past their deadline.
            let week = match opt_id(Some(&campaign_id)) {
                Some(id) => bulletins_svc::default_week(&state.svc, actor, id, None)
                    .await
                    .unwrap_or_default(),
                None => String::new(),
            };
            ComputeForm {
                campaign_id,
                scope_org_code: if can_compute {
                    default_org_code(state, signed).await
                } else {
                    String::new()
                },
                week,
            }
        }
    };
    let page = ListPage {
        rows,
        can_compute,
        campaigns,
        form,
        errors: forms.errors,
        error: forms.error,
        details: forms.details,
        ctx,
    };
    Ok(render_status(status, &page))
}

pub(super) fn compute_field(f: &str) -> Option<String> {
    match f {
        "campaign_id" | "week" => Some(f.to_owned()),
        "scope_org_id" => Some("scope_org_code".into()),
        _ => None,
    }
}

pub(super) async fn compute(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<ComputeForm>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    if !actor.can_somewhere(Permission::SuperviseItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let lang = lang_of(&headers);
    let i18n = &state.i18n;
    let mut errors = FormErrors::default();
    let campaign_id = opt_id(Some(&form.campaign_id));
    if campaign_id.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let week = form.week.trim().to_owned();
    if week.is_empty() {
        errors.add(i18n, lang, "week", "required", &[]);
    } else if parse_iso_week(&week).is_none() {
        errors.add(i18n, lang, "week", "bad_week", &[]);
    }
    let scope = supervised_org(
        &state,
        lang,
        actor,
        &mut errors,
        "scope_org_code",
        &form.scope_org_code,
    )
    .await?;
    let mut forms = ListForms::default();
    if let (true, Some(campaign_id), Some(scope)) = (errors.is_empty(), campaign_id, scope) {
        match bulletins_svc::compute(&state.svc, actor, campaign_id, scope.id, &week).await {
            Ok(v) => {
                return Ok(see_other(
                    &format!("/bulletins/{}", v.bulletin.id),
                    "bulletin_computed",
                ))
            }
            Err(ServiceError::Validation(v)) => errors.absorb(i18n, lang, &v, compute_field),
            Err(e) => {
                return crate::kit::reshow((i18n, lang), e.into(), |x, status| {
                    forms.error = Some(x.message);
                    forms.details = x.text.into_iter().collect();
                    forms.form = Some(form);
                    list_response(&state, &headers, &signed, None, forms, status)
                })
                .await;
            }
        }
    }
    forms.errors = errors.finish(i18n, lang);
    forms.form = Some(form);
    list_response(
        &state,
        &headers,
        &signed,
        None,
        forms,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
