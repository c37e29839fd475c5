//! Work rules and situation reports. A period's reports are created for every bound org in one
//! statement, and creating them twice changes nothing.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use luodi_domain::org::subtree_range;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WorkRule {
    pub id: i64,
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub kind: String,
    pub name: String,
    pub cadence_json: String,
    pub scope_org_id: i64,
    pub scope_org_path: String,
    pub scope_org_name: String,
    pub target_kinds: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const RULE_SELECT: &str = "SELECT r.id, r.campaign_id, r.owner_org_id, r.kind, r.name, r.cadence_json, r.scope_org_id, o.path AS scope_org_path, \
    o.name AS scope_org_name, r.target_kinds, r.active, r.version, r.created_at FROM work_rules r JOIN orgs o ON o.id = r.scope_org_id ";

pub struct NewRule<'a> {
    pub campaign_id: i64,
    pub owner_org_id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub cadence_json: &'a str,
    pub scope_org_id: i64,
    pub target_kinds: &'a str,
}

pub async fn create_rule(c: Conn<'_>, r: &NewRule<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO work_rules (campaign_id, owner_org_id, kind, name, cadence_json, scope_org_id, target_kinds, active, version, created_at) VALUES (")
            .values([
                Arg::from(r.campaign_id),
                Arg::from(r.owner_org_id),
                Arg::from(r.kind),
                Arg::from(r.name),
                Arg::from(r.cadence_json),
                Arg::from(r.scope_org_id),
                Arg::from(r.target_kinds),
                Arg::from(true),
                Arg::from(1i64),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn rule(c: Conn<'_>, id: i64) -> StoreResult<Option<WorkRule>> {
    db::fetch_optional(c, Sql::new(RULE_SELECT).push("WHERE r.id = ").arg(id)).await
}

/// Rules whose scope lies in `scopes` or contains them (the rules an org is bound by or runs).
pub async fn rules(
    c: Conn<'_>,
    scopes: &[String],
    kind: Option<&str>,
) -> StoreResult<Vec<WorkRule>> {
    let mut s = Sql::new(RULE_SELECT);
    s.add("WHERE (");
    s.in_subtrees("o.path", scopes);
    for scope in scopes {
        s.add(" OR substr(")
            .bind(scope.as_str())
            .add(", 1, length(o.path)) = o.path");
    }
    s.add(")");
    if let Some(k) = kind {
        s.add(" AND r.kind = ").bind(k);
    }
    s.add(" ORDER BY r.id LIMIT 1000");
    db::fetch_all(c, s).await
}

pub async fn active_rules(c: Conn<'_>, kind: &str) -> StoreResult<Vec<WorkRule>> {
    db::fetch_all(
        c,
        Sql::new(RULE_SELECT)
            .push("WHERE r.active = ")
            .arg(true)
            .push(" AND r.kind = ")
            .arg(kind)
            .push(" ORDER BY r.id"),
    )
    .await
}

/// Creates the reports of one period for every org the rule binds (enabled orgs of the target
/// kinds in its scope); existing ones are left as they are. Returns how many were created.
pub async fn open_period(
    c: Conn<'_>,
    rule: &WorkRule,
    period_key: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let (lo, hi) = subtree_range(&rule.scope_org_path);
    let mut s = Sql::new(
        "INSERT INTO reports (rule_id, org_id, org_path, period_key, due_at, status, figures_json, done_text, problems_text, plan_text, review_comment, version, created_at) \
         SELECT ",
    );
    s.bind(rule.id)
        .add(", o.id, o.path, ")
        .bind(period_key)
        .add(", ")
        .bind(due_at)
        .add(", 'open', '{}', '', '', '', '', 1, ")
        .bind(now);
    s.add(" FROM orgs o WHERE o.path >= ")
        .bind(lo)
        .add(" AND o.path < ")
        .bind(hi)
        .add(" AND o.disabled = ")
        .bind(false);
    let kinds: Vec<&str> = rule
        .target_kinds
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    if !kinds.is_empty() {
        s.add(" AND o.kind IN (");
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(*k);
        }
        s.add(")");
    }
    s.add(" ON CONFLICT (rule_id, org_id, period_key) DO NOTHING");
    db::execute(c, s).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub rule_id: i64,
    pub rule_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub period_key: String,
    pub due_at: DateTime<Utc>,
    pub status: String,
    pub figures_json: String,
    pub done_text: String,
    pub problems_text: String,
    pub plan_text: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub review_comment: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const REPORT_SELECT: &str = "SELECT p.id, p.rule_id, r.name AS rule_name, p.org_id, o.name AS org_name, p.org_path, p.period_key, p.due_at, p.status, \
    p.figures_json, p.done_text, p.problems_text, p.plan_text, p.submitted_at, p.submitted_by, p.reviewed_at, p.reviewed_by, p.review_comment, \
    p.version, p.created_at FROM reports p JOIN work_rules r ON r.id = p.rule_id JOIN orgs o ON o.id = p.org_id ";

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Report>> {
    db::fetch_optional(c, Sql::new(REPORT_SELECT).push("WHERE p.id = ").arg(id)).await
}

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub scopes: Vec<String>,
    pub rule_id: Option<i64>,
    pub period_key: Option<String>,
    pub org_id: Option<i64>,
    pub statuses: Vec<String>,
    /// Only reports past their cut-off and never submitted.
    pub missing_at: Option<DateTime<Utc>>,
    /// Only this subtree (a path), within `scopes`.
    pub within: Option<String>,
    /// Only those first submitted by their cut-off (`on_time`) or after it (`late`).
    pub punctuality: Option<String>,
    /// Only those awaiting review, read through the partial index of the few that wait (its
    /// condition must be written out, not bound, for SQLite to use it).
    pub awaiting_review: bool,
    pub campaign_id: Option<i64>,
}

fn report_where(s: &mut Sql, f: &ReportFilter) {
    s.add("WHERE ");
    s.in_subtrees("p.org_path", &f.scopes);
    if let Some(v) = f.rule_id {
        s.add(" AND p.rule_id = ").bind(v);
    }
    if let Some(v) = &f.period_key {
        s.add(" AND p.period_key = ").bind(v.as_str());
    }
    if let Some(v) = f.org_id {
        s.add(" AND p.org_id = ").bind(v);
    }
    let awaiting_review = f.awaiting_review || f.statuses == ["submitted"];
    if awaiting_review {
        s.add(" AND p.status = 'submitted'");
    } else if !f.statuses.is_empty() {
        s.add(" AND p.status IN (");
        for (i, st) in f.statuses.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(st.as_str());
        }
        s.add(")");
    }
    if let Some(now) = f.missing_at {
        s.add(" AND p.submitted_at IS NULL AND p.due_at < ")
            .bind(now);
    }
    if let Some(w) = &f.within {
        s.add(" AND ");
        s.in_subtrees("p.org_path", std::slice::from_ref(w));
    }
    match f.punctuality.as_deref() {
        Some("on_time") => {
            s.add(" AND p.submitted_at IS NOT NULL AND p.submitted_at <= p.due_at");
        }
        Some("late") => {
            s.add(" AND p.submitted_at > p.due_at");
        }
        _ => {}
    }
    if let Some(cid) = f.campaign_id {
        s.add(" AND p.rule_id IN (SELECT id FROM work_rules WHERE campaign_id = ")
            .bind(cid)
            .add(")");
    }
}

pub async fn list(c: Conn<'_>, f: &ReportFilter, page: Page) -> StoreResult<Paged<Report>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM reports p ");
    report_where(&mut count, f);
    let mut s = Sql::new(REPORT_SELECT);
    report_where(&mut s, f);
    s.add(" ORDER BY p.due_at DESC, p.org_path");
    db::fetch_page(c, count, s, page).await
}

/// Writes a report's mutable fields if its version is `expected`; returns whether it did.
pub async fn save(mut c: Conn<'_>, r: &Report, expected: i64) -> StoreResult<bool> {
    let n = db::execute(
        c.re(),
        Sql::new("UPDATE reports SET status = ")
            .arg(r.status.as_str())
            .push(", figures_json = ")
            .arg(r.figures_json.as_str())
            .push(", done_text = ")
            .arg(r.done_text.as_str())
            .push(", problems_text = ")
            .arg(r.problems_text.as_str())
            .push(", plan_text = ")
            .arg(r.plan_text.as_str())
            .push(", submitted_at = ")
            .arg(r.submitted_at)
            .push(", submitted_by = ")
            .arg(r.submitted_by.as_deref())
            .push(", reviewed_at = ")
            .arg(r.reviewed_at)
            .push(", reviewed_by = ")
            .arg(r.reviewed_by.as_deref())
            .push(", review_comment = ")
            .arg(r.review_comment.as_str())
            .push(", version = version + 1 WHERE id = ")
            .arg(r.id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    if n == 1 {
        reindex(c, r.id).await?;
    }
    Ok(n == 1)
}

/// Counts of item events (close, send_back …) of a subtree in `[from, to)`, for pre-filling.
pub async fn event_counts(
    c: Conn<'_>,
    org_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<(String, i64)>> {
    let (lo, hi) = subtree_range(org_path);
    db::fetch_all(
        c,
        Sql::new("SELECT e.action, COUNT(*) FROM item_events e JOIN items i ON i.id = e.item_id WHERE i.lead_org_path >= ")
            .arg(lo)
            .push(" AND i.lead_org_path < ")
            .arg(hi)
            .push(" AND e.at >= ")
            .arg(from)
            .push(" AND e.at < ")
            .arg(to)
            .push(" GROUP BY e.action"),
    )
    .await
}

/// Indexes a situation report: its rule and period as the title, its three texts and its org
/// as the body.
pub async fn reindex(mut c: Conn<'_>, id: i64) -> StoreResult<()> {
    let Some(r) = get(c.re(), id).await? else {
        return Ok(());
    };
    let campaign: Option<(i64,)> = db::fetch_optional(
        c.re(),
        Sql::new("SELECT campaign_id FROM work_rules WHERE id = ").arg(r.rule_id),
    )
    .await?;
    // The org is shown beside every result; in the title it would outweigh the text.
    let title = format!("{} · {}", r.rule_name, r.period_key);
    crate::search::put(
        c,
        &crate::search::Doc {
            kind: "report",
            doc_id: id,
            campaign_id: campaign.map(|(c,)| c),
            org_id: r.org_id,
            org_path: &r.org_path,
            title: &title,
            body: &[&r.done_text, &r.problems_text, &r.plan_text, &r.org_name],
        },
        r.reviewed_at.or(r.submitted_at).unwrap_or(r.created_at),
    )
    .await
}

/// How many reports match `f`.
pub async fn count(c: Conn<'_>, f: &ReportFilter) -> StoreResult<i64> {
    let mut s = Sql::new("SELECT COUNT(*) FROM reports p ");
    report_where(&mut s, f);
    db::scalar_i64(c, s).await
}
