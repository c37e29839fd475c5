//! Scoring rules and bulletin snapshots in storage. A bulletin's rows are written once per
//! computation while it is a draft; a published bulletin is never written again.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ScoringRow {
    pub version: i64,
    pub rules_json: String,
}

pub async fn latest_scoring(c: Conn<'_>, campaign_id: i64) -> StoreResult<Option<ScoringRow>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT version, rules_json FROM scoring_rules WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" ORDER BY version DESC LIMIT 1"),
    )
    .await
}

pub async fn add_scoring(
    c: Conn<'_>,
    campaign_id: i64,
    version: i64,
    rules_json: &str,
    by: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO scoring_rules (campaign_id, version, rules_json, created_by, created_at) VALUES (")
            .values([Arg::from(campaign_id), Arg::from(version), Arg::from(rules_json), Arg::from(by), Arg::from(now)])
            .push(")"),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Bulletin {
    pub id: i64,
    pub campaign_id: i64,
    pub scope_org_id: i64,
    pub scope_org_path: String,
    pub period_key: String,
    pub issue_no: i64,
    pub status: String,
    pub computed_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    pub note: String,
    pub rules_version: i64,
    pub rules_json: String,
    pub totals_json: String,
    /// The audit chain's head when it was published (`SEQ:MAC`).
    pub audit_head: Option<String>,
    /// Computed before its week was closed: not to be published.
    pub provisional: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BulletinRow {
    pub position: i64,
    pub org_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub figures_json: String,
    pub score_tenths: i64,
    pub rank: i64,
    pub interview_json: String,
}

const SELECT: &str = "SELECT id, campaign_id, scope_org_id, scope_org_path, period_key, issue_no, status, computed_at, published_at, published_by, note, \
    rules_version, rules_json, totals_json, audit_head, provisional FROM bulletins ";

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Bulletin>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE id = ").arg(id)).await
}

pub async fn find(
    c: Conn<'_>,
    campaign_id: i64,
    scope_org_id: i64,
    period_key: &str,
) -> StoreResult<Option<Bulletin>> {
    db::fetch_optional(
        c,
        Sql::new(SELECT)
            .push("WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND scope_org_id = ")
            .arg(scope_org_id)
            .push(" AND period_key = ")
            .arg(period_key),
    )
    .await
}

/// Bulletins whose scope lies in `scopes` or contains them; drafts only where `drafts_in` covers.
pub async fn list(c: Conn<'_>, scopes: &[String], limit: i64) -> StoreResult<Vec<Bulletin>> {
    let mut s = Sql::new(SELECT);
    s.add("WHERE (");
    s.in_subtrees("scope_org_path", scopes);
    for scope in scopes {
        s.add(" OR substr(")
            .bind(scope.as_str())
            .add(", 1, length(scope_org_path)) = scope_org_path");
    }
    s.add(") ORDER BY period_key DESC, id DESC LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

pub async fn next_issue_no(c: Conn<'_>, campaign_id: i64, scope_org_id: i64) -> StoreResult<i64> {
    let n = db::scalar_i64(
        c,
        Sql::new(
            "SELECT CAST(COALESCE(MAX(issue_no), 0) AS BIGINT) FROM bulletins WHERE campaign_id = ",
        )
        .arg(campaign_id)
        .push(" AND scope_org_id = ")
        .arg(scope_org_id),
    )
    .await?;
    Ok(n + 1)
}

pub struct NewBulletin<'a> {
    pub campaign_id: i64,
    pub scope_org_id: i64,
    pub scope_org_path: &'a str,
    pub period_key: &'a str,
    pub issue_no: i64,
    pub rules_version: i64,
    pub rules_json: &'a str,
    pub totals_json: &'a str,
    pub provisional: bool,
}

pub async fn create(c: Conn<'_>, b: &NewBulletin<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO bulletins (campaign_id, scope_org_id, scope_org_path, period_key, issue_no, status, computed_at, note, rules_version, rules_json, totals_json, provisional) VALUES (")
            .values([
                Arg::from(b.campaign_id),
                Arg::from(b.scope_org_id),
                Arg::from(b.scope_org_path),
                Arg::from(b.period_key),
                Arg::from(b.issue_no),
                Arg::from("draft"),
                Arg::from(now),
                Arg::from(""),
                Arg::from(b.rules_version),
                Arg::from(b.rules_json),
                Arg::from(b.totals_json),
                Arg::from(b.provisional),
            ])
            .push(") RETURNING id"),
    )
    .await
}

/// What a computation writes into a draft.
pub struct Computed<'a> {
    pub rules_version: i64,
    pub rules_json: &'a str,
    pub totals_json: &'a str,
    /// Computed before the week was closed.
    pub provisional: bool,
    pub rows: &'a [BulletinRow],
}

/// Replaces a draft's computed content. Returns false if it is no longer a draft.
pub async fn recompute(
    mut c: Conn<'_>,
    id: i64,
    k: &Computed<'_>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let rows = k.rows;
    let n = db::execute(
        c.re(),
        Sql::new("UPDATE bulletins SET computed_at = ")
            .arg(now)
            .push(", rules_version = ")
            .arg(k.rules_version)
            .push(", rules_json = ")
            .arg(k.rules_json)
            .push(", totals_json = ")
            .arg(k.totals_json)
            .push(", provisional = ")
            .arg(k.provisional)
            .push(" WHERE status = 'draft' AND id = ")
            .arg(id),
    )
    .await?;
    if n != 1 {
        return Ok(false);
    }
    db::execute(
        c.re(),
        Sql::new("DELETE FROM bulletin_rows WHERE bulletin_id = ").arg(id),
    )
    .await?;
    for chunk in rows.chunks(200) {
        let mut s = Sql::new("INSERT INTO bulletin_rows (bulletin_id, position, org_id, org_code, org_name, figures_json, score_tenths, rank, interview_json) VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.add("(");
            s = s.values([
                Arg::from(id),
                Arg::from(r.position),
                Arg::from(r.org_id),
                Arg::from(r.org_code.as_str()),
                Arg::from(r.org_name.as_str()),
                Arg::from(r.figures_json.as_str()),
                Arg::from(r.score_tenths),
                Arg::from(r.rank),
                Arg::from(r.interview_json.as_str()),
            ]);
            s.add(")");
        }
        db::execute(c.re(), s).await?;
    }
    Ok(true)
}

pub async fn rows(c: Conn<'_>, id: i64) -> StoreResult<Vec<BulletinRow>> {
    db::fetch_all(
        c,
        Sql::new("SELECT position, org_id, org_code, org_name, figures_json, score_tenths, rank, interview_json FROM bulletin_rows WHERE bulletin_id = ")
            .arg(id)
            .push(" ORDER BY position"),
    )
    .await
}

/// Publishes a draft with a note. Returns false if it was not a draft.
pub async fn publish(
    c: Conn<'_>,
    id: i64,
    note: &str,
    by: &str,
    now: DateTime<Utc>,
    audit_head: Option<&str>,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE bulletins SET status = 'published', note = ")
            .arg(note)
            .push(", audit_head = ")
            .arg(audit_head)
            .push(", published_by = ")
            .arg(by)
            .push(", published_at = ")
            .arg(now)
            .push(" WHERE status = 'draft' AND id = ")
            .arg(id),
    )
    .await?;
    Ok(n == 1)
}

/// How the reports of each child's subtree stand, for the reports with cut-offs in
/// `[window_from, to)` (the interview window) and, within it, `[week_from, to)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportTally {
    pub org_id: i64,
    /// In the window: due, and submitted by the cut-off.
    pub window_due: i64,
    pub window_on_time: i64,
    /// In the week: due, submitted by the cut-off, submitted after it.
    pub week_due: i64,
    pub week_on_time: i64,
    pub week_late: i64,
}

