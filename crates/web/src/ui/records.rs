//! The record kinds units keep with a form — meetings, research topics, study activities, key
//! works — share their list, their new form and the making of a record: one [`RecordKind`]
//! per kind says what differs (where its pages are, what its form holds, how a record is made
//! from it), and the handlers here do the rest the same way for each.

use super::forms::{absorb, campaign_options, default_org_code, form_status, placement};
use super::{query_base, render_status, see_other, validation, Ctx, FormErrors, Pager};
use crate::auth::{lang_of, Signed};
use crate::error::ApiError;
use crate::i18n::{I18n, Lang};
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use luodi_domain::role::Permission;
use luodi_service::auth::SignedIn;
use luodi_service::orgs::Org;
use luodi_service::{Actor, Paged, ServiceError, ServiceResult};
use serde::de::DeserializeOwned;
use std::future::Future;

/// What a record form names in every kind: its campaign and its org.
pub trait Placed {
    fn campaign_id(&self) -> &str;
    fn org_code(&self) -> &str;
    /// An empty form for the org a user stands in.
    fn for_org(org_code: String) -> Self;
}

/// Implements [`Placed`] for a form with `campaign_id` and `org_code` fields.
macro_rules! placed {
    ($form:ty) => {
        impl $crate::ui::records::Placed for $form {
            fn campaign_id(&self) -> &str {
                &self.campaign_id
            }
            fn org_code(&self) -> &str {
                &self.org_code
            }
            fn for_org(org_code: String) -> Self {
                Self {
                    org_code,
                    ..Default::default()
                }
            }
        }
    };
}
pub(crate) use placed;

/// One kind of record kept with a form.
pub trait RecordKind: Send + Sync + 'static {
    /// Where the kind's pages are (`/meetings`), the side navigation's key, the list's and the
    /// new form's title keys.
    const PATH: &'static str;
    const ACTIVE: &'static str;
    const TITLE: &'static str;
    const NEW_TITLE: &'static str;
    /// Service fields shown under other form fields (`org_id` under `org_code`), and fields
    /// whose `[i]` is a line of a textarea.
    const RENAME: &'static [(&'static str, &'static str)] = &[("org_id", "org_code")];
    const LINES: &'static [&'static str] = &[];

    /// The form as entered.
    type Form: Placed + Default + Clone + DeserializeOwned + Send + 'static;
    /// What the kind reads from its form before making the record (dates, numbers, lines).
    type Parsed: Send;

    /// A fresh form for the org a user stands in.
    fn fresh(_state: &AppState, org_code: String) -> Self::Form {
        Self::Form::for_org(org_code)
    }

    /// Reads the form's own fields; each problem goes under its field.
    fn parse(form: &Self::Form, errors: &mut FormErrors, t: (&I18n, Lang)) -> Option<Self::Parsed>;

    /// Makes the record; its id.
    fn make(
        state: &AppState,
        actor: &Actor,
        form: &Self::Form,
        placed: (i64, Org),
        parsed: Self::Parsed,
    ) -> impl Future<Output = ServiceResult<i64>> + Send;

    /// The form page's template.
    type FormPage: askama::Template + Send;

    /// The form page's template: the parts every kind shows, and what this kind adds.
    fn form_template(
        state: &AppState,
        signed: &SignedIn,
        parts: FormParts<Self::Form>,
    ) -> impl Future<Output = Result<Self::FormPage, ApiError>> + Send;
}

/// What every kind's form page shows: the frame, the form, its errors (fresh: none), and the
/// campaigns to pick from.
pub struct FormParts<F> {
    pub ctx: Ctx,
    pub form: F,
    pub errors: FormErrors,
    pub campaigns: Vec<(String, String)>,
}

