//! The delivery queue of reminders: one row per notice and channel. Enqueueing the same
//! `dedupe_key` twice does nothing, which is how a person gets at most one digest a day.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub channel: String,
    pub user_id: Option<i64>,
    pub org_id: Option<i64>,
    pub address: String,
    pub subject: String,
    pub body: String,
    pub dedupe_key: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

const COLS: &str = "id, channel, user_id, org_id, address, subject, body, dedupe_key, status, attempts, next_attempt_at, last_error, read_at, created_at, sent_at";

pub struct NewDelivery<'a> {
    pub channel: &'a str,
    pub user_id: Option<i64>,
    /// The org the notice concerns: the recipient's, or the robot's.
    pub org_id: Option<i64>,
    pub address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub dedupe_key: &'a str,
    /// The item the notice is about, if any.
    pub item_id: Option<i64>,
}

/// Queues a delivery unless one with the same key exists; returns whether it was queued.
pub async fn enqueue(c: Conn<'_>, d: &NewDelivery<'_>, now: DateTime<Utc>) -> StoreResult<bool> {
    // The in-app inbox is delivered on arrival.
    let status = if d.channel == "inbox" {
        "sent"
    } else {
        "queued"
    };
    let n = db::execute(
        c,
        Sql::new("INSERT INTO deliveries (channel, user_id, org_id, address, subject, body, dedupe_key, status, attempts, next_attempt_at, last_error, created_at, sent_at, item_id) VALUES (")
            .values([
                Arg::from(d.channel),
                Arg::from(d.user_id),
                Arg::from(d.org_id),
                Arg::from(d.address),
                Arg::from(d.subject),
                Arg::from(d.body),
                Arg::from(d.dedupe_key),
                Arg::from(status),
                Arg::from(0i64),
                Arg::from(now),
                Arg::from(""),
                Arg::from(now),
                Arg::from((status == "sent").then_some(now)),
                Arg::from(d.item_id),
            ])
            .push(") ON CONFLICT (dedupe_key) DO NOTHING"),
    )
    .await?;
    Ok(n == 1)
}

/// A person's inbox, newest first.
pub async fn inbox(c: Conn<'_>, user_id: i64, limit: i64) -> StoreResult<Vec<Delivery>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(" FROM deliveries WHERE channel = 'inbox' AND user_id = ")
        .bind(user_id)
        .add(" ORDER BY id DESC LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

pub async fn mark_read(c: Conn<'_>, user_id: i64, id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE deliveries SET read_at = ")
            .arg(now)
            .push(" WHERE read_at IS NULL AND channel = 'inbox' AND user_id = ")
            .arg(user_id)
            .push(" AND id = ")
            .arg(id),
    )
    .await
}

pub async fn mark_all_read(c: Conn<'_>, user_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("UPDATE deliveries SET read_at = ")
            .arg(now)
            .push(" WHERE read_at IS NULL AND channel = 'inbox' AND user_id = ")
            .arg(user_id),
    )
    .await
}

/// Deliveries due for an attempt on outside channels.
pub async fn due(c: Conn<'_>, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Delivery>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(" FROM deliveries WHERE status = 'queued' AND next_attempt_at <= ")
        .bind(now)
        .add(" ORDER BY id LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

/// Records an attempt's outcome: sent, or failed with the reason and the next attempt (or given
/// up, `status` = failed, after too many).
pub async fn record_attempt(
    c: Conn<'_>,
    id: i64,
    status: &str,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("UPDATE deliveries SET status = ")
            .arg(status)
            .push(", attempts = attempts + 1, last_error = ")
            .arg(error)
            .push(", next_attempt_at = ")
            .arg(next_attempt_at)
            .push(", sent_at = ")
            .arg((status == "sent").then_some(now))
            .push(" WHERE id = ")
            .arg(id),
    )
    .await?;
    Ok(())
}

/// Puts a failed delivery back in the queue for an attempt now.
pub async fn retry(c: Conn<'_>, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE deliveries SET status = 'queued', next_attempt_at = ")
            .arg(now)
            .push(" WHERE status = 'failed' AND id = ")
            .arg(id),
    )
    .await?;
    Ok(n == 1)
}

/// A delivery with the names of its recipient and org, for the record of what went out.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeliveryRecord {
    pub id: i64,
    pub channel: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub org_path: Option<String>,
    pub address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Orgs whose deliveries may be seen (subtree roots).
    pub scopes: Vec<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    /// Also those to people in no org (accounts of the whole installation).
    pub include_orgless: bool,
}

fn delivery_where(s: &mut Sql, f: &DeliveryFilter) {
    s.add(" WHERE d.channel <> 'inbox' AND (");
    s.in_subtrees("o.path", &f.scopes);
    if f.include_orgless {
        s.add(" OR d.org_id IS NULL");
    }
    s.add(")");
    if let Some(st) = &f.status {
        s.add(" AND d.status = ").bind(st);
    }
    if let Some(ch) = &f.channel {
        s.add(" AND d.channel = ").bind(ch);
    }
}

