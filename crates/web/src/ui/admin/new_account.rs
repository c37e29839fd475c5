//! A new account, with its one-time password.

use super::*;
use crate::ui::forms::form_status;

// --- A new account ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "users_new.html")]
pub(super) struct NewPage {
    pub(super) ctx: Ctx,
    pub(super) form: NewUserForm,
    pub(super) errors: FormErrors,
}

pub(super) async fn new_form(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    form: Option<NewUserForm>,
    errors: FormErrors,
) -> Result<Response, ApiError> {
    if !signed.actor.can_somewhere(Permission::ManageAccounts) {
        return Err(ServiceError::Forbidden.into());
    }
    let mut ctx = users_ctx(state, headers, signed, "users-new").await?;
    ctx.back = "/admin/users/new".into();
    let title = ctx.t("users-new");
    let ctx = ctx.crumb(title, "");
    // A new account belongs, by default, to the org the user stands in.
    let form = form.unwrap_or_else(|| NewUserForm {
        org_code: ctx
            .scope
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or_default(),
        ..Default::default()
    });
    let status = form_status(&errors);
    Ok(render_status(status, &NewPage { ctx, form, errors }))
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
) -> Result<Response, ApiError> {
    new_form(&state, &headers, &signed, None, FormErrors::default()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Form(form): Form<NewUserForm>,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let mut errors = FormErrors::default();
    let org_id = org_by_code(
        &state,
        &signed.actor,
        lang,
        &form.org_code,
        "org_code",
        &mut errors,
    )
    .await?;
    {
        // An unknown org code is sent as id 0, which no org has: the service checks the other
        // fields and then refuses it, so the form can say everything that is wrong at once.
        let org_id = if errors.has("org_code") {
            Some(0)
        } else {
            org_id
        };
        let input = NewAccount {
            username: form.username.clone(),
            display_name: form.display_name.clone(),
            org_id,
            password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        };
        match accounts_svc::create(&state.svc, &signed.actor, input).await {
            Ok((account, generated)) => {
                let mut ctx = users_ctx(&state, &headers, &signed, "users-created").await?;
                let title = ctx.t("users-created");
                ctx = ctx.crumb(title, "");
                ctx.flash = Some(ctx.t("flash-created"));
                let page = crate::ui::resets::PasswordPage {
                    heading: ctx.t("users-created"),
                    message: ctx.t(if generated.is_some() {
                        "users-initial-password"
                    } else {
                        "users-created-own-password"
                    }),
                    password: generated,
                    user_id: account.user.id,
                    username: account.user.username,
                    ctx,
                };
                let mut res = render(&page);
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return Ok(res);
            }
            Err(ServiceError::Validation(v)) => {
                let org_named = errors.has("org_code");
                errors.absorb(&state.i18n, lang, &v, |f| match f {
                    "username" | "display_name" | "password" => Some(f.to_owned()),
                    "org_id" if !org_named => Some("org_code".to_owned()),
                    "org_id" => Some(String::new()),
                    _ => None,
                });
                // Drop the repeat of the unknown org (mapped to the empty field name).
                errors.fields.retain(|(f, _)| !f.is_empty());
            }
            Err(e) => return Err(e.into()),
        }
    }
    // A password is never sent back into the form.
    let form = NewUserForm {
        password: String::new(),
        ..form
    };
    new_form(
        &state,
        &headers,
        &signed,
        Some(form),
        errors.finish(&state.i18n, lang),
    )
    .await
}
