//! The bulletin as an official document (.docx) and a spreadsheet, with the commitments of its interviews.

use super::*;

/// The document of a bulletin in the reader's language: the pages', the API's and the command
/// line's export all write this.
pub fn document(i18n: &I18n, lang: Lang, v: &BulletinView) -> luodi_office::bulletin::BulletinDoc {
    let t = |k: &str| i18n.t(lang, k);
    let tr = |k: &str, args: &[(&str, String)]| i18n.tr(lang, k, args);
    let pct = luodi_domain::bulletin::percent;
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
    i18n: &I18n,
    lang: Lang,
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

/// The bulletin as a file in `format` (`xlsx` or `docx`): its name, content type and bytes;
/// `None` for another format.
pub fn file(
    i18n: &I18n,
    lang: Lang,
    v: &BulletinView,
    format: &str,
) -> ServiceResult<Option<(String, &'static str, Vec<u8>)>> {
    let doc = document(i18n, lang, v);
    let name = format!(
        "{}-{}",
        i18n.t(lang, "bulletin-doc-title"),
        v.bulletin.period_key
    );
    let (bytes, ctype) = match format {
        "xlsx" => (
            luodi_office::bulletin::to_xlsx(&doc),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "docx" => (
            luodi_office::bulletin::to_docx(&doc),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        _ => return Ok(None),
    };
    let bytes = bytes.map_err(ServiceError::Internal)?;
    Ok(Some((format!("{name}.{format}"), ctype, bytes)))
}
