//! Notices in the inbox: a structured body rendered as a sentence in the reader's language, and
//! the page of luodi it leads to.

use crate::i18n::{I18n, Lang};

/// Renders a notice's structured body as a sentence in `lang`.
pub fn notice_text(i18n: &I18n, lang: Lang, kind: &str, body: &serde_json::Value) -> String {
    let count = |k: &str| body[k].as_array().map(Vec::len).unwrap_or(0).to_string();
    match kind {
        "digest" => i18n.tr(
            lang,
            "notice-digest",
            &[("items", count("items")), ("reports", count("reports"))],
        ),
        "urge" => i18n.tr(
            lang,
            "notice-urge",
            &[
                ("title", body["title"].as_str().unwrap_or("").to_owned()),
                ("by", body["by"].as_str().unwrap_or("").to_owned()),
                ("note", body["note"].as_str().unwrap_or("").to_owned()),
            ],
        ),
        "urge_org" => i18n.tr(
            lang,
            "notice-urge-org",
            &[
                ("org", body["org"].as_str().unwrap_or("").to_owned()),
                ("by", body["by"].as_str().unwrap_or("").to_owned()),
                ("note", body["note"].as_str().unwrap_or("").to_owned()),
            ],
        ),
        "bulletin" => i18n.tr(
            lang,
            "notice-bulletin",
            &[
                ("scope", body["scope"].as_str().unwrap_or("").to_owned()),
                ("issue", body["issue_no"].to_string()),
            ],
        ),
        "send_back" | "reject_extension" => i18n.tr(
            lang,
            &format!("notice-{kind}"),
            &[
                ("title", body["title"].as_str().unwrap_or("").to_owned()),
                ("by", body["by"].as_str().unwrap_or("").to_owned()),
                ("note", body["note"].as_str().unwrap_or("").to_owned()),
            ],
        ),
        other => other.to_owned(),
    }
}

/// Where in luodi a notice leads.
pub fn notice_link(kind: &str, body: &serde_json::Value) -> String {
    let id = |k: &str| body[k].as_i64();
    match kind {
        "urge" | "send_back" | "reject_extension" => id("item_id")
            .map(|i| format!("/items/{i}"))
            .unwrap_or_else(|| "/ledger".into()),
        "urge_org" => id("org_id")
            .map(|o| format!("/ledger?within={o}&status=open"))
            .unwrap_or_else(|| "/ledger".into()),
        "bulletin" => id("bulletin_id")
            .map(|b| format!("/bulletins/{b}"))
            .unwrap_or_else(|| "/bulletins".into()),
        _ => "/".into(),
    }
}
