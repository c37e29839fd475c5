//! Accountability interviews (约谈). Publishing a bulletin turns its proposals into proposed
//! interviews; the office confirms or dismisses each; a held interview records its kind, level,
//! interviewer, interviewees, date and minutes, and each commitment made becomes a tracked item
//! of the interviewed org, with an owner and a deadline.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::items::{self, ItemInput};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
pub use luodi_store::interviews::Interview;
use luodi_store::interviews::{self};
use luodi_store::items::ItemRow;
use luodi_store::Conn;
use serde::{Deserialize, Serialize};

/// Turns a published bulletin's proposals into proposed interviews (inside its transaction).
/// An org has at most one open proposal in a campaign: when it already has one (proposed, not
/// yet confirmed or dismissed), the proposal is renewed — its bulletin, kind and reasons become
/// this bulletin's — and the change is audited, instead of a second proposal beside it.
pub async fn propose_from_bulletin(
    svc: &Services,
    mut c: Conn<'_>,
    actor: &Actor,
    b: &luodi_store::bulletins::Bulletin,
    rows: &[luodi_store::bulletins::BulletinRow],
) -> ServiceResult<usize> {
    let now = svc.now();
    let mut n = 0;
    for r in rows {
        let proposal: serde_json::Value =
            serde_json::from_str(&r.interview_json).unwrap_or_default();
        if proposal.is_null() {
            continue;
        }
        let Some(org) = luodi_store::orgs::get(c.re(), r.org_id).await? else {
            continue;
        };
        let kind = proposal["kind"].as_str().unwrap_or("reminder");
        let reasons = proposal["reasons"].to_string();
        match interviews::open_proposal(c.re(), b.campaign_id, org.id).await? {
            Some(open) => {
                if !interviews::renew_proposal(c.re(), open.id, b.id, kind, &reasons, open.version)
                    .await?
                {
                    return Err(ServiceError::Stale {
                        current: open.version,
                    });
                }
                let after = interviews::get(c.re(), open.id)
                    .await?
                    .ok_or(ServiceError::NotFound("interview"))?;
                audit::record(
                    svc,
                    c.re(),
                    actor,
                    Change {
                        action: "interview.renew",
                        object_type: "interview",
                        object_id: Some(open.id.to_string()),
                        org_path: Some(open.org_path.clone()),
                        before: Some(&open),
                        after: Some(&after),
                    },
                )
                .await?;
            }
            None => {
                interviews::propose(
                    c.re(),
                    b.campaign_id,
                    b.id,
                    (org.id, &org.path),
                    kind,
                    &reasons,
                    now,
                )
                .await?;
            }
        }
        n += 1;
    }
    Ok(n)
}

#[derive(Debug, Clone, Serialize)]
pub struct InterviewView {
    pub interview: Interview,
    pub commitments: Vec<ItemRow>,
    pub can_act: bool,
}

async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Interview> {
    let v = interviews::get(c, id)
        .await?
        .ok_or(ServiceError::NotFound("interview"))?;
    if !actor.can(Permission::ReadItems, &v.org_path) || !shown_to(actor, &v) {
        return Err(ServiceError::NotFound("interview"));
    }
    Ok(v)
}

/// A proposal is the office's business until it is confirmed: the interviewed org sees its
/// interviews from then on; a dismissed proposal only the office sees.
fn shown_to(actor: &Actor, v: &Interview) -> bool {
    actor.can(Permission::SuperviseItems, &v.org_path)
        || matches!(v.status.as_str(), "confirmed" | "held")
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<InterviewView> {
    let mut c = svc.db.read().await?;
    let v = visible(c.conn(), actor, id).await?;
    let mut commitments = Vec::new();
    for item in interviews::commitments(c.conn(), id).await? {
        if let Some(row) = luodi_store::items::get(c.conn(), item).await? {
            commitments.push(row);
        }
    }
    Ok(InterviewView {
        can_act: actor.can(Permission::SuperviseItems, &v.org_path),
        interview: v,
        commitments,
    })
}

pub async fn list(svc: &Services, actor: &Actor) -> ServiceResult<Vec<Interview>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(
        interviews::list(c.conn(), &actor.scopes(Permission::ReadItems))
            .await?
            .into_iter()
            .filter(|v| shown_to(actor, v))
            .collect(),
    )
}

