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

const COLS: &str = "id, channel, user_id, address, subject, body, dedupe_key, status, attempts, next_attempt_at, last_error, read_at, created_at, sent_at";

pub struct NewDelivery<'a> {
    pub channel: &'a str,
    pub user_id: Option<i64>,
    pub address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub dedupe_key: &'a str,
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
        Sql::new("INSERT INTO deliveries (channel, user_id, address, subject, body, dedupe_key, status, attempts, next_attempt_at, last_error, created_at, sent_at) VALUES (")
            .values([
                Arg::from(d.channel),
                Arg::from(d.user_id),
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
}

pub async fn items_due(c: Conn<'_>, horizon: chrono::NaiveDate) -> StoreResult<Vec<ItemDue>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT responsible_user_id AS user_id, id AS item_id, title, due_on, timeliness FROM items \
             WHERE responsible_user_id IS NOT NULL AND status IN ('assigned', 'returned', 'in_progress', 'close_out_requested', 'under_review') AND due_on <= ",
        )
        .arg(horizon)
        .push(" ORDER BY responsible_user_id, due_on"),
    )
    .await
}

/// Reports not yet submitted whose cut-off is before `horizon`, with the liaisons of their org.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportDue {
    pub user_id: i64,
    pub report_id: i64,
    pub org_name: String,
    pub period_key: String,
    pub due_at: DateTime<Utc>,
}

pub async fn reports_due(c: Conn<'_>, horizon: DateTime<Utc>) -> StoreResult<Vec<ReportDue>> {
    db::fetch_all(
        c,
        Sql::new(
            "SELECT b.user_id, p.id AS report_id, o.name AS org_name, p.period_key, p.due_at FROM reports p \
             JOIN role_bindings b ON b.org_id = p.org_id AND b.role = 'unit_liaison' JOIN orgs o ON o.id = p.org_id \
             WHERE p.submitted_at IS NULL AND p.due_at < ",
        )
        .arg(horizon)
        .push(" ORDER BY b.user_id, p.due_at"),
    )
    .await
}