/// The outside deliveries (e-mail, robots) of orgs in the filter's scopes, newest first.
pub async fn list(
    c: Conn<'_>,
    f: &DeliveryFilter,
    page: crate::Page,
) -> StoreResult<crate::Paged<DeliveryRecord>> {
    let mut count =
        Sql::new("SELECT COUNT(*) FROM deliveries d LEFT JOIN orgs o ON o.id = d.org_id");
    delivery_where(&mut count, f);
    let mut s = Sql::new(
        "SELECT d.id, d.channel, u.display_name AS user_name, o.name AS org_name, o.path AS org_path, d.address, d.subject, d.status, d.attempts, \
         d.next_attempt_at, d.last_error, d.created_at, d.sent_at FROM deliveries d LEFT JOIN orgs o ON o.id = d.org_id LEFT JOIN users u ON u.id = d.user_id",
    );
    delivery_where(&mut s, f);
    s.add(" ORDER BY d.id DESC");
    db::fetch_page(c, count, s, page).await
}

/// Where to reach a person: e-mail, language and org.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub locale: String,
    pub org_id: Option<i64>,
}

pub async fn contacts(c: Conn<'_>, user_ids: &[i64]) -> StoreResult<Vec<Contact>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s =
        Sql::new("SELECT id, email, locale, org_id FROM users WHERE disabled = FALSE AND id IN (");
    for (i, id) in user_ids.iter().enumerate() {
        if i > 0 {
            s.add(", ");
        }
        s.bind(*id);
    }
    s.add(")");
    db::fetch_all(c, s).await
}

/// The people of an org who act for it: those holding a role bound at the org itself.
pub async fn org_people(c: Conn<'_>, org_id: i64) -> StoreResult<Vec<Contact>> {
    db::fetch_all(
        c,
        Sql::new("SELECT DISTINCT u.id, u.email, u.locale, u.org_id FROM users u JOIN role_bindings b ON b.user_id = u.id WHERE u.disabled = FALSE AND b.org_id = ")
            .arg(org_id)
            .push(" ORDER BY u.id"),
    )
    .await
}

pub async fn get(c: Conn<'_>, id: i64) -> StoreResult<Option<Delivery>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(" FROM deliveries WHERE id = ")
        .bind(id);
    db::fetch_optional(c, s).await
}

pub async fn by_key(c: Conn<'_>, key: &str) -> StoreResult<Option<Delivery>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(" FROM deliveries WHERE dedupe_key = ")
        .bind(key);
    db::fetch_optional(c, s).await
}

/// Open items due within `days` of `today` or overdue, with a responsible user: (user, item id,
/// title, due date, timeliness).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemDue {
    pub user_id: i64,
    pub item_id: i64,
    pub title: String,
    pub due_on: chrono::NaiveDate,
    pub timeliness: String,
    /// The campaign's reminder offsets, e.g. "3,1".
    pub reminder_offsets: String,
}

pub async fn items_due(c: Conn<'_>, horizon: chrono::NaiveDate) -> StoreResult<Vec<ItemDue>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT i.responsible_user_id AS user_id, i.id AS item_id, i.title, i.due_on, i.timeliness, c.reminder_offsets FROM items i \
             JOIN campaigns c ON c.id = i.campaign_id \
             WHERE i.responsible_user_id IS NOT NULL AND i.status IN ('assigned', 'returned', 'in_progress', 'close_out_requested', 'under_review') AND i.due_on <= ",
        )
        .arg(horizon)
        .push(" ORDER BY i.responsible_user_id, i.due_on"),
    )
    .await
}

/// Reports not yet submitted whose cut-off falls between `now` and `horizon`, with the liaisons
/// of their org (a reminder comes before the cut-off; after it, the report is missing and the
/// bulletin says so).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportDue {
    pub user_id: i64,
    pub report_id: i64,
    pub org_name: String,
    pub period_key: String,
    pub due_at: DateTime<Utc>,
}

pub async fn reports_due(
    c: Conn<'_>,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> StoreResult<Vec<ReportDue>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT b.user_id, p.id AS report_id, o.name AS org_name, p.period_key, p.due_at FROM reports p \
             JOIN role_bindings b ON b.org_id = p.org_id AND b.role = 'unit_liaison' JOIN orgs o ON o.id = p.org_id \
             WHERE p.submitted_at IS NULL AND p.due_at >= ",
        )
        .arg(now)
        .push(" AND p.due_at < ")
        .arg(horizon)
        .push(" ORDER BY b.user_id, p.due_at"),
    )
    .await
}

/// How many of a person's notices are unread.
pub async fn unread(c: Conn<'_>, user_id: i64) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("SELECT COUNT(*) FROM deliveries WHERE channel = 'inbox' AND read_at IS NULL AND user_id = ")
            .arg(user_id),
    )
    .await
}

/// How many outside deliveries of the filter's scope match it.
pub async fn count(c: Conn<'_>, f: &DeliveryFilter) -> StoreResult<i64> {
    let mut s = Sql::new("SELECT COUNT(*) FROM deliveries d LEFT JOIN orgs o ON o.id = d.org_id");
    delivery_where(&mut s, f);
    db::scalar_i64(c, s).await
}

/// Who was sent an inbox notice about an item, when, and whether they have read it.
pub async fn read_state(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<NoticeRead>> {
    db::fetch_all(
        c,
        Sql::new("SELECT d.subject, d.created_at, d.read_at, u.display_name AS user_name FROM deliveries d JOIN users u ON u.id = d.user_id WHERE d.channel = 'inbox' AND d.item_id = ")
            .arg(item_id)
            .push(" ORDER BY d.id"),
    )
    .await
}

/// One person's copy of a notice and whether they have read it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRead {
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub user_name: String,
}
