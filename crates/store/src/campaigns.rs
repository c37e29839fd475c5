//! Campaigns with their goals, phases and the org subtrees in scope.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{contains_pattern, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub owner_org_path: String,
    pub name: String,
    pub requirements: String,
    pub fundamental_task: String,
    pub time_zone: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Goal {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Phase {
    pub id: i64,
    pub position: i64,
    pub kind: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ScopeOrg {
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub path: String,
}

const SELECT: &str = "SELECT c.id, c.owner_org_id, o.name AS owner_org_name, o.path AS owner_org_path, c.name, \
    c.requirements, c.fundamental_task, c.time_zone, c.starts_on, c.ends_on, c.version, c.created_at, c.updated_at \
    FROM campaigns c JOIN orgs o ON o.id = c.owner_org_id ";

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Campaign>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE c.id = ").arg(id)).await
}

pub async fn goals(c: Conn<'_>, campaign_id: i64) -> StoreResult<Vec<Goal>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, title, description FROM goals WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" ORDER BY position"),
    )
    .await
}

pub async fn phases(c: Conn<'_>, campaign_id: i64) -> StoreResult<Vec<Phase>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT id, position, kind, name, starts_on, ends_on FROM phases WHERE campaign_id = ",
        )
        .arg(campaign_id)
        .push(" ORDER BY position"),
    )
    .await
}

pub async fn scope_orgs(c: Conn<'_>, campaign_id: i64) -> StoreResult<Vec<ScopeOrg>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT o.id AS org_id, o.code, o.name, o.path FROM campaign_scopes s JOIN orgs o ON o.id = s.org_id WHERE s.campaign_id = ",
        )
        .arg(campaign_id)
        .push(" ORDER BY o.path"),
    )
    .await
}

/// Campaigns visible from `scopes`: those owned inside a scope, and those whose scope covers or
/// reaches into it (the campaigns an org is subject to).
fn visible_where(s: &mut Sql, scopes: &[String], q: Option<&str>) {
    s.add("WHERE (");
    s.in_subtrees("o.path", scopes);
    for scope in scopes {
        // A campaign scope org that is an ancestor of (or equal to) the reader's scope…
        s.add(" OR EXISTS (SELECT 1 FROM campaign_scopes cs JOIN orgs so ON so.id = cs.org_id WHERE cs.campaign_id = c.id AND substr(")
            .bind(scope.as_str())
            .add(", 1, length(so.path)) = so.path)");
    }
    s.add(" OR EXISTS (SELECT 1 FROM campaign_scopes cs JOIN orgs so ON so.id = cs.org_id WHERE cs.campaign_id = c.id AND ");
    // …or lies inside it.
    s.in_subtrees("so.path", scopes);
    s.add("))");
    if let Some(q) = q.filter(|q| !q.trim().is_empty()) {
        s.add(" AND LOWER(c.name) LIKE ")
            .bind(contains_pattern(q))
            .add(" ESCAPE '\\'");
    }
}

pub async fn list(
    c: Conn<'_>,
    scopes: &[String],
    q: Option<&str>,
    page: Page,
) -> StoreResult<Paged<Campaign>> {
    let mut count =
        Sql::new("SELECT COUNT(*) FROM campaigns c JOIN orgs o ON o.id = c.owner_org_id ");
    visible_where(&mut count, scopes, q);
    let mut s = Sql::new(SELECT);
    visible_where(&mut s, scopes, q);
    s.add(" ORDER BY c.starts_on DESC, c.id DESC");
    db::fetch_page(c, count, s, page).await
}

/// Whether campaign `id` is visible from `scopes`.
pub async fn is_visible(c: Conn<'_>, id: i64, scopes: &[String]) -> StoreResult<bool> {
    let mut s = Sql::new("SELECT COUNT(*) FROM campaigns c JOIN orgs o ON o.id = c.owner_org_id ");
    visible_where(&mut s, scopes, None);
    s.add(" AND c.id = ").bind(id);
    Ok(db::scalar_i64(c, s).await? > 0)
}

pub struct CampaignFields<'a> {
    pub owner_org_id: i64,
    pub name: &'a str,
    pub requirements: &'a str,
    pub fundamental_task: &'a str,
    pub time_zone: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

pub async fn create(c: Conn<'_>, f: &CampaignFields<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO campaigns (owner_org_id, name, requirements, fundamental_task, time_zone, starts_on, ends_on, version, created_at, updated_at) VALUES (")
            .arg(f.owner_org_id)
            .push(", ")
            .arg(f.name)
            .push(", ")
            .arg(f.requirements)
            .push(", ")
            .arg(f.fundamental_task)
            .push(", ")
            .arg(f.time_zone)
            .push(", ")
            .arg(f.starts_on)
            .push(", ")
            .arg(f.ends_on)
            .push(", 1, ")
            .arg(now)
            .push(", ")
            .arg(now)
            .push(") RETURNING id"),
    )
    .await
}

