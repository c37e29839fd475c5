//! The leading group's meetings (领导小组会议, "领导小组每周听取情况汇报"): date, attendees and
//! minutes, ending with commitments (owner, due date). Each commitment becomes a tracked item
//! of the org, so it has a light and turns red when overdue; the next meeting of the same org
//! lists every earlier commitment for review, how it stands now.

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::items::{self, ItemInput};
use crate::records::{place, readable};
use crate::{Actor, ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_store::items::ItemRow;
use luodi_store::meetings::{self, NewMeeting};
pub use luodi_store::meetings::{Meeting, MeetingFilter};
use luodi_store::{Page, Paged};
use serde::{Deserialize, Serialize};

pub const KINDS: [&str; 3] = ["leading_group", "office", "other"];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CommitmentInput {
    pub title: String,
    pub responsible_person: String,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    /// The org that delivers it; the meeting's org when absent.
    #[serde(default)]
    pub lead_org_id: Option<i64>,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MeetingInput {
    pub campaign_id: i64,
    pub org_id: i64,
    /// leading_group, office or other
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub chair: String,
    pub attendees: String,
    pub minutes: String,
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

/// An earlier commitment listed for review, with the meeting it was made at.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub meeting_id: i64,
    pub item: ItemRow,
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub commitments: Vec<ItemRow>,
    /// Commitments of the org's earlier meetings: what this meeting reviews.
    pub review: Vec<Review>,
}

fn validate(input: &MeetingInput) -> Validation {
    let mut v = Validation::new();
    if !KINDS.contains(&input.kind.as_str()) {
        v.add("kind", "unknown_value");
    }
    v.text("title", &input.title, 200);
    v.max_len("place", &input.place, 200);
    v.max_len("chair", &input.chair, 100);
    v.text("attendees", &input.attendees, 2000);
    v.text("minutes", &input.minutes, 20_000);
    for (i, c) in input.commitments.iter().enumerate() {
        v.text(&format!("commitments[{i}].title"), &c.title, 500);
        v.text(
            &format!("commitments[{i}].responsible_person"),
            &c.responsible_person,
            50,
        );
    }
    v
}

/// Records a held meeting; every commitment becomes an item of the org (or of the org named
/// for it), issued at once, in the same transaction: all of it is stored, or none.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: MeetingInput,
) -> ServiceResult<MeetingView> {
    validate(&input).into_result()?;
    let mut tx = svc.db.begin().await?;
    let org = place(tx.conn(), actor, input.campaign_id, input.org_id).await?;
    let id = meetings::create(
        tx.conn(),
        &NewMeeting {
            campaign_id: input.campaign_id,
            org_id: org.id,
            org_path: &org.path,
            kind: &input.kind,
            title: input.title.trim(),
            held_on: input.held_on,
            place: input.place.trim(),
            chair: input.chair.trim(),
            attendees: input.attendees.trim(),
            minutes: input.minutes.trim(),
            created_by: &actor.name,
        },
        svc.now(),
    )
    .await?;
    for (i, c) in input.commitments.iter().enumerate() {
        let it = items::create_in(
            svc,
            tx.conn(),
            actor,
            &ItemInput {
                campaign_id: input.campaign_id,
                kind: "task".into(),
                parent_id: None,
                title: c.title.trim().to_owned(),
                description: format!("{}（{}）", input.title.trim(), input.held_on),
                phase: "rectification".into(),
                source: "superior_instruction".into(),
                category: "meeting_commitment".into(),
                item_type: "time_limited".into(),
                lead_org_id: c.lead_org_id.unwrap_or(org.id),
                co_org_ids: Vec::new(),
                responsible_user_id: c.responsible_user_id,
                responsible_person: c.responsible_person.trim().to_owned(),
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
            ServiceError::Validation(v) => {
                let field = v
                    .errors
                    .first()
                    .map(|e| e.field.clone())
                    .unwrap_or_default();
                let code = v.errors.first().map(|e| e.code).unwrap_or("invalid");
                invalid(&format!("commitments[{i}].{field}"), code)
            }
            other => other,
        })?;
        meetings::add_commitment(tx.conn(), id, it.id).await?;
    }
    audit::record::<(), MeetingInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "meeting.create",
            object_type: "meeting",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<MeetingView> {
    items::refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let m = meetings::get(c.conn(), id).await?;
    let path = m.as_ref().map(|m| m.org_path.clone()).unwrap_or_default();
    let meeting = readable(actor, &path, m, "meeting")?;
    let ids = meetings::commitments(c.conn(), id).await?;
    let commitments = luodi_store::items::by_ids(c.conn(), &ids)
        .await?
        .into_iter()
        .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
        .collect();
    let earlier = meetings::earlier_commitments(
        c.conn(),
        meeting.org_id,
        meeting.campaign_id,
        meeting.held_on,
        Some(meeting.id),
    )
    .await?;
    let earlier_ids: Vec<i64> = earlier.iter().map(|(_, i)| *i).collect();
    let rows = luodi_store::items::by_ids(c.conn(), &earlier_ids).await?;
    let review = earlier
        .iter()
        .filter_map(|(m, i)| {
            rows.iter()
                .find(|r| r.item.id == *i)
                .filter(|r| actor.can(Permission::ReadItems, &r.item.lead_org_path))
                .map(|r| Review {
                    meeting_id: *m,
                    item: r.clone(),
                })
        })
        .collect();
    Ok(MeetingView {
        meeting,
        commitments,
        review,
    })
}

/// Meetings of the actor's subtree, latest first.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    mut f: MeetingFilter,
    page: Page,
) -> ServiceResult<Paged<Meeting>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    f.scopes = actor.scopes(Permission::ReadItems);
    let mut c = svc.db.read().await?;
    Ok(meetings::list(c.conn(), &f, page).await?)
}

/// The commitments still open from an org's meetings held up to `on`: what a new meeting of it
/// should review (shown on the form before it is recorded).
pub async fn open_commitments(
    svc: &Services,
    actor: &Actor,
    org_id: i64,
    campaign_id: i64,
    on: NaiveDate,
) -> ServiceResult<Vec<Review>> {
    let org = crate::orgs::get(svc, actor, org_id).await?;
    if !actor.can(Permission::ReadItems, &org.path) {
        return Err(ServiceError::NotFound("org"));
    }
    items::refresh(svc).await?;
    let mut c = svc.db.read().await?;
    let earlier = meetings::earlier_commitments(c.conn(), org.id, campaign_id, on, None).await?;
    let ids: Vec<i64> = earlier.iter().map(|(_, i)| *i).collect();
    let rows = luodi_store::items::by_ids(c.conn(), &ids).await?;
    Ok(earlier
        .iter()
        .filter_map(|(m, i)| {
            rows.iter()
                .find(|r| r.item.id == *i && r.item.closed_on.is_none())
                .map(|r| Review {
                    meeting_id: *m,
                    item: r.clone(),
                })
        })
        .collect())
}

/// The meeting an item was committed at, as (id, title), if the actor may read it.
pub async fn of_item(
    svc: &Services,
    actor: &Actor,
    item_id: i64,
) -> ServiceResult<Option<(i64, String)>> {
    let mut c = svc.db.read().await?;
    Ok(meetings::of_item(c.conn(), item_id)
        .await?
        .filter(|(_, _, path)| actor.can(Permission::ReadItems, path))
        .map(|(id, title, _)| (id, title)))
}
