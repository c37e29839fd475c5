//! An org's organisation for a campaign: work-plan versions and attachments, leading-group
//! members, working bodies, and the orgs supervision teams watch.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanVersion {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub version_no: i64,
    pub title: String,
    pub body: String,
    /// What changed in this version.
    pub note: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const PLAN: &str = "SELECT id, campaign_id, org_id, org_path, version_no, title, body, note, created_by, created_at FROM plan_versions ";

/// Every version of an org's plan, newest first.
pub async fn plan_versions(
    c: Conn<'_>,
    campaign_id: i64,
    org_id: i64,
) -> StoreResult<Vec<PlanVersion>> {
    db::fetch_all(
        c,
        Sql::new(PLAN)
            .push("WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id)
            .push(" ORDER BY version_no DESC"),
    )
    .await
}

pub async fn plan_version(c: Conn<'_>, id: i64) -> StoreResult<Option<PlanVersion>> {
    db::fetch_optional(c, Sql::new(PLAN).push("WHERE id = ").arg(id)).await
}

/// Adds a version; the unique (campaign, org, version) refuses a second writer of the same
/// number, so two saves from one version never both land.
pub async fn add_plan_version(c: Conn<'_>, p: &PlanVersion) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO plan_versions (campaign_id, org_id, org_path, version_no, title, body, note, created_by, created_at) VALUES (")
            .values([
                Arg::from(p.campaign_id),
                Arg::from(p.org_id),
                Arg::from(p.org_path.as_str()),
                Arg::from(p.version_no),
                Arg::from(p.title.as_str()),
                Arg::from(p.body.as_str()),
                Arg::from(p.note.as_str()),
                Arg::from(p.created_by.as_str()),
                Arg::from(p.created_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanAttachment {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

const ATTACHMENT: &str = "SELECT id, campaign_id, org_id, org_path, sha256, file_name, content_type, size, uploaded_by, uploaded_at FROM plan_attachments ";

pub async fn add_attachment(c: Conn<'_>, a: &PlanAttachment) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO plan_attachments (campaign_id, org_id, org_path, sha256, file_name, content_type, size, uploaded_by, uploaded_at) VALUES (")
            .values([
                Arg::from(a.campaign_id),
                Arg::from(a.org_id),
                Arg::from(a.org_path.as_str()),
                Arg::from(a.sha256.as_str()),
                Arg::from(a.file_name.as_str()),
                Arg::from(a.content_type.as_str()),
                Arg::from(a.size),
                Arg::from(a.uploaded_by.as_str()),
                Arg::from(a.uploaded_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn attachments(
    c: Conn<'_>,
    campaign_id: i64,
    org_id: i64,
) -> StoreResult<Vec<PlanAttachment>> {
    db::fetch_all(
        c,
        Sql::new(ATTACHMENT)
            .push("WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id)
            .push(" ORDER BY id"),
    )
    .await
}

pub async fn attachment(c: Conn<'_>, id: i64) -> StoreResult<Option<PlanAttachment>> {
    db::fetch_optional(c, Sql::new(ATTACHMENT).push("WHERE id = ").arg(id)).await
}

/// Files the plans still reference (so that the file sweep keeps them).
pub async fn referenced_files(c: Conn<'_>) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> =
        db::fetch_all(c, Sql::new("SELECT DISTINCT sha256 FROM plan_attachments")).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub position: i64,
    /// leader, deputy or member
    pub role: String,
    pub name: String,
    /// 职务
    pub post: String,
}

pub async fn members(c: Conn<'_>, campaign_id: i64, org_id: i64) -> StoreResult<Vec<Member>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, position, role, name, post FROM group_members WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id)
            .push(" ORDER BY position"),
    )
    .await
}

/// Replaces the leading group's members.
pub async fn set_members(
    mut c: Conn<'_>,
    campaign_id: i64,
    org_id: i64,
    org_path: &str,
    members: &[(String, String, String)],
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("DELETE FROM group_members WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id),
    )
    .await?;
    for (i, (role, name, post)) in members.iter().enumerate() {
        db::execute(
            c.re(),
            Sql::new("INSERT INTO group_members (campaign_id, org_id, org_path, position, role, name, post) VALUES (")
                .values([
                    Arg::from(campaign_id),
                    Arg::from(org_id),
                    Arg::from(org_path),
                    Arg::from(i as i64),
                    Arg::from(role.as_str()),
                    Arg::from(name.as_str()),
                    Arg::from(post.as_str()),
                ])
                .push(")"),
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Body {
    pub id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_path: String,
    /// office, supervision_team or other
    pub kind: String,
    pub name: String,
    pub head: String,
    /// 职责分工
    pub duties: String,
    pub created_at: DateTime<Utc>,
}

const BODY: &str =
    "SELECT id, campaign_id, org_id, org_path, kind, name, head, duties, created_at FROM working_bodies ";

pub async fn add_body(c: Conn<'_>, b: &Body) -> StoreResult<i64> {
    db::scalar_i64(
        c,
        Sql::new("INSERT INTO working_bodies (campaign_id, org_id, org_path, kind, name, head, duties, created_at) VALUES (")
            .values([
                Arg::from(b.campaign_id),
                Arg::from(b.org_id),
                Arg::from(b.org_path.as_str()),
                Arg::from(b.kind.as_str()),
                Arg::from(b.name.as_str()),
                Arg::from(b.head.as_str()),
                Arg::from(b.duties.as_str()),
                Arg::from(b.created_at),
            ])
            .push(") RETURNING id"),
    )
    .await
}

pub async fn body(c: Conn<'_>, id: i64) -> StoreResult<Option<Body>> {
    db::fetch_optional(c, Sql::new(BODY).push("WHERE id = ").arg(id)).await
}

pub async fn bodies(c: Conn<'_>, campaign_id: i64, org_id: i64) -> StoreResult<Vec<Body>> {
    db::fetch_all(
        c,
        Sql::new(BODY)
            .push("WHERE campaign_id = ")
            .arg(campaign_id)
            .push(" AND org_id = ")
            .arg(org_id)
            .push(" ORDER BY id"),
    )
    .await
}

pub async fn assign(c: Conn<'_>, body_id: i64, org_id: i64) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO supervision_assignments (body_id, org_id) VALUES (")
            .values([Arg::from(body_id), Arg::from(org_id)])
            .push(") ON CONFLICT (body_id, org_id) DO NOTHING"),
    )
    .await?;
    Ok(())
}

pub async fn unassign(c: Conn<'_>, body_id: i64, org_id: i64) -> StoreResult<u64> {
    db::execute(
        c,
        Sql::new("DELETE FROM supervision_assignments WHERE body_id = ")
            .arg(body_id)
            .push(" AND org_id = ")
            .arg(org_id),
    )
    .await
}

/// (body, org id, org name) of the orgs the bodies of an org watch.
pub async fn assignments(
    c: Conn<'_>,
    campaign_id: i64,
    org_id: i64,
) -> StoreResult<Vec<(i64, i64, String)>> {
    db::fetch_all(
        c,
        Sql::new("SELECT a.body_id, o.id, o.name FROM supervision_assignments a JOIN working_bodies b ON b.id = a.body_id \
                  JOIN orgs o ON o.id = a.org_id WHERE b.campaign_id = ")
            .arg(campaign_id)
            .push(" AND b.org_id = ")
            .arg(org_id)
            .push(" ORDER BY a.body_id, o.path"),
    )
    .await
}

/// The supervision teams watching an org: (body id, team name, the team's org name).
pub async fn watchers(c: Conn<'_>, org_id: i64) -> StoreResult<Vec<(i64, String, String)>> {
    db::fetch_all(
        c,
        Sql::new("SELECT b.id, b.name, o.name FROM supervision_assignments a JOIN working_bodies b ON b.id = a.body_id \
                  JOIN orgs o ON o.id = b.org_id WHERE a.org_id = ")
            .arg(org_id)
            .push(" ORDER BY b.id"),
    )
    .await
}
