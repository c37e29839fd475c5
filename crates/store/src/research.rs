//! Research topics (调研课题) with their visits and findings; a finding links to the
//! rectification item its problem became.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Topic {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    /// The weakness (短板弱项) it looks into.
    pub weakness: String,
    pub lead: String,
    pub members: String,
    /// ongoing or reported
    pub status: String,
    pub report: String,
    pub reported_on: Option<NaiveDate>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT t.id, t.campaign_id, t.org_id, o.name AS org_name, t.org_path, t.title, t.weakness, t.lead, t.members, \
    t.status, t.report, t.reported_on, t.version, t.created_by, t.created_at, t.updated_at FROM research_topics t JOIN orgs o ON o.id = t.org_id ";

pub struct NewTopic<'a> {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
    pub title: &'a str,
    pub weakness: &'a str,
    pub lead: &'a str,
    pub members: &'a str,
    pub created_by: &'a str,
}

pub async fn create(mut c: Conn<'_>, n: &NewTopic<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new("INSERT INTO research_topics (campaign_id, org_id, org_path, title, weakness, lead, members, status, report, version, created_by, created_at, updated_at) VALUES (")
            .values([
                Arg::from(n.campaign_id),
                Arg::from(n.org_id),
                Arg::from(n.org_path),
                Arg::from(n.title),
                Arg::from(n.weakness),
                Arg::from(n.lead),
                Arg::from(n.members),
                Arg::from("ongoing"),
                Arg::from(""),
                Arg::from(1i64),
                Arg::from(n.created_by),
                Arg::from(now),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await?;
    reindex(c, id).await?;
    Ok(id)
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Topic>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE t.id = ").arg(id)).await
}

/// Writes the report (and so the status) if the version is `expected`; returns whether it did.
pub async fn save_report(
    mut c: Conn<'_>,
    t: &Topic,
    expected: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = db::execute(
        c.re(),
        Sql::new("UPDATE research_topics SET status = ")
            .arg(t.status.as_str())
            .push(", report = ")
            .arg(t.report.as_str())
            .push(", reported_on = ")
            .arg(t.reported_on)
            .push(", updated_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(t.id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    if n == 1 {
        reindex(c, t.id).await?;
    }
    Ok(n == 1)
}

#[derive(Debug, Clone, Default)]
pub struct TopicFilter {
    pub scopes: Vec<String>,
    pub campaign_id: Option<i64>,
    pub status: Option<String>,
}

fn filter_where(s: &mut Sql, f: &TopicFilter) {
    s.add("WHERE ");
    s.in_subtrees("t.org_path", &f.scopes);
    if let Some(cid) = f.campaign_id {
        s.add(" AND t.campaign_id = ").bind(cid);
    }
    if let Some(st) = &f.status {
        s.add(" AND t.status = ").bind(st.as_str());
    }
}

pub async fn list(c: Conn<'_>, f: &TopicFilter, page: Page) -> StoreResult<Paged<Topic>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM research_topics t ");
    filter_where(&mut count, f);
    let mut s = Sql::new(SELECT);
    filter_where(&mut s, f);
    s.add(" ORDER BY t.created_at DESC, t.id DESC");
    db::fetch_page(c, count, s, page).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Visit {
    pub id: i64,
    pub topic_id: i64,
    pub visited_on: NaiveDate,
    pub place: String,
    pub notes: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

pub async fn add_visit(c: Conn<'_>, v: &Visit) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO research_visits (topic_id, visited_on, place, notes, recorded_by, recorded_at) VALUES (")
            .values([
                Arg::from(v.topic_id),
                Arg::from(v.visited_on),
                Arg::from(v.place.as_str()),
                Arg::from(v.notes.as_str()),
                Arg::from(v.recorded_by.as_str()),
                Arg::from(v.recorded_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn visits(c: Conn<'_>, topic_id: i64) -> StoreResult<Vec<Visit>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, topic_id, visited_on, place, notes, recorded_by, recorded_at FROM research_visits WHERE topic_id = ")
            .arg(topic_id)
            .push(" ORDER BY visited_on, id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Finding {
    pub id: i64,
    pub topic_id: i64,
    pub text: String,
    pub item_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

const FINDING: &str =
    "SELECT id, topic_id, text, item_id, recorded_by, recorded_at FROM research_findings ";

pub async fn add_finding(mut c: Conn<'_>, f: &Finding) -> StoreResult<i64> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new("INSERT INTO research_findings (topic_id, text, item_id, recorded_by, recorded_at) VALUES (")
            .values([
                Arg::from(f.topic_id),
                Arg::from(f.text.as_str()),
                Arg::from(f.item_id),
                Arg::from(f.recorded_by.as_str()),
                Arg::from(f.recorded_at),
            ])
            .push(") RETURNING id"),
    )
    .await?;
    reindex(c, f.topic_id).await?;
    Ok(id)
}

pub async fn findings(c: Conn<'_>, topic_id: i64) -> StoreResult<Vec<Finding>> {
    db::fetch_all(
        c,
        Sql::new(FINDING)
            .push("WHERE topic_id = ")
            .arg(topic_id)
            .push(" ORDER BY id"),
    )
    .await
}

pub async fn finding(c: Conn<'_>, id: i64) -> StoreResult<Option<Finding>> {
    db::fetch_optional(c, Sql::new(FINDING).push("WHERE id = ").arg(id)).await
}

/// Links a finding to the item its problem became, unless it already has one; returns whether
/// it did.
pub async fn link_item(c: Conn<'_>, finding_id: i64, item_id: i64) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE research_findings SET item_id = ")
            .arg(item_id)
            .push(" WHERE id = ")
            .arg(finding_id)
            .push(" AND item_id IS NULL"),
    )
    .await?;
    Ok(n == 1)
}

/// The finding (with its topic) an item's problem came from, if any (for the item's page).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Origin {
    pub finding_id: i64,
    pub topic_id: i64,
    pub topic_title: String,
    pub topic_org_path: String,
}

pub async fn origin_of_item(c: Conn<'_>, item_id: i64) -> StoreResult<Option<Origin>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT f.id AS finding_id, t.id AS topic_id, t.title AS topic_title, t.org_path AS topic_org_path \
                  FROM research_findings f JOIN research_topics t ON t.id = f.topic_id WHERE f.item_id = ")
            .arg(item_id),
    )
    .await
}

/// Indexes a research topic: its title, the weakness it looks into, its findings and report.
pub async fn reindex(mut c: Conn<'_>, id: i64) -> StoreResult<()> {
    let Some(t) = get(c.re(), id).await? else {
        return Ok(());
    };
    let findings = findings(c.re(), id).await?;
    let mut body: Vec<&str> = vec![t.weakness.as_str()];
    body.extend(findings.iter().map(|f| f.text.as_str()));
    body.push(&t.report);
    body.push(&t.lead);
    body.push(&t.members);
    crate::search::put(
        c,
        &crate::search::Doc {
            kind: "research",
            doc_id: id,
            campaign_id: Some(t.campaign_id),
            org_id: t.org_id,
            org_path: &t.org_path,
            title: &t.title,
            body: &body,
        },
        t.updated_at,
    )
    .await
}
