//! Writing, submitting and reviewing a report; a refusal shows the page again with the reason.

use super::*;

/// A refused save, submission or review: the report page again with the reason, under the
/// status of the refusal. Errors that are not about the step (not found, failures) stay error
/// pages.
#[allow(clippy::too_many_arguments)]
pub(super) async fn refused(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
    id: i64,
    err: ApiError,
    mut forms: ReportForms,
) -> Result<Response, ApiError> {
    let lang = lang_of(headers);
    crate::kit::reshow((&state.i18n, lang), err, |x, status| {
        forms.error = Some(x.message);
        forms.details = x.fields.iter().map(|f| f.message.clone()).collect();
        forms.details.extend(x.text);
        report_response(state, headers, signed, id, None, forms, status)
    })
    .await
}

/// The report form as sent: the three texts, the version read, and which button was pressed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub done_text: String,
    pub problems_text: String,
    pub plan_text: String,
    pub version: String,
    /// `1`: submit; anything else: save a draft.
    pub submit: String,
}

pub(super) fn text_field(f: &str) -> Option<String> {
    matches!(f, "done_text" | "problems_text" | "plan_text").then(|| f.to_owned())
}

pub(super) async fn write(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<ReportForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let submit = form.submit.trim() == "1";
    let texts = ReportTexts {
        done_text: form.done_text,
        problems_text: form.problems_text,
        plan_text: form.plan_text,
    };
    let result = reports_svc::write(
        &state.svc,
        &signed.actor,
        id,
        texts.clone(),
        submit,
        version,
    )
    .await;
    let flash = if submit {
        "report_submitted"
    } else {
        "report_saved"
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/reports/{id}"), flash)),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let mut errors = FormErrors::default();
            errors.absorb(&state.i18n, lang, &v, text_field);
            let forms = ReportForms {
                texts: Some(texts),
                errors: errors.finish(&state.i18n, lang),
                ..Default::default()
            };
            report_response(
                &state,
                &headers,
                &signed,
                id,
                None,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            let forms = ReportForms {
                texts: Some(texts),
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub comment: String,
    pub version: String,
    /// `1`: accept; `0`: send back.
    pub accept: String,
}

pub(super) async fn review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Signed(signed): Signed,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, ApiError> {
    let version = parse_version(&form.version)?;
    let accept = match form.accept.trim() {
        "1" => true,
        "0" => false,
        _ => return Err(ApiError::bad_request("bad_request", "accept")),
    };
    let result = reports_svc::review(
        &state.svc,
        &signed.actor,
        id,
        accept,
        &form.comment,
        version,
    )
    .await;
    match result {
        Ok(_) => Ok(see_other(
            &format!("/reports/{id}"),
            if accept {
                "report_accepted"
            } else {
                "report_sent_back"
            },
        )),
        Err(ServiceError::Validation(v)) => {
            let lang = lang_of(&headers);
            let forms = ReportForms {
                comment: form.comment,
                review_errors: FormErrors::of_field(&state.i18n, lang, &v, "comment"),
                ..Default::default()
            };
            report_response(
                &state,
                &headers,
                &signed,
                id,
                None,
                forms,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            let forms = ReportForms {
                comment: form.comment,
                ..Default::default()
            };
            refused(&state, &headers, &signed, id, e.into(), forms).await
        }
    }
}