/// A kind's form page, fresh or with the errors of a refused form (then answered 422).
pub async fn form_page<K: RecordKind>(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: K::Form,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    let ctx = form_ctx::<K>(state, headers, signed).await?;
    let campaigns = campaign_options(state, &signed.actor).await?;
    let status = form_status(&errors);
    let parts = FormParts {
        ctx,
        form,
        errors,
        campaigns,
    };
    Ok(render_status(
        status,
        &K::form_template(state, signed, parts).await?,
    ))
}

/// The new form: for those who record items somewhere.
pub async fn new_page<K: RecordKind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden.into());
    }
    let form = K::fresh(&state, default_org_code(&state, &signed).await?);
    form_page::<K>(&state, &headers, &signed, form, FormErrors::default()).await
}

/// Makes a record from its form: to the record's page, or the form again with every problem
/// under its field.
pub async fn create<K: RecordKind>(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<K::Form>,
) -> Result<Response, ApiError> {
    let actor = &signed.actor;
    let lang = lang_of(&headers);
    let t = (state.i18n.as_ref(), lang);
    let mut errors = FormErrors::default();
    let (campaign_id, org) = placement(
        &state,
        actor,
        (form.campaign_id(), form.org_code()),
        &mut errors,
        t,
    )
    .await?;
    let parsed = K::parse(&form, &mut errors, t);
    if let (Some(campaign_id), Some(org), Some(parsed), true) =
        (campaign_id, org, parsed, errors.is_empty())
    {
        match K::make(&state, actor, &form, (campaign_id, org), parsed).await {
            Ok(id) => return Ok(see_other(&format!("{}/{id}", K::PATH), "created")),
            Err(e) => {
                let v = validation(e)?;
                absorb(&mut errors, t, &v, K::RENAME, K::LINES);
            }
        }
    }
    let errors = errors.finish(t.0, lang);
    form_page::<K>(&state, &headers, &signed, form, errors).await
}

/// What a kind's list page shows around its rows: the context (with the flash after a record
/// was made), the pager and its line, and whether the reader may make a new one.
pub struct ListParts<T> {
    pub ctx: Ctx,
    pub rows: Vec<T>,
    pub pager: Pager,
    pub pager_info: String,
    pub can_create: bool,
}

/// The list page's parts for `list` (already read through the service).
pub async fn list_parts<K: RecordKind, T>(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    ok: &str,
    list: Paged<T>,
) -> Result<ListParts<T>, ApiError> {
    let mut ctx = Ctx::signed(state, headers, signed, K::ACTIVE, K::TITLE)
        .await?
        .with_flash(Some(ok).filter(|k| !k.is_empty()));
    ctx.back = K::PATH.into();
    ctx.export = format!("{}/export.xlsx", K::PATH);
    let title = ctx.t(K::TITLE);
    let ctx = ctx.crumb(title, "");
    let pager = Pager::new(
        list.total,
        list.page,
        list.per_page,
        &query_base(K::PATH, &[]),
    );
    Ok(ListParts {
        pager_info: super::pager_info(&ctx, &pager),
        pager,
        rows: list.items,
        can_create: signed.actor.can_somewhere(Permission::EditItems),
        ctx,
    })
}

/// A kind's list (already read through the service, [`super::export_page`]) as a workbook:
/// `columns` are the list page's header keys, `cells` a row's cells under them.
pub async fn export_list<K: RecordKind, T>(
    state: &AppState,
    headers: &HeaderMap,
    list: Paged<T>,
    columns: &[&str],
    cells: impl Fn(&Ctx, T) -> Vec<super::Cell>,
) -> Result<Response, ApiError> {
    let ctx = Ctx::anonymous(state, headers, K::TITLE);
    let rows = list.items.into_iter().map(|r| cells(&ctx, r)).collect();
    super::xlsx_list(&ctx, K::TITLE, columns, rows, list.total).await
}

/// The context of a kind's new form.
pub async fn form_ctx<K: RecordKind>(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
) -> Result<Ctx, ApiError> {
    super::forms::form_ctx(
        state,
        headers,
        signed,
        K::ACTIVE,
        (K::TITLE, K::PATH),
        K::NEW_TITLE,
    )
    .await
}