/// Updates the campaign's own fields if its version is `expected_version`.
pub async fn update(
    c: Conn<'_>,
    id: i64,
    f: &CampaignFields<'_>,
    expected_version: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE campaigns SET name = ")
            .arg(f.name)
            .push(", requirements = ")
            .arg(f.requirements)
            .push(", fundamental_task = ")
            .arg(f.fundamental_task)
            .push(", time_zone = ")
            .arg(f.time_zone)
            .push(", starts_on = ")
            .arg(f.starts_on)
            .push(", ends_on = ")
            .arg(f.ends_on)
            .push(", version = version + 1, updated_at = ")
            .arg(now)
            .push(" WHERE id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected_version),
    )
    .await?;
    Ok(n == 1)
}

/// Replaces goals, phases and scope orgs of a campaign.
pub async fn replace_parts(
    mut c: Conn<'_>,
    id: i64,
    goals: &[(String, String)],
    phases: &[luodi_domain::campaign::PhaseInput],
    scope_org_ids: &[i64],
) -> StoreResult<()> {
    for table in ["goals", "phases", "campaign_scopes"] {
        let sql = match table {
            "goals" => Sql::new("DELETE FROM goals WHERE campaign_id = "),
            "phases" => Sql::new("DELETE FROM phases WHERE campaign_id = "),
            _ => Sql::new("DELETE FROM campaign_scopes WHERE campaign_id = "),
        };
        db::execute(c.re(), sql.arg(id)).await?;
    }
    for (i, (title, description)) in goals.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO goals (campaign_id, position, title, description) VALUES (")
                .arg(id)
                .push(", ")
                .arg(i as i64)
                .push(", ")
                .arg(title.as_str())
                .push(", ")
                .arg(description.as_str())
                .push(")"),
        )
        .await?;
    }
    for (i, p) in phases.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO phases (campaign_id, position, kind, name, starts_on, ends_on) VALUES (")
                .arg(id)
                .push(", ")
                .arg(i as i64)
                .push(", ")
                .arg(p.kind.as_str())
                .push(", ")
                .arg(p.name.as_str())
                .push(", ")
                .arg(p.starts_on)
                .push(", ")
                .arg(p.ends_on)
                .push(")"),
        )
        .await?;
    }
    for org in scope_org_ids {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO campaign_scopes (campaign_id, org_id) VALUES (")
                .arg(id)
                .push(", ")
                .arg(*org)
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

/// A campaign's rules for lights, re-checks and progress.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CampaignRules {
    pub id: i64,
    pub time_zone: String,
    pub due_soon_days: i64,
    pub lagging_numerator: i64,
    pub lagging_denominator: i64,
    pub little_progress_percent: i64,
    pub recheck_after_days: i64,
    pub progress_rule: String,
    /// Days before a deadline on which reminders go out, e.g. "3,1".
    pub reminder_offsets: String,
}

pub async fn rules(c: Conn<'_>, id: i64) -> StoreResult<Option<CampaignRules>> {
    db::fetch_optional(
        c,
        Sql::new(
            "SELECT id, time_zone, due_soon_days, lagging_numerator, lagging_denominator, little_progress_percent, recheck_after_days, progress_rule, reminder_offsets \
             FROM campaigns WHERE id = ",
        )
        .arg(id),
    )
    .await
}

/// Sets a campaign's rules, and marks its items to be re-derived under them (lights and
/// timeliness follow the rules) at the next read.
pub async fn set_rules(mut c: Conn<'_>, r: &CampaignRules, now: DateTime<Utc>) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("UPDATE campaigns SET due_soon_days = ")
            .arg(r.due_soon_days)
            .push(", lagging_numerator = ")
            .arg(r.lagging_numerator)
            .push(", lagging_denominator = ")
            .arg(r.lagging_denominator)
            .push(", little_progress_percent = ")
            .arg(r.little_progress_percent)
            .push(", recheck_after_days = ")
            .arg(r.recheck_after_days)
            .push(", progress_rule = ")
            .arg(r.progress_rule.as_str())
            .push(", reminder_offsets = ")
            .arg(r.reminder_offsets.as_str())
            .push(" WHERE id = ")
            .arg(r.id),
    )
    .await?;
    db::execute(
        c,
        Sql::new("UPDATE items SET bucket_changes_at = ")
            .arg(now)
            .push(" WHERE campaign_id = ")
            .arg(r.id),
    )
    .await?;
    Ok(())
}

/// The metrics a campaign has switched off.
pub async fn hidden_metrics(c: Conn<'_>, campaign_id: i64) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = db::fetch_all(
        c,
        Sql::new("SELECT metric FROM hidden_metrics WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" ORDER BY metric"),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Replaces the metrics a campaign has switched off.
pub async fn set_hidden_metrics(
    mut c: Conn<'_>,
    campaign_id: i64,
    metrics: &[String],
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM hidden_metrics WHERE campaign_id = ").arg(campaign_id),
    )
    .await?;
    for m in metrics {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO hidden_metrics (campaign_id, metric) VALUES (")
                .values([
                    crate::sql::Arg::from(campaign_id),
                    crate::sql::Arg::from(m.as_str()),
                ])
                .push(")"),
        )
        .await?;
    }
    Ok(())
}