/// [`ReportTally`] for every child of `scope_id`, counted in the database: one range scan of
/// the `(org_path, due_at, submitted_at)` index per child, grouped there, so the province's
/// bulletin reads ~10^5 reports a week without carrying them to the application.
pub async fn report_tallies(
    c: Conn<'_>,
    scope_id: i64,
    window_from: DateTime<Utc>,
    week_from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<ReportTally>> {
    // A report is on time when first submitted by its cut-off (see domain::bulletin::report_state).
    db::fetch_all(
        c,
        Sql::new(
            "SELECT k.id AS org_id, COUNT(*) AS window_due, \
             SUM(CASE WHEN r.submitted_at <= r.due_at THEN 1 ELSE 0 END) AS window_on_time, \
             SUM(CASE WHEN r.due_at >= ",
        )
        .arg(week_from)
        .push(" THEN 1 ELSE 0 END) AS week_due, SUM(CASE WHEN r.due_at >= ")
        .arg(week_from)
        .push(" AND r.submitted_at <= r.due_at THEN 1 ELSE 0 END) AS week_on_time, SUM(CASE WHEN r.due_at >= ")
        .arg(week_from)
        .push(
            " AND r.submitted_at > r.due_at THEN 1 ELSE 0 END) AS week_late \
             FROM orgs k JOIN reports r ON r.org_path >= k.path \
             AND r.org_path < substr(k.path, 1, length(k.path) - 1) || '0' \
             WHERE k.parent_id = ",
        )
        .arg(scope_id)
        .push(" AND r.due_at >= ")
        .arg(window_from)
        .push(" AND r.due_at < ")
        .arg(to)
        .push(" GROUP BY k.id"),
    )
    .await
}

/// Item events of a subtree in `[from, to)` that the bulletin counts (sent back, extension
/// approved), grouped by the item's unit path and action.
pub async fn events_by_path(
    c: Conn<'_>,
    scope_path: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<(String, String, i64)>> {
    let (lo, hi) = luodi_domain::org::subtree_range(scope_path);
    db::fetch_all(
        c,
        Sql::new("SELECT i.lead_org_path, e.action, COUNT(*) FROM item_events e JOIN items i ON i.id = e.item_id WHERE e.action IN ('send_back', 'approve_extension') AND i.lead_org_path >= ")
            .arg(lo)
            .push(" AND i.lead_org_path < ")
            .arg(hi)
            .push(" AND e.at >= ")
            .arg(from)
            .push(" AND e.at < ")
            .arg(to)
            .push(" GROUP BY i.lead_org_path, e.action"),
    )
    .await
}
