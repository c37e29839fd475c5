//! `/api/v1/bulletins`: the weekly bulletin (每周一通报) — compute, review, publish; and the
//! campaign's scoring rules.

use super::ApiJson;
use crate::auth::Signed;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use luodi_domain::bulletin::ScoringRules;
use luodi_service::bulletins;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeBody {
    pub campaign_id: i64,
    /// The org whose direct children are ranked.
    pub scope_org_id: i64,
    /// ISO week, e.g. `2026-W48`.
    pub week: String,
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Computes (or recomputes, while a draft) a scope's bulletin for a week: a frozen snapshot of
/// each child's figures, score, rank and proposed interviews, with the scoring rules' version.
#[utoipa::path(post, path = "/bulletins", tag = "bulletins", request_body = ComputeBody,
    responses((status = 201, description = "the bulletin with its ranked rows", body = Object), (status = 409, body = super::ErrorBody), (status = 403, body = super::ErrorBody)))]
pub async fn compute(
    State(state): State<AppState>,
    Signed(s): Signed,
    ApiJson(b): ApiJson<ComputeBody>,
) -> Result<Response, ApiError> {
    let v =
        bulletins::compute(&state.svc, &s.actor, b.campaign_id, b.scope_org_id, &b.week).await?;
    Ok((StatusCode::CREATED, Json(to_json(&v))).into_response())
}

/// Bulletins of the caller's scopes (drafts only for their supervisors).
#[utoipa::path(get, path = "/bulletins", tag = "bulletins", responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    Signed(s): Signed,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(&bulletins::list(&state.svc, &s.actor).await?)))
}

/// One bulletin with its ranked rows.
#[utoipa::path(get, path = "/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = super::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::get(&state.svc, &s.actor, id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    #[serde(default)]
    pub note: String,
}

/// Publishes a draft bulletin with the office's note; it never changes afterwards.
#[utoipa::path(post, path = "/bulletins/{id}/publish", tag = "bulletins", params(("id" = i64, Path)), request_body = PublishBody,
    responses((status = 200, body = Object), (status = 409, body = super::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PublishBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::publish(&state.svc, &s.actor, id, &b.note).await?,
    )))
}

/// The campaign's current scoring rules.
#[utoipa::path(get, path = "/campaigns/{id}/scoring", tag = "bulletins", params(("id" = i64, Path)), responses((status = 200, body = Object)))]
pub async fn scoring(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    luodi_service::campaigns::get(&state.svc, &s.actor, id).await?;
    let mut c = state
        .svc
        .db
        .read()
        .await
        .map_err(luodi_service::ServiceError::from)?;
    Ok(Json(to_json(&bulletins::scoring(c.conn(), id).await?)))
}

/// Sets new scoring rules (a new version; published bulletins keep theirs).
#[utoipa::path(put, path = "/campaigns/{id}/scoring", tag = "bulletins", params(("id" = i64, Path)), request_body = Object, responses((status = 200, body = Object), (status = 403, body = super::ErrorBody)))]
pub async fn set_scoring(
    State(state): State<AppState>,
    Signed(s): Signed,
    Path(id): Path<i64>,
    ApiJson(rules): ApiJson<ScoringRules>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(to_json(
        &bulletins::set_scoring(&state.svc, &s.actor, id, rules).await?,
    )))
}