/// The office confirms or dismisses a proposed interview.
pub async fn decide(
    svc: &Services,
    actor: &Actor,
    id: i64,
    confirm: bool,
    expected_version: i64,
) -> ServiceResult<InterviewView> {
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::SuperviseItems, &before.org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    if before.status != "proposed" {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    let mut after = before.clone();
    after.status = if confirm {
        "confirmed".into()
    } else {
        "dismissed".into()
    };
    if !interviews::save(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: if confirm {
                "interview.confirm"
            } else {
                "interview.dismiss"
            },
            object_type: "interview",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CommitmentInput {
    pub title: String,
    pub due_on: NaiveDate,
    pub responsible_person: String,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RecordInput {
    /// reminder, warning or accountability
    pub kind: String,
    /// office or leader
    pub level: String,
    pub interviewer: String,
    pub interviewees: String,
    pub held_on: NaiveDate,
    pub minutes: String,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

/// Records a held interview; every commitment becomes a tracked item of the interviewed org.
pub async fn record(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: RecordInput,
    expected_version: i64,
) -> ServiceResult<InterviewView> {
    let mut v = Validation::new();
    if !matches!(
        input.kind.as_str(),
        "reminder" | "warning" | "accountability"
    ) {
        v.add("kind", "unknown_value");
    }
    if !matches!(input.level.as_str(), "office" | "leader") {
        v.add("level", "unknown_value");
    }
    v.text("interviewer", &input.interviewer, 200);
    v.text("interviewees", &input.interviewees, 500);
    v.text("minutes", &input.minutes, 20_000);
    for (i, c) in input.commitments.iter().enumerate() {
        v.text(&format!("commitments[{i}].title"), &c.title, 500);
        v.text(
            &format!("commitments[{i}].responsible_person"),
            &c.responsible_person,
            50,
        );
    }
    v.into_result()?;
    let before = {
        let mut c = svc.db.read().await?;
        visible(c.conn(), actor, id).await?
    };
    if !actor.can(Permission::SuperviseItems, &before.org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    if !matches!(before.status.as_str(), "proposed" | "confirmed") {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    // Each commitment is an item, recorded through the same rules as any other, in the same
    // transaction as the interview: all of it is stored, or none.
    let mut tx = svc.db.begin().await?;
    let mut made = Vec::new();
    for c in &input.commitments {
        let it = items::create_in(
            svc,
            tx.conn(),
            actor,
            &ItemInput {
                campaign_id: before.campaign_id,
                kind: "task".into(),
                parent_id: None,
                title: c.title.clone(),
                description: String::new(),
                phase: "rectification".into(),
                source: "superior_instruction".into(),
                category: "interview_commitment".into(),
                item_type: "time_limited".into(),
                lead_org_id: before.org_id,
                co_org_ids: Vec::new(),
                responsible_user_id: c.responsible_user_id,
                responsible_person: c.responsible_person.clone(),
                due_on: c.due_on,
                goal_id: None,
                measures: Vec::new(),
                milestones: Vec::new(),
                weight: None,
                programme_area_id: None,
                issue: true,
            },
        )
        .await
        .map_err(|e| match e {
            ServiceError::Validation(_) => invalid("commitments", "bad_commitment"),
            other => other,
        })?;
        made.push(it.id);
    }
    let mut after = before.clone();
    after.status = "held".into();
    after.kind = input.kind.clone();
    after.level = input.level.clone();
    after.interviewer = input.interviewer.trim().to_owned();
    after.interviewees = input.interviewees.trim().to_owned();
    after.held_on = Some(input.held_on);
    after.minutes = input.minutes.trim().to_owned();
    if !interviews::save(tx.conn(), &after, expected_version).await? {
        return Err(ServiceError::Stale {
            current: before.version + 1,
        });
    }
    for item in &made {
        interviews::add_commitment(tx.conn(), id, *item).await?;
    }
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "interview.record",
            object_type: "interview",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}
