//! Information submissions (信息报送) and briefings (工作简报). A unit writes a short news item
//! about its campaign work (title, text, up to nine photos) and submits it; the supervising
//! office may edit it, adopts some into numbered briefings it publishes to its scope, and records
//! when a higher level adopted one. A submission in a published briefing no longer changes.
//! Drafts are the writing unit's own: nobody else sees them.

mod briefing;

pub use briefing::*;

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::i18n::{I18n, Lang};
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::org::is_within;
use luodi_domain::role::Permission;
use luodi_domain::Validation;
pub use luodi_store::briefings::Submission;
use luodi_store::briefings::{
    self, Adoption, Briefing, NewAdoption, NewSubmission, Photo, SubmissionFilter,
};
use luodi_store::files::Kind;
use luodi_store::{campaigns, orgs, Conn, Page, Paged};
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;
pub const PHOTOS_MAX: i64 = 9;
const PHOTO_KINDS: [Kind; 4] = [Kind::Png, Kind::Jpeg, Kind::Gif, Kind::Webp];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SubmissionInput {
    pub campaign_id: i64,
    pub org_id: i64,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SubmissionText {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionView {
    pub submission: Submission,
    pub photos: Vec<Photo>,
    pub adoptions: Vec<Adoption>,
    /// In a published briefing: it no longer changes.
    pub frozen: bool,
    pub can_edit: bool,
    pub can_submit: bool,
    /// The actor may adopt it (into a briefing of theirs, or record a higher level's adoption).
    pub can_adopt: bool,
}

fn check_text(title: &str, body: &str) -> Result<(), Validation> {
    let mut v = Validation::new();
    v.text("title", title, TITLE_MAX);
    v.text("body", body, BODY_MAX);
    v.into_result()
}

/// Drafts only to the writing unit; submitted ones to whoever reads items there.
fn shown_to(actor: &Actor, s: &Submission) -> bool {
    if s.status == "draft" {
        actor.can(Permission::DeliverItems, &s.org_path)
    } else {
        actor.can(Permission::ReadItems, &s.org_path)
    }
}

async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Submission> {
    briefings::submission(c, id)
        .await?
        .filter(|s| shown_to(actor, s))
        .ok_or(ServiceError::NotFound("submission"))
}

fn is_frozen(adoptions: &[Adoption]) -> bool {
    adoptions
        .iter()
        .any(|a| a.briefing_status.as_deref() == Some("published"))
}

/// The unit edits its draft; once submitted, only the supervising office, until a published
/// briefing carries it.
fn may_edit(actor: &Actor, s: &Submission, frozen: bool) -> bool {
    if s.status == "draft" {
        actor.can(Permission::DeliverItems, &s.org_path)
    } else {
        !frozen && actor.can(Permission::SuperviseItems, &s.org_path)
    }
}

fn edit_refusal(s: &Submission, frozen: bool) -> ServiceError {
    if frozen {
        ServiceError::Conflict("submission_frozen")
    } else if s.status == "draft" {
        ServiceError::Refused("not_responsible")
    } else {
        ServiceError::Refused("not_supervisor")
    }
}

async fn view(mut c: Conn<'_>, actor: &Actor, s: Submission) -> ServiceResult<SubmissionView> {
    let photos = briefings::photos(c.re(), s.id).await?;
    let adoptions = briefings::adoptions(c, s.id).await?;
    let frozen = is_frozen(&adoptions);
    Ok(SubmissionView {
        can_edit: may_edit(actor, &s, frozen),
        can_submit: s.status == "draft" && actor.can(Permission::DeliverItems, &s.org_path),
        can_adopt: s.status != "draft" && actor.can(Permission::SuperviseItems, &s.org_path),
        frozen,
        submission: s,
        photos,
        adoptions,
    })
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<SubmissionView> {
    let mut c = svc.db.read().await?;
    let s = visible(c.conn(), actor, id).await?;
    view(c.conn(), actor, s).await
}

/// A unit writes a draft submission.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: SubmissionInput,
) -> ServiceResult<SubmissionView> {
    check_text(&input.title, &input.body)?;
    let mut tx = svc.db.begin().await?;
    if !actor.system
        && !campaigns::is_visible(
            tx.conn(),
            input.campaign_id,
            &actor.scopes(Permission::ReadCampaigns),
        )
        .await?
    {
        return Err(invalid("campaign_id", "unknown_campaign"));
    }
    let org = orgs::get(tx.conn(), input.org_id)
        .await?
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
        .ok_or_else(|| invalid("org_id", "unknown_org"))?;
    if !actor.can(Permission::DeliverItems, &org.path) {
        return Err(ServiceError::Refused("not_responsible"));
    }
    let now = svc.now();
    let id = briefings::create_submission(
        tx.conn(),
        &NewSubmission {
            campaign_id: input.campaign_id,
            org_id: org.id,
            org_path: &org.path,
            title: input.title.trim(),
            body: input.body.trim(),
            author_id: actor.user_id,
            author_name: &actor.name,
        },
        now,
    )
    .await?;
    audit::record::<(), SubmissionInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "submission.create",
            object_type: "submission",
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

/// Writes `after` if `before`'s version is still `expected` (else the caller read a stale copy),
/// and audits the change, inside the caller's transaction.
async fn save(
    svc: &Services,
    mut c: Conn<'_>,
    actor: &Actor,
    action: &'static str,
    (before, after): (&Submission, &Submission),
    expected: i64,
) -> ServiceResult<()> {
    if !briefings::save_submission(c.re(), after, expected, svc.now()).await? {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    audit::record(
        svc,
        c,
        actor,
        Change {
            action,
            object_type: "submission",
            object_id: Some(before.id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: Some(before),
            after: Some(after),
        },
    )
    .await
}

/// Changes the title and text: the unit while a draft, the office after submission (recorded
/// as edited by it), nobody once a published briefing carries it.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    text: SubmissionText,
    expected_version: i64,
) -> ServiceResult<SubmissionView> {
    check_text(&text.title, &text.body)?;
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    let frozen = is_frozen(&briefings::adoptions(tx.conn(), id).await?);
    if !may_edit(actor, &before, frozen) {
        return Err(edit_refusal(&before, frozen));
    }
    let mut after = before.clone();
    after.title = text.title.trim().to_owned();
    after.body = text.body.trim().to_owned();
    if before.status != "draft" {
        after.edited_by = Some(actor.name.clone());
    }
    save(
        svc,
        tx.conn(),
        actor,
        "submission.update",
        (&before, &after),
        expected_version,
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// The unit sends its draft to the office.
pub async fn submit(
    svc: &Services,
    actor: &Actor,
    id: i64,
    expected_version: i64,
) -> ServiceResult<SubmissionView> {
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::DeliverItems, &before.org_path) {
        return Err(ServiceError::Refused("not_responsible"));
    }
    if before.status != "draft" {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    let now = svc.now();
    let mut after = before.clone();
    after.status = "submitted".into();
    after.submitted_at = Some(now);
    save(
        svc,
        tx.conn(),
        actor,
        "submission.submit",
        (&before, &after),
        expected_version,
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// Adds a photo (PNG, JPEG, GIF or WebP, recognised by content; at most nine).
pub async fn add_photo(
    svc: &Services,
    actor: &Actor,
    id: i64,
    bytes: &[u8],
    file_name: &str,
) -> ServiceResult<Photo> {
    let check = |s: &Submission, frozen: bool, count: i64| {
        if !may_edit(actor, s, frozen) {
            return Err(edit_refusal(s, frozen));
        }
        if count >= PHOTOS_MAX {
            return Err(invalid("file", "too_many_photos"));
        }
        Ok(())
    };
    {
        let mut c = svc.db.read().await?;
        let s = visible(c.conn(), actor, id).await?;
        let frozen = is_frozen(&briefings::adoptions(c.conn(), id).await?);
        let count = briefings::photos(c.conn(), id).await?.len() as i64;
        check(&s, frozen, count)?;
    }
    let stored = crate::items::store_file(svc, bytes, file_name, &PHOTO_KINDS)
        .await
        .map_err(|e| match e {
            ServiceError::Validation(v)
                if v.errors.iter().any(|e| e.code == "file_type_not_allowed") =>
            {
                invalid("file", "photo_type_not_allowed")
            }
            other => other,
        })?;
    let mut tx = svc.db.begin().await?;
    // Checked again inside the write transaction.
    let s = visible(tx.conn(), actor, id).await?;
    let frozen = is_frozen(&briefings::adoptions(tx.conn(), id).await?);
    let count = briefings::photos(tx.conn(), id).await?.len() as i64;
    check(&s, frozen, count)?;
    let mut p = Photo {
        id: 0,
        submission_id: id,
        sha256: stored.sha256,
        file_name: stored.file_name,
        content_type: stored.content_type.to_owned(),
        size: stored.size as i64,
        uploaded_at: svc.now(),
    };
    p.id = briefings::add_photo(tx.conn(), &p).await?;
    audit::record::<(), Photo>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "submission.add_photo",
            object_type: "submission",
            object_id: Some(id.to_string()),
            org_path: Some(s.org_path.clone()),
            before: None,
            after: Some(&p),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A photo the actor may see (with its submission, or in a published briefing they read),
/// with its bytes.
pub async fn photo(
    svc: &Services,
    actor: &Actor,
    photo_id: i64,
) -> ServiceResult<(Photo, Vec<u8>)> {
    let p = {
        let mut c = svc.db.read().await?;
        let p = briefings::photo(c.conn(), photo_id)
            .await?
            .ok_or(ServiceError::NotFound("file"))?;
        // Seen with its submission, or in a published briefing the actor reads.
        if visible(c.conn(), actor, p.submission_id).await.is_err() {
            let mut shown = false;
            for a in briefings::adoptions(c.conn(), p.submission_id).await? {
                let Some(bid) = a.briefing_id else { continue };
                if let Some(b) = briefings::briefing(c.conn(), bid).await? {
                    shown |= b.status == "published" && briefing_shown_to(actor, &b);
                }
            }
            if !shown {
                return Err(ServiceError::NotFound("file"));
            }
        }
        p
    };
    let bytes = svc
        .files
        .read(&p.sha256)
        .await
        .map_err(|_| ServiceError::NotFound("file"))?;
    Ok((p, bytes))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub status: Option<String>,
    pub campaign_id: Option<i64>,
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    f: ListFilter,
    page: Page,
) -> ServiceResult<Paged<Submission>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(briefings::list_submissions(
        c.conn(),
        &SubmissionFilter {
            scopes: actor.scopes(Permission::ReadItems),
            draft_scopes: actor.scopes(Permission::DeliverItems),
            status: f.status.filter(|s| !s.is_empty()),
            campaign_id: f.campaign_id,
        },
        page,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use luodi_domain::role::{Binding, Role};

    fn at() -> DateTime<Utc> {
        "2026-09-01T02:00:00Z".parse().expect("instant")
    }

    /// A submission of org 5 (under org 1) in `status`.
    fn submission(status: &str) -> Submission {
        Submission {
            id: 3,
            campaign_id: 1,
            org_id: 5,
            org_name: "沈阳市交通运输局".into(),
            org_path: "/1/5/".into(),
            title: "开展治超联合执法".into(),
            body: "本周出动执法人员120人次。".into(),
            status: status.into(),
            author_id: Some(7),
            author_name: "user7".into(),
            submitted_at: None,
            edited_by: None,
            version: 1,
            created_at: at(),
            updated_at: at(),
        }
    }

    fn adoption(briefing_status: Option<&str>) -> Adoption {
        Adoption {
            id: 1,
            submission_id: 3,
            level: if briefing_status.is_some() {
                "office"
            } else {
                "higher"
            }
            .into(),
            org_id: Some(1),
            org_name: Some("省交通运输厅".into()),
            briefing_id: briefing_status.map(|_| 4),
            issue_no: briefing_status.map(|_| 12),
            briefing_status: briefing_status.map(str::to_owned),
            note: String::new(),
            adopted_by: "user8".into(),
            adopted_at: at(),
        }
    }

    fn actor(user_id: i64, role: Role, scope_path: &str) -> Actor {
        Actor::user(
            user_id,
            format!("user{user_id}"),
            vec![Binding {
                role,
                org_id: None,
                scope_path: scope_path.into(),
            }],
            None,
        )
    }

    #[test]
    fn a_draft_is_shown_only_to_its_unit_and_a_submission_to_readers_of_its_items() {
        let unit = actor(7, Role::UnitLiaison, "/1/5/");
        let office = actor(8, Role::CampaignOffice, "/1/");
        let leader = actor(9, Role::Leader, "/1/");
        let other_unit = actor(10, Role::UnitLiaison, "/1/6/");

        let draft = submission("draft");
        assert!(shown_to(&unit, &draft));
        assert!(!shown_to(&office, &draft));
        assert!(!shown_to(&leader, &draft));
        assert!(!shown_to(&other_unit, &draft));

        let submitted = submission("submitted");
        assert!(shown_to(&unit, &submitted));
        assert!(shown_to(&office, &submitted));
        assert!(shown_to(&leader, &submitted));
        assert!(!shown_to(&other_unit, &submitted));
    }

    #[test]
    fn the_unit_edits_its_draft_and_the_office_its_submission_until_a_published_briefing_freezes_it(
    ) {
        let unit = actor(7, Role::UnitLiaison, "/1/5/");
        let office = actor(8, Role::Supervisor, "/1/");

        let draft = submission("draft");
        assert!(may_edit(&unit, &draft, false));
        assert!(!may_edit(&office, &draft, false));

        let submitted = submission("submitted");
        assert!(!may_edit(&unit, &submitted, false));
        assert!(may_edit(&office, &submitted, false));
        assert!(!may_edit(&office, &submitted, true));
        assert!(!may_edit(&Actor::cli(), &submitted, true));
    }

    #[test]
    fn only_an_adoption_into_a_published_briefing_freezes_a_submission() {
        assert!(!is_frozen(&[]));
        assert!(!is_frozen(&[adoption(None), adoption(Some("draft"))]));
        assert!(is_frozen(&[
            adoption(Some("draft")),
            adoption(Some("published"))
        ]));
    }

    #[test]
    fn a_submission_needs_a_title_of_at_most_200_characters_and_a_text() {
        assert_eq!(check_text("开展治超联合执法", "本周出动执法人员。"), Ok(()));
        assert_eq!(check_text(&"治".repeat(200), "正文"), Ok(()));
        let v = check_text(&"治".repeat(201), "  \n ").expect_err("refused");
        let got: Vec<(&str, &str)> = v
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code))
            .collect();
        assert_eq!(got, vec![("title", "too_long"), ("body", "required")]);
        assert_eq!(v.errors[0].params, vec![("max", "200".to_owned())]);
    }
}
