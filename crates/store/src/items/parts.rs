//! The parts of an item: measures, milestones, co-organisers, events, notes, deadline
//! revisions, extension requests and attachments.

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Measure {
    pub id: i64,
    pub position: i64,
    pub text: String,
}

pub async fn set_measures(mut c: Conn<'_>, item_id: i64, measures: &[String]) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM measures WHERE item_id = ").arg(item_id),
    )
    .await?;
    for (i, m) in measures.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO measures (item_id, position, text) VALUES (")
                .values([
                    Arg::from(item_id),
                    Arg::from(i as i64),
                    Arg::from(m.as_str()),
                ])
                .push(")"),
        )
        .await?;
    }
    reindex(c, item_id).await
}

pub async fn measures(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Measure>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, text FROM measures WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY position"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Milestone {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

pub async fn set_milestones(
    mut c: Conn<'_>,
    item_id: i64,
    ms: &[(String, NaiveDate, Option<NaiveDate>)],
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM milestones WHERE item_id = ").arg(item_id),
    )
    .await?;
    for (i, (title, due, done)) in ms.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO milestones (item_id, position, title, due_on, done_on) VALUES (")
                .arg(item_id)
                .push(", ")
                .arg(i as i64)
                .push(", ")
                .arg(title.as_str())
                .push(", ")
                .arg(*due)
                .push(", ")
                .arg(*done)
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

pub async fn milestones(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Milestone>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, title, due_on, done_on FROM milestones WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY position"),
    )
    .await
}

/// The milestones of many items in one query, by item, each in order.
pub async fn milestones_of(
    c: Conn<'_>,
    item_ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, Vec<Milestone>>> {
    let mut out: std::collections::HashMap<i64, Vec<Milestone>> = Default::default();
    if item_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, i64, i64, String, NaiveDate, Option<NaiveDate>)> = db::fetch_all(
        c,
        Sql::new("SELECT item_id, id, position, title, due_on, done_on FROM milestones WHERE item_id IN (")
            .values(item_ids.iter().map(|id| crate::sql::Arg::from(*id)))
            .push(") ORDER BY item_id, position"),
    )
    .await?;
    for (item_id, id, position, title, due_on, done_on) in rows {
        out.entry(item_id).or_default().push(Milestone {
            id,
            position,
            title,
            due_on,
            done_on,
        });
    }
    Ok(out)
}

pub async fn set_co_orgs(mut c: Conn<'_>, item_id: i64, orgs: &[i64]) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM item_co_orgs WHERE item_id = ").arg(item_id),
    )
    .await?;
    for o in orgs {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO item_co_orgs (item_id, org_id) VALUES (")
                .arg(item_id)
                .push(", ")
                .arg(*o)
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CoOrg {
    pub org_id: i64,
    pub code: String,
    pub name: String,
}

pub async fn co_orgs(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<CoOrg>> {
    db::fetch_all(
        c,
        Sql::new("SELECT o.id AS org_id, o.code, o.name FROM item_co_orgs x JOIN orgs o ON o.id = x.org_id WHERE x.item_id = ").arg(item_id).push(" ORDER BY o.code"),
    )
    .await
}

/// One step of an item's lifecycle, as recorded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    /// The account's name when the step was taken (a username: what the audit trail names).
    pub actor_name: String,
    /// The person's display name now, for pages (empty for the command line and the system).
    pub actor_display: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub reason: String,
    pub data_json: Option<String>,
}

pub struct NewEvent<'a> {
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_status: &'a str,
    pub to_status: &'a str,
    pub reason: &'a str,
    pub data_json: Option<String>,
}

/// The columns of `item_events` that a new step fills, in the order of [`event_row`].
pub const EVENT_COLUMNS: &[&str] = &[
    "item_id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "from_status",
    "to_status",
    "reason",
    "data_json",
];

pub(super) fn event_row(e: &NewEvent<'_>) -> Vec<Arg> {
    vec![
        Arg::from(e.item_id),
        Arg::from(e.at),
        Arg::from(e.actor_id),
        Arg::from(e.actor_name),
        Arg::from(e.action),
        Arg::from(e.from_status),
        Arg::from(e.to_status),
        Arg::from(e.reason),
        Arg::from(e.data_json.clone()),
    ]
}

pub async fn add_event(c: Conn<'_>, e: &NewEvent<'_>) -> StoreResult<()> {
    let mut s = Sql::new("INSERT INTO item_events (");
    s.text.push_str(&EVENT_COLUMNS.join(", "));
    s.add(") VALUES (");
    db::execute(c, s.values(event_row(e)).push(")")).await?;
    Ok(())
}

pub async fn events(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Event>> {
    db::fetch_all(
        c,
        Sql::new("SELECT e.id, e.item_id, e.at, e.actor_id, e.actor_name, COALESCE(u.display_name, '') AS actor_display, e.action, e.from_status, e.to_status, e.reason, e.data_json \
             FROM item_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.item_id = ")
            .arg(item_id)
            .push(" ORDER BY e.id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Note {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub progress_percent: Option<i64>,
    pub text: String,
}

pub async fn add_note(
    c: Conn<'_>,
    item_id: i64,
    at: DateTime<Utc>,
    author: (Option<i64>, &str),
    progress: Option<i64>,
    text: &str,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO progress_notes (item_id, at, author_id, author_name, progress_percent, text) VALUES (")
        .values([Arg::from(item_id), Arg::from(at), Arg::from(author.0), Arg::from(author.1), Arg::from(progress), Arg::from(text)])
        .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn notes(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Note>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, at, author_id, author_name, progress_percent, text FROM progress_notes WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub old_due_on: NaiveDate,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub requested_by: String,
    pub approved_by: String,
}

pub async fn add_revision(c: Conn<'_>, item_id: i64, r: &Revision) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO deadline_revisions (item_id, at, old_due_on, new_due_on, reason, requested_by, approved_by) VALUES (")
        .values([Arg::from(item_id), Arg::from(r.at), Arg::from(r.old_due_on), Arg::from(r.new_due_on), Arg::from(r.reason.as_str()), Arg::from(r.requested_by.as_str()), Arg::from(r.approved_by.as_str())])
        .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn revisions(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Revision>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, at, old_due_on, new_due_on, reason, requested_by, approved_by FROM deadline_revisions WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExtensionRequest {
    pub id: i64,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    pub new_due_on: NaiveDate,
    pub reason: String,
    pub status: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
}

pub async fn add_extension_request(
    c: Conn<'_>,
    item_id: i64,
    at: DateTime<Utc>,
    by: &str,
    new_due_on: NaiveDate,
    reason: &str,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO extension_requests (item_id, requested_at, requested_by, new_due_on, reason, status) VALUES (")
        .values([Arg::from(item_id), Arg::from(at), Arg::from(by), Arg::from(new_due_on), Arg::from(reason)])
        .push(", 'pending') RETURNING id"),
    )
    .await
}

/// Decides the pending request of an item; returns it as it was.
pub async fn decide_extension(
    mut c: Conn<'_>,
    item_id: i64,
    status: &str,
    at: DateTime<Utc>,
    by: &str,
    reason: &str,
) -> StoreResult<Option<ExtensionRequest>> {
    let pending: Option<ExtensionRequest> = db::fetch_optional(
        c.re(),
        Sql::new(
            "SELECT id, requested_at, requested_by, new_due_on, reason, status, decided_at, decided_by, decision_reason FROM extension_requests \
             WHERE status = 'pending' AND item_id = ",
        )
        .arg(item_id)
        .push(" ORDER BY id DESC LIMIT 1"),
    )
    .await?;
    if let Some(p) = &pending {
        db::execute(
            c,
            Sql::new("UPDATE extension_requests SET status = ")
                .arg(status)
                .push(", decided_at = ")
                .arg(at)
                .push(", decided_by = ")
                .arg(by)
                .push(", decision_reason = ")
                .arg(reason)
                .push(" WHERE id = ")
                .arg(p.id),
        )
        .await?;
    }
    Ok(pending)
}

pub async fn extension_requests(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<ExtensionRequest>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, requested_at, requested_by, new_due_on, reason, status, decided_at, decided_by, decision_reason FROM extension_requests WHERE item_id = ")
            .arg(item_id)
            .push(" ORDER BY id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub item_id: i64,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn add_attachment(c: Conn<'_>, a: &Attachment) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO attachments (item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at) VALUES (")
        .values([Arg::from(a.item_id), Arg::from(a.sha256.as_str()), Arg::from(a.size), Arg::from(a.content_type.as_str()), Arg::from(a.file_name.as_str()), Arg::from(a.uploaded_by.as_str()), Arg::from(a.uploaded_at)])
        .push(") RETURNING id"),
    )
    .await
}

pub async fn attachments(c: Conn<'_>, item_id: i64) -> StoreResult<Vec<Attachment>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at FROM attachments WHERE item_id = ").arg(item_id).push(" ORDER BY id"),
    )
    .await
}

pub async fn attachment(c: Conn<'_>, id: i64) -> StoreResult<Option<Attachment>> {
    db::fetch_optional(c, Sql::new("SELECT id, item_id, sha256, size, content_type, file_name, uploaded_by, uploaded_at FROM attachments WHERE id = ").arg(id)).await
}

/// Every file hash some row references, for the sweep of unreferenced files.
pub async fn referenced_files(c: Conn<'_>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        db::fetch_all(c, Sql::new("SELECT DISTINCT sha256 FROM attachments")).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