/// Builds the document of a bulletin in the reader's language (the web export and the CLI's).
pub fn document(
    i18n: &crate::i18n::I18n,
    lang: crate::i18n::Lang,
    v: &bulletins::BulletinView,
) -> luodi_office::bulletin::BulletinDoc {
    let t = |k: &str| i18n.t(lang, k);
    let tr = |k: &str, args: &[(&str, String)]| i18n.tr(lang, k, args);
    let pct = |x: Option<f64>| {
        x.map(|x| format!("{:.0}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let b = &v.bulletin;
    let date = b
        .published_at
        .unwrap_or(b.computed_at)
        .format("%Y-%m-%d")
        .to_string();
    let names = |key: &str| -> Vec<String> {
        v.totals[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    luodi_office::bulletin::BulletinDoc {
        title: t("bulletin-doc-title"),
        issue: tr("bulletin-issue", &[("n", b.issue_no.to_string())]),
        issuer_line: format!("{}　{}", b.period_key, date),
        summary: tr(
            "bulletin-summary",
            &[
                ("orgs", v.rows.len().to_string()),
                ("on_time", pct(v.totals["on_time_rate"].as_f64())),
                ("punctuality", pct(v.totals["punctuality"].as_f64())),
                (
                    "red",
                    v.totals["figures"]["red"].as_i64().unwrap_or(0).to_string(),
                ),
            ],
        ),
        note: b.note.clone(),
        headers: [
            "bulletin-col-rank",
            "bulletin-col-org",
            "bulletin-col-score",
            "bulletin-col-due",
            "bulletin-col-on-time",
            "bulletin-col-overdue",
            "bulletin-col-red",
            "bulletin-col-punctuality",
            "bulletin-col-submissions",
        ]
        .iter()
        .map(|k| t(k))
        .collect(),
        rows: v
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.org_name.clone(),
                    format!("{}", r.score),
                    r.figures.items_due.to_string(),
                    r.figures.closed_on_time.to_string(),
                    r.figures.overdue.to_string(),
                    r.figures.red.to_string(),
                    pct(r.punctuality),
                    format!(
                        "{} / {}",
                        r.figures.submissions, r.figures.submissions_adopted
                    ),
                ]
            })
            .collect(),
        footnote: b
            .audit_head
            .as_ref()
            .map(|h| tr("bulletin-audit-head", &[("head", h.clone())]))
            .unwrap_or_default(),
        lists: vec![
            (t("bulletin-praised"), names("praised")),
            (t("bulletin-criticised"), names("criticised")),
            (t("bulletin-interviews"), names("interviews_proposed")),
        ],
        charts: {
            use luodi_office::bulletin::BarChart;
            let labels: Vec<String> = v.rows.iter().map(|r| r.org_name.clone()).collect();
            let chart = |key: &str, percent: bool, color: u32, values: Vec<f64>| BarChart {
                title: t(key),
                labels: labels.clone(),
                values,
                percent,
                color,
            };
            if v.rows.is_empty() {
                Vec::new()
            } else {
                vec![
                    chart(
                        "bulletin-chart-score",
                        false,
                        0x165DFF,
                        v.rows.iter().map(|r| r.score).collect(),
                    ),
                    chart(
                        "bulletin-chart-on-time",
                        true,
                        0x00B42A,
                        v.rows
                            .iter()
                            .map(|r| r.figures.on_time_rate().unwrap_or(0.0))
                            .collect(),
                    ),
                    chart(
                        "bulletin-chart-punctuality",
                        true,
                        0x722ED1,
                        v.rows
                            .iter()
                            .map(|r| r.punctuality.unwrap_or(0.0))
                            .collect(),
                    ),
                    chart(
                        "bulletin-chart-red",
                        false,
                        0xF53F3F,
                        v.rows.iter().map(|r| r.figures.red as f64).collect(),
                    ),
                ]
            }
        },
        charts_sheet: t("bulletin-charts-sheet"),
        sections: {
            let lines: Vec<String> = commitment_lines(i18n, lang, &v.totals)
                .into_iter()
                .map(|c| c.text)
                .collect();
            if lines.is_empty() {
                Vec::new()
            } else {
                vec![(t("bulletin-commitments"), lines)]
            }
        },
    }
}

/// How one interview's commitments stood when the bulletin was computed.
pub struct CommitmentLine {
    pub interview_id: i64,
    pub org_name: String,
    pub held_on: String,
    pub kind: String,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
    /// The whole line, for documents.
    pub text: String,
}

/// The bulletin's interview commitments, in the reader's language.
pub fn commitment_lines(
    i18n: &crate::i18n::I18n,
    lang: crate::i18n::Lang,
    totals: &serde_json::Value,
) -> Vec<CommitmentLine> {
    let list = totals["commitments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|c| {
            let n = |k: &str| c[k].as_i64().unwrap_or(0);
            let org_name = c["org_name"].as_str().unwrap_or("").to_owned();
            let held_on = c["held_on"].as_str().unwrap_or("").to_owned();
            let kind = i18n.t(
                lang,
                &format!("bulletins-interview-{}", c["kind"].as_str().unwrap_or("")),
            );
            let text = i18n.tr(
                lang,
                "bulletin-commitment-line",
                &[
                    ("org", org_name.clone()),
                    ("date", held_on.clone()),
                    ("kind", kind.clone()),
                    ("total", n("total").to_string()),
                    ("done", n("done").to_string()),
                    ("overdue", n("overdue").to_string()),
                ],
            );
            CommitmentLine {
                interview_id: n("interview_id"),
                org_name,
                held_on,
                kind,
                total: n("total"),
                done: n("done"),
                overdue: n("overdue"),
                text,
            }
        })
        .collect()
}

/// The bulletin as .xlsx or .docx (`format` = `xlsx` | `docx`), always as a download.
#[utoipa::path(get, path = "/bulletins/{id}/export.{format}", tag = "bulletins", params(("id" = i64, Path), ("format" = String, Path, description = "xlsx or docx")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = super::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Signed(s): Signed,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let v = bulletins::get(&state.svc, &s.actor, id).await?;
    let lang = crate::auth::lang_of(&headers);
    let doc = document(&state.i18n, lang, &v);
    let name = format!(
        "{}-{}",
        state.i18n.t(lang, "bulletin-doc-title"),
        v.bulletin.period_key
    );
    let (bytes, ctype, ext) = match format.as_str() {
        "xlsx" => (
            luodi_office::bulletin::to_xlsx(&doc),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        "docx" => (
            luodi_office::bulletin::to_docx(&doc),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        _ => return Err(ApiError::not_found()),
    };
    let bytes = bytes.map_err(|e| ApiError::from(luodi_service::ServiceError::Internal(e)))?;
    Ok(super::items::attachment_response(
        &format!("{name}.{ext}"),
        ctype,
        bytes,
    ))
}
