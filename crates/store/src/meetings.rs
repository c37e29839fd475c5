//! The leading group's meetings (会议) and the items their commitments became.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    /// leading_group, office or other
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub chair: String,
    pub attendees: String,
    pub minutes: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT m.id, m.campaign_id, m.org_id, o.name AS org_name, m.org_path, m.kind, m.title, m.held_on, m.place, \
    m.chair, m.attendees, m.minutes, m.created_by, m.created_at FROM meetings m JOIN orgs o ON o.id = m.org_id ";

pub struct NewMeeting<'a> {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub held_on: NaiveDate,
    pub place: &'a str,
    pub chair: &'a str,
    pub attendees: &'a str,
    pub minutes: &'a str,
    pub created_by: &'a str,
}

pub async fn create(mut c: Conn<'_>, n: &NewMeeting<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
    let id = db::scalar_i64(
        c.re(),
        Sql::new("INSERT INTO meetings (campaign_id, org_id, org_path, kind, title, held_on, place, chair, attendees, minutes, created_by, created_at) VALUES (")
            .values([
                Arg::from(n.campaign_id),
                Arg::from(n.org_id),
                Arg::from(n.org_path),
                Arg::from(n.kind),
                Arg::from(n.title),
                Arg::from(n.held_on),
                Arg::from(n.place),
                Arg::from(n.chair),
                Arg::from(n.attendees),
                Arg::from(n.minutes),
                Arg::from(n.created_by),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await?;
    reindex(c, id).await?;
    Ok(id)
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Meeting>> {
    db::fetch_optional(c, Sql::new(SELECT).push("WHERE m.id = ").arg(id)).await
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub scopes: Vec<String>,
    pub org_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

fn filter_where(s: &mut Sql, f: &MeetingFilter) {
    s.add("WHERE ");
    s.in_subtrees("m.org_path", &f.scopes);
    if let Some(o) = f.org_id {
        s.add(" AND m.org_id = ").bind(o);
    }
    if let Some(cid) = f.campaign_id {
        s.add(" AND m.campaign_id = ").bind(cid);
    }
}

/// Meetings, latest first.
pub async fn list(c: Conn<'_>, f: &MeetingFilter, page: Page) -> StoreResult<Paged<Meeting>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM meetings m ");
    filter_where(&mut count, f);
    let mut s = Sql::new(SELECT);
    filter_where(&mut s, f);
    s.add(" ORDER BY m.held_on DESC, m.id DESC");
    db::fetch_page(c, count, s, page).await
}

pub async fn add_commitment(c: Conn<'_>, meeting_id: i64, item_id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO meeting_commitments (meeting_id, item_id) VALUES (")
            .values([Arg::from(meeting_id), Arg::from(item_id)])
            .push(")"),
    )
    .await?;
    Ok(())
}

/// Ids of the items a meeting's commitments became.
pub async fn commitments(c: Conn<'_>, meeting_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = db::fetch_all(
        c,
        Sql::new("SELECT item_id FROM meeting_commitments WHERE meeting_id = ")
            .arg(meeting_id)
            .push(" ORDER BY item_id"),
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Commitments made at the org's meetings of the campaign held before `before` (or on that day
/// but recorded earlier), with the meeting each came from: what the next meeting reviews.
pub async fn earlier_commitments(
    c: Conn<'_>,
    org_id: i64,
    campaign_id: i64,
    before: NaiveDate,
    except_meeting: Option<i64>,
) -> StoreResult<Vec<(i64, i64)>> {
    let mut s = Sql::new(
        "SELECT mc.meeting_id, mc.item_id FROM meeting_commitments mc JOIN meetings m ON m.id = mc.meeting_id WHERE m.org_id = ",
    )
    .arg(org_id)
    .push(" AND m.campaign_id = ")
    .arg(campaign_id)
    .push(" AND m.held_on <= ")
    .arg(before);
    if let Some(id) = except_meeting {
        s.add(" AND m.id < ").bind(id);
    }
    s.add(" ORDER BY m.held_on, mc.item_id");
    db::fetch_all(c, s).await
}

/// The meeting an item was committed at, if any, as (id, title, org path), for the item's page.
pub async fn of_item(c: Conn<'_>, item_id: i64) -> StoreResult<Option<(i64, String, String)>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT m.id, m.title, m.org_path FROM meeting_commitments mc JOIN meetings m ON m.id = mc.meeting_id WHERE mc.item_id = ")
            .arg(item_id),
    )
    .await
}

/// Indexes a leading-group meeting: its title, minutes and attendees.
pub async fn reindex(mut c: Conn<'_>, id: i64) -> StoreResult<()> {
    let Some(m) = get(c.re(), id).await? else {
        return Ok(());
    };
    crate::search::put(
        c,
        &crate::search::Doc {
            kind: "meeting",
            doc_id: id,
            campaign_id: Some(m.campaign_id),
            org_id: m.org_id,
            org_path: &m.org_path,
            title: &m.title,
            body: &[&m.minutes, &m.attendees, &m.chair, &m.place],
        },
        m.created_at,
    )
    .await
}
