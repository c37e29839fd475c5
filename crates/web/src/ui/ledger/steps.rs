//! The steps taken on an item's page: a lifecycle step, a progress note, evidence (and its download); a refusal shows the page again with the reason.

use super::*;

/// A refused step, note or upload: the item page again with the reason, under the status of
/// the refusal. Errors that are not about the step (not found, failures) stay error pages.
#[allow(clippy::too_many_arguments)]
pub(super) async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    err: ApiError,
    mut forms: ItemForms,
) -> Result<Response, ApiError> {
    let lang = lang_of(headers);
    crate::kit::reshow((&state.i18n, lang), err, |x, status| {
        forms.error = Some(x.message);
        forms.details = x
            .fields
            .iter()
            .map(|f| field_detail(&state.i18n, lang, &f.field, &f.message))
            .collect();
        forms.details.extend(x.text);
        item_response(state, headers, signed, id, None, forms, status)
    })
    .await
}

/// "Field: message" for a field of a refused step.
pub(super) fn field_detail(i18n: &I18n, lang: Lang, field: &str, message: &str) -> String {
    let key = format!("item-field-{field}");
    if i18n.has(lang, &key) {
        i18n.tr(
            lang,
            "item-field-message",
            &[
                ("field", i18n.t(lang, &key)),
                ("message", message.to_owned()),
            ],
        )
    } else {
        message.to_owned()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransitionForm {
    pub action: String,
    pub version: String,
    pub reason: String,
    pub new_due_on: String,
}

pub(super) fn action_of(f: &TransitionForm) -> Result<Action, ServiceError> {
    let due = if f.new_due_on.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(&f.new_due_on).map(Some)
    };
    Action::from_parts(&f.action, &f.reason, due)
        .map_err(|e| luodi_service::error::invalid(e.field, e.code))
}

pub(super) async fn transition(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<TransitionForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let result = match action_of(&form) {
        Ok(action) => {
            let name = action.name();
            items_svc::transition(&state.svc, &signed.actor, id, action, version)
                .await
                .map(|_| name)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(name) => Ok(see_other(&format!("/items/{id}"), &format!("item_{name}"))),
        Err(e) => {
            let forms = ItemForms {
                action: form.action.trim().to_owned(),
                reason: form.reason.clone(),
                new_due_on: form.new_due_on.clone(),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub text: String,
    pub progress_percent: String,
    pub version: String,
}

pub(super) async fn add_note(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let progress = match form.progress_percent.trim() {
        "" => Ok(None),
        p => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| luodi_service::error::invalid("progress_percent", "bad_number")),
    };
    let result = match progress {
        Ok(p) => items_svc::add_note(&state.svc, &signed.actor, id, &form.text, p, version)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/items/{id}"), "note_added")),
        Err(e) => {
            let forms = ItemForms {
                note_text: form.text.clone(),
                note_progress: Some(form.progress_percent.clone()),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

pub(super) async fn upload_evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let max = state.config.max_upload_bytes;
    // A body past the server's limit cannot be read at all: say "too large", not "malformed".
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || -> ApiError {
        ServiceError::Import(luodi_office::ImportError::TooLarge { max_bytes: max }).into()
    };
    let upload = if declared.is_some_and(|n| n > max + 64 * 1024) {
        Err(too_large())
    } else {
        crate::kit::read_uploads(mp, max).await
    };
    // Several files in one upload: each stored on its own, in order; the first refusal stops.
    let result = match upload {
        Ok(files) => {
            let mut r = Ok(());
            for (name, bytes) in files {
                if let Err(e) =
                    items_svc::add_evidence(&state.svc, &signed.actor, id, &bytes, &name).await
                {
                    r = Err(ApiError::from(e));
                    break;
                }
            }
            r
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/items/{id}"), "evidence_added")),
        Err(e) => refused(&state, &headers, &signed, id, e, ItemForms::default()).await,
    }
}

/// An evidence image or PDF shown in the browser (sandboxed); other types download.
pub(super) async fn view(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = items_svc::evidence(&state.svc, &signed.actor, id).await?;
    Ok(crate::kit::inline_response(
        &a.file_name,
        &a.content_type,
        bytes,
    ))
}

/// An evidence file, always as a download (never shown inline), exactly as the API serves it.
pub(super) async fn download(
    State(state): State<AppState>,
    Signed(signed): Signed,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = items_svc::evidence(&state.svc, &signed.actor, id).await?;
    Ok(attachment_response(&a.file_name, &a.content_type, bytes))
}
