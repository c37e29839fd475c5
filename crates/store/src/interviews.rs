//! Accountability interviews and the items their commitments became.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Interview {
    pub id: i64,
    pub campaign_id: i64,
    pub bulletin_id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub status: String,
    pub kind: String,
    pub level: String,
    pub reasons_json: String,
    pub interviewer: String,
    pub interviewees: String,
    pub held_on: Option<NaiveDate>,
    pub minutes: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT v.id, v.campaign_id, v.bulletin_id, v.org_id, o.name AS org_name, v.org_path, v.status, v.kind, v.level, v.reasons_json, \
    v.interviewer, v.interviewees, v.held_on, v.minutes, v.version, v.created_at FROM interviews v JOIN orgs o ON o.id = v.org_id ";

/// Proposes an interview (once per bulletin and org).
pub async fn propose(
    c: Conn<'_>,
    campaign_id: i64,
    bulletin_id: i64,
    (org_id, org_path): (i64, &str),
    kind: &str,
    reasons_json: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO interviews (campaign_id, bulletin_id, org_id, org_path, status, kind, level, reasons_json, interviewer, interviewees, minutes, version, created_at) VALUES (")
            .values([
                Arg::from(campaign_id),
                Arg::from(bulletin_id),
                Arg::from(org_id),
                Arg::from(org_path),
                Arg::from("proposed"),
                Arg::from(kind),
                Arg::from("office"),
                Arg::from(reasons_json),
                Arg::from(""),
                Arg::from(""),
                Arg::from(""),
                Arg::from(1i64),
                Arg::from(now),
            ])
            .push(") ON CONFLICT (bulletin_id, org_id) DO NOTHING"),
    )
    .await?;
    Ok(())
}

/// The org's open proposal in a campaign (proposed, neither confirmed nor dismissed yet), if
/// any: an org has at most one, which later bulletins renew.
pub async fn open_proposal(
    c: Conn<'_>,
    campaign_id: i64,
    org_id: i64,
) -> StoreResult<Option<Interview>> {
    db::fetch_optional(
        c,
        Sql::new(SELECT)
            .push("WHERE v.campaign_id = ")
            .arg(campaign_id)
            .push(" AND v.org_id = ")
            .arg(org_id)
            .push(" AND v.status = 'proposed' ORDER BY v.id DESC LIMIT 1"),
    )
    .await
}

/// Points an open proposal at a later bulletin with that bulletin's kind and reasons, if it is
/// still proposed at version `expected`.
pub async fn renew_proposal(
    c: Conn<'_>,
    id: i64,
    bulletin_id: i64,
    kind: &str,
    reasons_json: &str,
    expected: i64,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE interviews SET bulletin_id = ")
            .arg(bulletin_id)
            .push(", kind = ")
            .arg(kind)
            .push(", reasons_json = ")
            .arg(reasons_json)
            .push(", version = version + 1 WHERE status = 'proposed' AND id = ")
            .arg(id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    Ok(n == 1)
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Interview>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE v.id = ").arg(id)).await
}

pub async fn list(c: Conn<'_>, scopes: &[String]) -> StoreResult<Vec<Interview>> {
    let mut s = Sql::new(SELECT);
    s.add("WHERE ");
    s.in_subtrees("v.org_path", scopes);
    s.add(" ORDER BY v.id DESC LIMIT 500");
    db::fetch_all(c, s).await
}

/// Writes the mutable fields if the version is `expected`.
pub async fn save(c: Conn<'_>, v: &Interview, expected: i64) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE interviews SET status = ")
            .arg(v.status.as_str())
            .push(", kind = ")
            .arg(v.kind.as_str())
            .push(", level = ")
            .arg(v.level.as_str())
            .push(", interviewer = ")
            .arg(v.interviewer.as_str())
            .push(", interviewees = ")
            .arg(v.interviewees.as_str())
            .push(", held_on = ")
            .arg(v.held_on)
            .push(", minutes = ")
            .arg(v.minutes.as_str())
            .push(", version = version + 1 WHERE id = ")
            .arg(v.id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    Ok(n == 1)
}

pub async fn add_commitment(c: Conn<'_>, interview_id: i64, item_id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO interview_commitments (interview_id, item_id) VALUES (")
            .values([Arg::from(interview_id), Arg::from(item_id)])
            .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn commitments(c: Conn<'_>, interview_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = db::fetch_all(
        c,
        Sql::new("SELECT item_id FROM interview_commitments WHERE interview_id = ")
            .arg(interview_id)
            .push(" ORDER BY item_id"),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How the commitments of one held interview stand: (interview, org, kind, date, counts).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CommitmentStatus {
    pub interview_id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub kind: String,
    pub held_on: Option<NaiveDate>,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
}

/// The commitments of interviews held in `scope_path`'s subtree on or after `since`, counted per
/// interview in one grouped query.
pub async fn commitment_status(
    c: Conn<'_>,
    scope_path: &str,
    since: NaiveDate,
) -> StoreResult<Vec<CommitmentStatus>> {
    let mut s = Sql::new(
        "SELECT v.id AS interview_id, v.org_id, v.org_path, o.name AS org_name, v.kind, v.held_on, COUNT(*) AS total, \
         SUM(CASE WHEN i.status IN ('closed', 'verified') THEN 1 ELSE 0 END) AS done, \
         SUM(CASE WHEN i.timeliness = 'overdue' THEN 1 ELSE 0 END) AS overdue \
         FROM interviews v JOIN interview_commitments k ON k.interview_id = v.id JOIN items i ON i.id = k.item_id \
         JOIN orgs o ON o.id = v.org_id WHERE v.status = 'held' AND v.held_on >= ",
    )
    .arg(since);
    s.add(" AND ");
    s.in_subtrees("v.org_path", &[scope_path.to_owned()]);
    s.add(
        " GROUP BY v.id, v.org_id, v.org_path, o.name, v.kind, v.held_on ORDER BY v.held_on, v.id",
    );
    db::fetch_all(c, s).await
}

/// Interviews held per org in `scope_path`'s subtree on or after `since`: (org path, count).
pub async fn held_since(
    c: Conn<'_>,
    scope_path: &str,
    since: NaiveDate,
) -> StoreResult<Vec<(String, i64)>> {
    let mut s = Sql::new(
        "SELECT v.org_path, COUNT(*) FROM interviews v WHERE v.status = 'held' AND v.held_on >= ",
    )
    .arg(since);
    s.add(" AND ");
    s.in_subtrees("v.org_path", &[scope_path.to_owned()]);
    s.add(" GROUP BY v.org_path");
    db::fetch_all(c, s).await
}

/// How many interviews of the scopes stand at `status`.
pub async fn count(c: Conn<'_>, scopes: &[String], status: &str) -> StoreResult<i64> {
    let mut s = Sql::new("SELECT COUNT(*) FROM interviews v WHERE ");
    s.in_subtrees("v.org_path", scopes);
    s.add(" AND v.status = ").bind(status);
    db::scalar_i64(c, s).await
}
