//! Information submissions (信息报送) with their photos and adoptions, and the briefings (工作简报)
//! that carry the adopted ones.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use crate::{Page, Paged};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    pub body: String,
    /// draft, submitted or adopted
    pub status: String,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who last edited it after submission (the office), if anyone.
    pub edited_by: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SUBMISSION_SELECT: &str = "SELECT s.id, s.campaign_id, s.org_id, o.name AS org_name, s.org_path, s.title, s.body, s.status, s.author_id, \
    s.author_name, s.submitted_at, s.edited_by, s.version, s.created_at, s.updated_at FROM submissions s JOIN orgs o ON o.id = s.org_id ";

pub struct NewSubmission<'a> {
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub author_id: Option<i64>,
    pub author_name: &'a str,
}

pub async fn create_submission(
    c: Conn<'_>,
    n: &NewSubmission<'_>,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO submissions (campaign_id, org_id, org_path, title, body, status, author_id, author_name, version, created_at, updated_at) VALUES (")
            .values([
                Arg::from(n.campaign_id),
                Arg::from(n.org_id),
                Arg::from(n.org_path),
                Arg::from(n.title),
                Arg::from(n.body),
                Arg::from("draft"),
                Arg::from(n.author_id),
                Arg::from(n.author_name),
                Arg::from(1i64),
                Arg::from(now),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn submission(c: Conn<'_>, id: i64) -> StoreResult<Option<Submission>> {
    db::fetch_optional(c, Sql::new(SUBMISSION_SELECT).push("WHERE s.id = ").arg(id)).await
}

/// Writes the mutable fields if the version is `expected`; returns whether it did.
pub async fn save_submission(
    c: Conn<'_>,
    s: &Submission,
    expected: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE submissions SET title = ")
            .arg(s.title.as_str())
            .push(", body = ")
            .arg(s.body.as_str())
            .push(", status = ")
            .arg(s.status.as_str())
            .push(", submitted_at = ")
            .arg(s.submitted_at)
            .push(", edited_by = ")
            .arg(s.edited_by.as_deref())
            .push(", updated_at = ")
            .arg(now)
            .push(", version = version + 1 WHERE id = ")
            .arg(s.id)
            .push(" AND version = ")
            .arg(expected),
    )
    .await?;
    Ok(n == 1)
}

/// What a list of submissions may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    /// Subtrees whose submitted (and adopted) submissions the reader sees.
    pub scopes: Vec<String>,
    /// Subtrees whose drafts the reader sees too (their own units').
    pub draft_scopes: Vec<String>,
    pub status: Option<String>,
    pub campaign_id: Option<i64>,
}

fn submission_where(s: &mut Sql, f: &SubmissionFilter) {
    s.add("WHERE ((s.status <> 'draft' AND ");
    s.in_subtrees("s.org_path", &f.scopes);
    s.add(") OR (s.status = 'draft' AND ");
    s.in_subtrees("s.org_path", &f.draft_scopes);
    s.add("))");
    if let Some(st) = &f.status {
        s.add(" AND s.status = ").bind(st);
    }
    if let Some(cid) = f.campaign_id {
        s.add(" AND s.campaign_id = ").bind(cid);
    }
}

pub async fn list_submissions(
    c: Conn<'_>,
    f: &SubmissionFilter,
    page: Page,
) -> StoreResult<Paged<Submission>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM submissions s ");
    submission_where(&mut count, f);
    let mut s = Sql::new(SUBMISSION_SELECT);
    submission_where(&mut s, f);
    s.add(" ORDER BY COALESCE(s.submitted_at, s.created_at) DESC, s.id DESC");
    db::fetch_page(c, count, s, page).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Photo {
    pub id: i64,
    pub submission_id: i64,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn add_photo(c: Conn<'_>, p: &Photo) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO submission_photos (submission_id, sha256, file_name, content_type, size, uploaded_at) VALUES (")
            .values([
                Arg::from(p.submission_id),
                Arg::from(p.sha256.as_str()),
                Arg::from(p.file_name.as_str()),
                Arg::from(p.content_type.as_str()),
                Arg::from(p.size),
                Arg::from(p.uploaded_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn photos(c: Conn<'_>, submission_id: i64) -> StoreResult<Vec<Photo>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, submission_id, sha256, file_name, content_type, size, uploaded_at FROM submission_photos WHERE submission_id = ")
            .arg(submission_id)
            .push(" ORDER BY id"),
    )
    .await
}

pub async fn photo(c: Conn<'_>, id: i64) -> StoreResult<Option<Photo>> {
    db::fetch_optional(
        c,
        Sql::new("SELECT id, submission_id, sha256, file_name, content_type, size, uploaded_at FROM submission_photos WHERE id = ")
            .arg(id),
    )
    .await
}

/// Photos' files still referenced (so that the file sweep keeps them).
pub async fn referenced_files(c: Conn<'_>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        db::fetch_all(c, Sql::new("SELECT DISTINCT sha256 FROM submission_photos")).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One adoption of a submission: by this office into one of its briefings, or by a higher level.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Adoption {
    pub id: i64,
    pub submission_id: i64,
    /// office or higher
    pub level: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub briefing_id: Option<i64>,
    pub issue_no: Option<i64>,
    /// The briefing's status (draft or published), for adoptions into a briefing.
    pub briefing_status: Option<String>,
    pub note: String,
    pub adopted_by: String,
    pub adopted_at: DateTime<Utc>,
}

const ADOPTION_SELECT: &str = "SELECT a.id, a.submission_id, a.level, a.org_id, o.name AS org_name, a.briefing_id, b.issue_no, b.status AS briefing_status, a.note, a.adopted_by, a.adopted_at \
    FROM adoptions a LEFT JOIN orgs o ON o.id = a.org_id LEFT JOIN briefings b ON b.id = a.briefing_id ";

pub struct NewAdoption<'a> {
    pub submission_id: i64,
    pub level: &'a str,
    pub org_id: Option<i64>,
    pub briefing_id: Option<i64>,
    pub note: &'a str,
    pub adopted_by: &'a str,
}

/// Records an adoption; false if the submission is already in that briefing.
pub async fn adopt(c: Conn<'_>, a: &NewAdoption<'_>, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("INSERT INTO adoptions (submission_id, level, org_id, briefing_id, note, adopted_by, adopted_at) VALUES (")
            .values([
                Arg::from(a.submission_id),
                Arg::from(a.level),
                Arg::from(a.org_id),
                Arg::from(a.briefing_id),
                Arg::from(a.note),
                Arg::from(a.adopted_by),
                Arg::from(now),
            ])
            .push(") ON CONFLICT DO NOTHING"),
    )
    .await?;
    Ok(n == 1)
}

pub async fn adoptions(c: Conn<'_>, submission_id: i64) -> StoreResult<Vec<Adoption>> {
    db::fetch_all(
        c,
        Sql::new(ADOPTION_SELECT)
            .push("WHERE a.submission_id = ")
            .arg(submission_id)
            .push(" ORDER BY a.adopted_at, a.id"),
    )
    .await
}

/// Removes a submission from a draft briefing.
pub async fn unadopt(c: Conn<'_>, submission_id: i64, briefing_id: i64) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("DELETE FROM adoptions WHERE submission_id = ")
            .arg(submission_id)
            .push(" AND briefing_id = ")
            .arg(briefing_id),
    )
    .await?;
    Ok(n == 1)
}

pub async fn adoption_count(c: Conn<'_>, submission_id: i64) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("SELECT COUNT(*) FROM adoptions WHERE submission_id = ").arg(submission_id),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Briefing {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub issue_no: i64,
    pub title: String,
    /// draft or published
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// How many submissions it carries.
    pub entries: i64,
}

const BRIEFING_SELECT: &str = "SELECT b.id, b.campaign_id, b.org_id, o.name AS org_name, b.org_path, b.issue_no, b.title, b.status, b.published_at, \
    b.published_by, b.version, b.created_at, (SELECT COUNT(*) FROM adoptions a WHERE a.briefing_id = b.id) AS entries \
    FROM briefings b JOIN orgs o ON o.id = b.org_id ";

/// Creates a draft briefing with the next issue number of its org and campaign.
pub async fn create_briefing(
    mut c: Conn<'_>,
    campaign_id: i64,
    (org_id, org_path): (i64, &str),
    title: &str,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let next = db::scalar_i64(
        c.re(),
        Sql::new("SELECT COALESCE(MAX(issue_no), 0) + 1 FROM briefings WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id),
    )
    .await?;
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO briefings (campaign_id, org_id, org_path, issue_no, title, status, version, created_at) VALUES (")
            .values([
                Arg::from(campaign_id),
                Arg::from(org_id),
                Arg::from(org_path),
                Arg::from(next),
                Arg::from(title),
                Arg::from("draft"),
                Arg::from(1i64),
                Arg::from(now),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn briefing(c: Conn<'_>, id: i64) -> StoreResult<Option<Briefing>> {
    db::fetch_optional(c, Sql::new(BRIEFING_SELECT).push("WHERE b.id = ").arg(id)).await
}

/// Briefings a reader sees, newest first: published ones issued within the reader's subtrees
/// or by an org above them (a briefing goes out to its issuer's whole scope), and drafts within
/// `drafts_in` (the subtrees the reader supervises).
pub async fn list_briefings(
    c: Conn<'_>,
    scopes: &[String],
    drafts_in: &[String],
    limit: i64,
) -> StoreResult<Vec<Briefing>> {
    let mut s = Sql::new(BRIEFING_SELECT);
    s.add("WHERE (b.status = 'published' AND (");
    s.in_subtrees("b.org_path", scopes);
    for scope in scopes {
        s.add(" OR substr(")
            .bind(scope.as_str())
            .add(", 1, length(b.org_path)) = b.org_path");
    }
    s.add(")) OR ");
    s.in_subtrees("b.org_path", drafts_in);
    s.add(" ORDER BY b.created_at DESC, b.id DESC LIMIT ")
        .bind(limit);
    db::fetch_all(c, s).await
}

/// The submissions a briefing carries, in the order they were adopted.
pub async fn entries(c: Conn<'_>, briefing_id: i64) -> StoreResult<Vec<Submission>> {
    db::fetch_all(
        c,
        Sql::new(SUBMISSION_SELECT)
            .push("JOIN adoptions a ON a.submission_id = s.id WHERE a.briefing_id = ")
            .arg(briefing_id)
            .push(" ORDER BY a.adopted_at, a.id"),
    )
    .await
}

pub async fn publish_briefing(
    c: Conn<'_>,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = db::execute(
        c,
        Sql::new("UPDATE briefings SET status = 'published', published_at = ")
            .arg(now)
            .push(", published_by = ")
            .arg(by)
            .push(", version = version + 1 WHERE status = 'draft' AND id = ")
            .arg(id),
    )
    .await?;
    Ok(n == 1)
}

/// Per org path in `scope_path`'s subtree: submissions submitted between `start` and `end`, and
/// submissions adopted (by any level) between them; one grouped query each.
pub async fn counts_between(
    mut c: Conn<'_>,
    scope_path: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> StoreResult<(Vec<(String, i64)>, Vec<(String, i64)>)> {
    let mut s = Sql::new("SELECT s.org_path, COUNT(*) FROM submissions s WHERE s.submitted_at >= ")
        .arg(start)
        .push(" AND s.submitted_at < ")
        .arg(end);
    s.add(" AND ");
    s.in_subtrees("s.org_path", &[scope_path.to_owned()]);
    s.add(" GROUP BY s.org_path");
    let submitted = db::fetch_all(c.re(), s).await?;
    let mut s = Sql::new(
        "SELECT s.org_path, COUNT(DISTINCT s.id) FROM adoptions a JOIN submissions s ON s.id = a.submission_id WHERE a.adopted_at >= ",
    )
    .arg(start)
    .push(" AND a.adopted_at < ")
    .arg(end);
    s.add(" AND ");
    s.in_subtrees("s.org_path", &[scope_path.to_owned()]);
    s.add(" GROUP BY s.org_path");
    let adopted = db::fetch_all(c, s).await?;
    Ok((submitted, adopted))
}

/// The photos of every submission a briefing carries, in one query.
pub async fn photos_in_briefing(c: Conn<'_>, briefing_id: i64) -> StoreResult<Vec<Photo>> {
    db::fetch_all(
        c,
        Sql::new("SELECT p.id, p.submission_id, p.sha256, p.file_name, p.content_type, p.size, p.uploaded_at FROM submission_photos p \
                  JOIN adoptions a ON a.submission_id = p.submission_id WHERE a.briefing_id = ")
            .arg(briefing_id)
            .push(" ORDER BY p.id"),
    )
    .await
}
