//! The campaign form: a new campaign, editing one, and which metrics it shows.

use super::*;
use crate::ui::forms::form_status;

// --- The form --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "campaign_form.html")]
pub(super) struct FormPage {
    pub(super) ctx: Ctx,
    pub(super) form: CampaignForm,
    pub(super) errors: FormErrors,
    pub(super) owners: Vec<(i64, String)>,
    pub(super) owner: i64,
    pub(super) action: String,
    pub(super) cancel: String,
    pub(super) editing: bool,
}

/// Renders the form: new (`id` None) or the edit of campaign `id`.
pub(super) async fn form_page(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: Option<i64>,
    form: CampaignForm,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let title_key = if id.is_some() {
        "campaigns-edit"
    } else {
        "campaigns-new"
    };
    let mut ctx = Ctx::signed(state, headers, signed, "campaigns", title_key).await?;
    let (list, title) = (ctx.t("campaigns-title"), ctx.t(title_key));
    ctx = ctx.crumb(list, "/campaigns");
    let (action, cancel) = match id {
        Some(id) => {
            ctx = ctx.crumb(form.name.clone(), &format!("/campaigns/{id}"));
            (format!("/campaigns/{id}/edit"), format!("/campaigns/{id}"))
        }
        None => ("/campaigns".to_owned(), "/campaigns".to_owned()),
    };
    ctx.back = if id.is_some() {
        action.clone()
    } else {
        "/campaigns/new".into()
    };
    let ctx = ctx.crumb(title, "");
    let current = opt_id(Some(&form.owner_org_id));
    let owners = owner_options(state, &signed.actor, &ctx, current).await?;
    let owner = current
        .or_else(|| {
            ctx.scope
                .as_ref()
                .map(|s| s.id)
                .filter(|s| owners.iter().any(|(id, _)| id == s))
        })
        .or_else(|| owners.first().map(|(id, _)| *id))
        .unwrap_or_default();
    let status = form_status(&errors);
    let page = FormPage {
        ctx,
        form,
        errors,
        owners,
        owner,
        action,
        cancel,
        editing: id.is_some(),
    };
    Ok(render_status(status, &page))
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::ManageCampaigns) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = CampaignForm {
        time_zone: DEFAULT_TIME_ZONE.to_owned(),
        ..Default::default()
    };
    form_page(&state, &headers, &signed, None, form, FormErrors::default()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<CampaignForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    if let Some(input) = parse_form(&state, &signed.actor, lang, &form, None, &mut errors).await? {
        let v = match campaigns_svc::create(&state.svc, &signed.actor, input).await {
            Ok(d) => {
                return Ok(see_other(
                    &format!("/campaigns/{}", d.campaign.id),
                    "created",
                ))
            }
            Err(e) => validation(e)?,
        };
        absorb(&mut errors, &state.i18n, lang, &v, None);
    }
    form_page(
        &state,
        &headers,
        &signed,
        None,
        form,
        errors.finish(&state.i18n, lang),
    )
    .await
}

/// A campaign the actor may change, or why not.
pub(super) async fn editable(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<CampaignDetail, ApiError> {
    let d = campaigns_svc::get(&state.svc, actor, id).await?;
    if !actor.can(Permission::ManageCampaigns, &d.campaign.owner_org_path) {
        return Err(ServiceError::Forbidden.into());
    }
    Ok(d)
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = editable(&state, &signed.actor, id).await?;
    let c = &d.campaign;
    let scope_is_owner = d.scope.len() == 1 && d.scope[0].org_id == c.owner_org_id;
    let form = CampaignForm {
        owner_org_id: c.owner_org_id.to_string(),
        name: c.name.clone(),
        requirements: c.requirements.clone(),
        fundamental_task: c.fundamental_task.clone(),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        time_zone: c.time_zone.clone(),
        goals: goals_text(&d),
        scope_codes: if scope_is_owner {
            String::new()
        } else {
            d.scope
                .iter()
                .map(|s| s.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        version: c.version.to_string(),
    };
    form_page(
        &state,
        &headers,
        &signed,
        Some(id),
        form,
        FormErrors::default(),
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<CampaignForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let d = editable(&state, &signed.actor, id).await?;
    // The form does not edit phases: they are kept as they are.
    let phases: Vec<PhaseEntry> = d
        .phases
        .iter()
        .map(|p| PhaseEntry {
            kind: p.kind.clone(),
            name: p.name.clone(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
        })
        .collect();
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    if let Some(input) = parse_form(
        &state,
        &signed.actor,
        lang,
        &form,
        Some(phases.clone()),
        &mut errors,
    )
    .await?
    {
        let v = match campaigns_svc::update(&state.svc, &signed.actor, id, input, version).await {
            Ok(_) => return Ok(see_other(&format!("/campaigns/{id}"), "saved")),
            Err(e) => validation(e)?,
        };
        absorb(&mut errors, &state.i18n, lang, &v, Some(&phases));
    }
    form_page(
        &state,
        &headers,
        &signed,
        Some(id),
        form,
        errors.finish(&state.i18n, lang),
    )
    .await
}

/// The metrics form: every metric ticked is shown, the rest switched off.
pub(super) async fn set_metrics(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    body: String,
) -> Result<Response, ApiError> {
    // `shown` repeats, once per ticked box; the values are plain snake_case names.
    let shown: Vec<&str> = body
        .split('&')
        .filter_map(|kv| kv.strip_prefix("shown="))
        .collect();
    let hidden = luodi_domain::campaign::METRICS
        .iter()
        .filter(|m| !shown.contains(m))
        .map(|m| m.to_string())
        .collect();
    match luodi_service::campaigns::set_hidden_metrics(&state.svc, &signed.actor, id, hidden).await
    {
        Ok(_) => Ok(crate::ui::see_other(
            &format!("/campaigns/{id}"),
            "metrics_saved",
        )),
        Err(e) => crate::ui::see_refused(&format!("/campaigns/{id}"), e),
    }
}
