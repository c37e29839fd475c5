//! Notices as people read them outside luodi (e-mail, group robots): a subject line and plain
//! text in the reader's language, from the structured body the services queue.

use crate::i18n::{I18n, Lang};
use luodi_service::notify::NoticeText;
use serde_json::Value;
use std::sync::Arc;

pub struct Notices(pub Arc<I18n>);

impl Notices {
    pub fn shared() -> Arc<dyn NoticeText> {
        Arc::new(Notices(Arc::new(I18n::load())))
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn percent(v: &Value) -> String {
    v.as_f64()
        .map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

impl NoticeText for Notices {
    fn render(&self, locale: &str, kind: &str, b: &Value) -> (String, String) {
        let lang = Lang::parse(locale).unwrap_or_default();
        let tr = |key: &str, args: &[(&str, String)]| self.0.tr(lang, key, args);
        let list = |k: &str| b[k].as_array().cloned().unwrap_or_default();
        let (subject, mut text) = match kind {
            "digest" => {
                let items = list("items");
                let reports = list("reports");
                let mut lines = Vec::new();
                if !items.is_empty() {
                    lines.push(tr("mail-digest-items", &[]));
                    for i in &items {
                        let days = s(&i["why"]["days"]);
                        let key = match (i["why"]["reason"] == "overdue", days == "1") {
                            (true, false) => "mail-why-overdue",
                            (true, true) => "mail-why-overdue-one",
                            (false, false) => "mail-why-due",
                            (false, true) => "mail-why-due-one",
                        };
                        let why = tr(key, &[("days", days)]);
                        lines.push(tr(
                            "mail-digest-item",
                            &[
                                ("title", s(&i["title"])),
                                ("due", s(&i["due_on"])),
                                ("why", why),
                            ],
                        ));
                    }
                }
                if !reports.is_empty() {
                    lines.push(tr("mail-digest-reports", &[]));
                    for r in &reports {
                        let due = s(&r["due_at"]).chars().take(16).collect::<String>();
                        lines.push(tr(
                            "mail-digest-report",
                            &[
                                ("org", s(&r["org"])),
                                ("period", s(&r["period"])),
                                ("due", due.replace('T', " ")),
                            ],
                        ));
                    }
                }
                (
                    tr(
                        "mail-digest-subject",
                        &[
                            ("items", items.len().to_string()),
                            ("reports", reports.len().to_string()),
                        ],
                    ),
                    lines.join("\n"),
                )
            }
            "urge" => (
                tr("mail-urge-subject", &[("title", s(&b["title"]))]),
                tr(
                    "mail-urge-text",
                    &[
                        ("title", s(&b["title"])),
                        ("by", s(&b["by"])),
                        ("due", s(&b["due_on"])),
                        ("note", s(&b["note"])),
                    ],
                ),
            ),
            "send_back" | "reject_extension" => {
                let key = kind.replace('_', "-");
                (
                    tr(&format!("mail-{key}-subject"), &[("title", s(&b["title"]))]),
                    tr(
                        &format!("mail-{key}-text"),
                        &[
                            ("title", s(&b["title"])),
                            ("by", s(&b["by"])),
                            ("due", s(&b["due_on"])),
                            ("note", s(&b["note"])),
                        ],
                    ),
                )
            }
            "urge_org" => (
                tr("mail-urge-org-subject", &[("org", s(&b["org"]))]),
                tr(
                    "mail-urge-org-text",
                    &[
                        ("org", s(&b["org"])),
                        ("by", s(&b["by"])),
                        ("overdue", s(&b["overdue"])),
                        ("red", s(&b["red"])),
                        ("note", s(&b["note"])),
                    ],
                ),
            ),
            "bulletin" => {
                let names = |k: &str| {
                    let v: Vec<String> = list(k).iter().map(s).collect();
                    if v.is_empty() {
                        tr("mail-none", &[])
                    } else {
                        v.join("、")
                    }
                };
                (
                    tr(
                        "mail-bulletin-subject",
                        &[
                            ("scope", s(&b["scope"])),
                            ("issue", s(&b["issue_no"])),
                            ("week", s(&b["week"])),
                        ],
                    ),
                    tr(
                        "mail-bulletin-text",
                        &[
                            ("orgs", s(&b["orgs"])),
                            ("rate", percent(&b["on_time_rate"])),
                            ("punct", percent(&b["punctuality"])),
                            ("praised", names("praised")),
                            ("interviews", names("interviews_proposed")),
                        ],
                    ),
                )
            }
            "test" => (
                tr("mail-test-subject", &[]),
                tr(
                    "mail-test-text",
                    &[("by", s(&b["by"])), ("org", s(&b["org"]))],
                ),
            ),
            other => (other.to_owned(), b.to_string()),
        };
        if let Some(url) = b["url"].as_str() {
            text.push('\n');
            text.push_str(&tr("mail-link", &[("url", url.to_owned())]));
        }
        (subject, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_digest_reads_in_both_languages() {
        let n = Notices(Arc::new(I18n::load()));
        let body = json!({
            "items": [
                { "title": "整改台账第3项", "due_on": "2026-12-01", "why": { "reason": "due_in", "days": 3 } },
                { "title": "Archive backlog", "due_on": "2026-11-20", "why": { "reason": "overdue", "days": 6 } }
            ],
            "reports": [{ "org": "省档案馆", "period": "2026-W48", "due_at": "2026-11-27T09:00:00Z" }],
            "url": "https://luodi.example/"
        });
        let (subject, text) = n.render("zh-CN", "digest", &body);
        assert!(subject.contains("2 项事项"), "{subject}");
        assert!(
            text.contains("整改台账第3项（截止 2026-12-01，还有 3 天到期）"),
            "{text}"
        );
        assert!(text.contains("已逾期 6 天"), "{text}");
        assert!(text.contains("省档案馆 2026-W48"), "{text}");
        assert!(text.ends_with("https://luodi.example/"), "{text}");
        let (subject, text) = n.render("en", "digest", &body);
        assert!(subject.contains("2 items"), "{subject}");
        assert!(text.contains("overdue by 6 days"), "{text}");
    }
}
