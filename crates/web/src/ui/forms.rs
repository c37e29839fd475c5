//! Pieces the record forms share (meetings, research, activities): the campaigns to choose from,
//! the org a form defaults to, an org named by its code, and the service's field errors put
//! under the fields they belong to.

use super::FormErrors;
use crate::error::{field_message, ApiError};
use crate::i18n::{I18n, Lang};
use crate::AppState;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_service::auth::SignedIn;
use luodi_service::orgs::Org;
use luodi_service::Page;
use luodi_service::{orgs as orgs_svc, Actor, ServiceError};

/// `(id, name)` of the campaigns the actor reads.
pub async fn campaign_options(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<(String, String)>, ApiError> {
    if !actor.can_somewhere(Permission::ReadCampaigns) {
        return Ok(Vec::new());
    }
    Ok(
        luodi_service::campaigns::list(&state.svc, actor, None, Page::new(1, 200))
            .await?
            .items
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
    )
}

/// The org a new record is for by default: where the user stands, or their only root.
pub async fn default_org(state: &AppState, signed: &SignedIn) -> Result<Option<Org>, ApiError> {
    let actor = &signed.actor;
    if let Some(scope) = signed.scope_org_id {
        if let Ok(o) = orgs_svc::get(&state.svc, actor, scope).await {
            return Ok(Some(o));
        }
    }
    let roots = orgs_svc::children(&state.svc, actor, None, false).await?;
    Ok(match roots.as_slice() {
        [only] => Some(only.org.clone()),
        _ => None,
    })
}

/// The org named by `code` in `field`, or an error under that field.
pub async fn org_by_code(
    state: &AppState,
    actor: &Actor,
    code: &str,
    field: &str,
    errors: &mut FormErrors,
    (i18n, lang): (&I18n, Lang),
) -> Result<Option<Org>, ApiError> {
    let code = code.trim();
    if code.is_empty() {
        errors.add(i18n, lang, field, "required", &[]);
        return Ok(None);
    }
    match orgs_svc::get_by_code(&state.svc, actor, code).await {
        Ok(o) => Ok(Some(o)),
        Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => {
            errors.add(i18n, lang, field, "unknown_org", &[]);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The position in `list[3].field`.
fn index_of(field: &str) -> Option<usize> {
    let start = field.find('[')? + 1;
    let end = field[start..].find(']')? + start;
    field[start..end].parse().ok()
}

/// Puts each field error of `v` under its field: `rename` maps service fields to form fields,
/// `lines` names the fields whose `[i]` is a line of a textarea ("line 2: …"); the rest are
/// listed above the form.
pub fn absorb(
    errors: &mut FormErrors,
    (i18n, lang): (&I18n, Lang),
    v: &Validation,
    rename: &[(&str, &str)],
    lines: &[&str],
) {
    for e in &v.errors {
        let msg = field_message(i18n, lang, e.code, &e.params);
        let f = e.field.as_str();
        let base = f.split('[').next().unwrap_or(f);
        if let Some((_, to)) = rename.iter().find(|(from, _)| *from == f) {
            errors.add_message(to, msg);
        } else if lines.contains(&base) && f.contains('[') {
            let line = index_of(f).map_or(0, |i| i + 1).to_string();
            errors.add_message(
                base,
                i18n.tr(lang, "form-line-error", &[("line", line), ("message", msg)]),
            );
        } else if let Some((_, to)) = rename.iter().find(|(from, _)| *from == base) {
            errors.add_message(to, msg);
        } else if !f.contains('[') && !f.contains('.') {
            errors.add_message(f, msg);
        } else {
            errors.others.push(msg);
        }
    }
}

/// 200 for a form shown fresh, 422 for one shown again with its errors.
pub fn form_status(errors: &FormErrors) -> axum::http::StatusCode {
    if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The code of the org a new record's form starts with.
pub async fn default_org_code(state: &AppState, signed: &SignedIn) -> Result<String, ApiError> {
    Ok(default_org(state, signed)
        .await?
        .map(|o| o.code)
        .unwrap_or_default())
}

/// The campaign and the org a record form names, each missing or unknown one an error under
/// its field (`campaign_id`, `org_code`).
pub async fn placement(
    state: &AppState,
    actor: &Actor,
    (campaign_id, org_code): (&str, &str),
    errors: &mut FormErrors,
    (i18n, lang): (&I18n, Lang),
) -> Result<(Option<i64>, Option<Org>), ApiError> {
    let campaign = super::opt_id(Some(campaign_id));
    if campaign.is_none() {
        errors.add(i18n, lang, "campaign_id", "required", &[]);
    }
    let org = org_by_code(state, actor, org_code, "org_code", errors, (i18n, lang)).await?;
    Ok((campaign, org))
}

/// The context of a record form page: `list` (its title key and address) then `title_key`.
pub async fn form_ctx(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    signed: &SignedIn,
    active: &'static str,
    (list_key, list_href): (&str, &str),
    title_key: &str,
) -> Result<super::Ctx, ApiError> {
    let mut ctx = super::Ctx::signed(state, headers, signed, active, title_key).await?;
    let (list, title) = (ctx.t(list_key), ctx.t(title_key));
    ctx.back = format!("{list_href}/new");
    Ok(ctx.crumb(list, list_href).crumb(title, ""))
}
