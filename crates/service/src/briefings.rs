//! Information submissions (信息报送) and briefings (工作简报). A unit writes a short news item
//! about its campaign work (title, text, up to nine photos) and submits it; the supervising
//! office may edit it, adopts some into numbered briefings it publishes to its scope, and records
//! when a higher level adopted one. A submission in a published briefing no longer changes.
//! Drafts are the writing unit's own: nobody else sees them.

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

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AdoptInput {
    /// office (into one of the actor's briefings) or higher (a higher level adopted it)
    pub level: String,
    #[serde(default)]
    pub briefing_id: Option<i64>,
    /// For a higher level: who adopted it and where, e.g. 省委办公厅《每日要情》第35期.
    #[serde(default)]
    pub note: String,
}

/// Adopts a submitted item: into a draft briefing of the actor's office, or records that a
/// higher level adopted it.
pub async fn adopt(
    svc: &Services,
    actor: &Actor,
    id: i64,
    input: AdoptInput,
) -> ServiceResult<SubmissionView> {
    let mut v = Validation::new();
    match input.level.as_str() {
        "office" if input.briefing_id.is_none() => v.add("briefing_id", "required"),
        "office" => v.max_len("note", &input.note, 500),
        "higher" => v.text("note", &input.note, 500),
        _ => v.add("level", "unknown_value"),
    }
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if !actor.can(Permission::SuperviseItems, &before.org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    if before.status == "draft" {
        return Err(ServiceError::Conflict("wrong_status"));
    }
    // Into one of the office's own draft briefings, or (a higher level) into none.
    let (org_id, briefing_id) = match input.briefing_id {
        Some(bid) if input.level == "office" => {
            let b = briefings::briefing(tx.conn(), bid)
                .await?
                .filter(|b| actor.can(Permission::SuperviseItems, &b.org_path))
                .ok_or_else(|| invalid("briefing_id", "unknown_briefing"))?;
            if b.status != "draft" {
                return Err(ServiceError::Conflict("briefing_published"));
            }
            if b.campaign_id != before.campaign_id || !is_within(&before.org_path, &b.org_path) {
                return Err(invalid("briefing_id", "outside_scope"));
            }
            (Some(b.org_id), Some(b.id))
        }
        _ => (None, None),
    };
    let adopted = briefings::adopt(
        tx.conn(),
        &NewAdoption {
            submission_id: id,
            level: &input.level,
            org_id,
            briefing_id,
            note: input.note.trim(),
            adopted_by: &actor.name,
        },
        svc.now(),
    )
    .await?;
    if !adopted {
        return Err(ServiceError::Conflict("already_adopted"));
    }
    if before.status != "adopted" {
        let mut after = before.clone();
        after.status = "adopted".into();
        if !briefings::save_submission(tx.conn(), &after, before.version, svc.now()).await? {
            return Err(ServiceError::Stale {
                current: before.version,
            });
        }
    }
    audit::record::<(), AdoptInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "submission.adopt",
            object_type: "submission",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

/// Takes a submission out of a briefing that is still a draft.
pub async fn unadopt(
    svc: &Services,
    actor: &Actor,
    id: i64,
    briefing_id: i64,
) -> ServiceResult<SubmissionView> {
    let mut tx = svc.db.begin().await?;
    let before = visible(tx.conn(), actor, id).await?;
    let b = briefings::briefing(tx.conn(), briefing_id)
        .await?
        .filter(|b| actor.can(Permission::SuperviseItems, &b.org_path))
        .ok_or(ServiceError::NotFound("briefing"))?;
    if b.status != "draft" {
        return Err(ServiceError::Conflict("briefing_published"));
    }
    if !briefings::unadopt(tx.conn(), id, briefing_id).await? {
        return Err(ServiceError::NotFound("adoption"));
    }
    if briefings::adoption_count(tx.conn(), id).await? == 0 {
        let mut after = before.clone();
        after.status = "submitted".into();
        if !briefings::save_submission(tx.conn(), &after, before.version, svc.now()).await? {
            return Err(ServiceError::Stale {
                current: before.version,
            });
        }
    }
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "submission.unadopt",
            object_type: "submission",
            object_id: Some(id.to_string()),
            org_path: Some(before.org_path.clone()),
            before: None,
            after: Some(&serde_json::json!({ "briefing_id": briefing_id })),
        },
    )
    .await?;
    tx.commit().await?;
    get(svc, actor, id).await
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BriefingInput {
    pub campaign_id: i64,
    pub org_id: i64,
    pub title: String,
}

/// One submission as a briefing carries it.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingEntry {
    pub submission: Submission,
    pub photos: Vec<Photo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefingView {
    pub briefing: Briefing,
    pub entries: Vec<BriefingEntry>,
    pub can_publish: bool,
    /// For the office while it is a draft: submitted items of its scope it may add.
    pub candidates: Vec<Submission>,
}

/// The office starts a briefing with the next issue number.
pub async fn create_briefing(
    svc: &Services,
    actor: &Actor,
    input: BriefingInput,
) -> ServiceResult<BriefingView> {
    // The masthead and issue number say what it is; a title of its own is optional.
    let mut v = Validation::new();
    v.max_len("title", &input.title, TITLE_MAX);
    v.into_result()?;
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
    if !actor.can(Permission::SuperviseItems, &org.path) {
        return Err(ServiceError::Forbidden);
    }
    let id = briefings::create_briefing(
        tx.conn(),
        input.campaign_id,
        (org.id, &org.path),
        input.title.trim(),
        svc.now(),
    )
    .await?;
    audit::record::<(), BriefingInput>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "briefing.create",
            object_type: "briefing",
            object_id: Some(id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&input),
        },
    )
    .await?;
    tx.commit().await?;
    get_briefing(svc, actor, id).await
}

/// Published briefings go to everyone in or above the issuer's scope; drafts only to the office.
fn briefing_shown_to(actor: &Actor, b: &Briefing) -> bool {
    let supervises = actor.can(Permission::SuperviseItems, &b.org_path);
    let belongs = actor.can(Permission::ReadItems, &b.org_path)
        || actor
            .scopes(Permission::ReadItems)
            .iter()
            .any(|s| is_within(s, &b.org_path));
    supervises || (b.status == "published" && belongs)
}

pub async fn get_briefing(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<BriefingView> {
    let mut c = svc.db.read().await?;
    let b = briefings::briefing(c.conn(), id)
        .await?
        .filter(|b| briefing_shown_to(actor, b))
        .ok_or(ServiceError::NotFound("briefing"))?;
    let mut photos: std::collections::HashMap<i64, Vec<Photo>> = Default::default();
    for p in briefings::photos_in_briefing(c.conn(), id).await? {
        photos.entry(p.submission_id).or_default().push(p);
    }
    let entries = briefings::entries(c.conn(), id)
        .await?
        .into_iter()
        .map(|s| BriefingEntry {
            photos: photos.remove(&s.id).unwrap_or_default(),
            submission: s,
        })
        .collect();
    let can_publish = b.status == "draft" && actor.can(Permission::SuperviseItems, &b.org_path);
    let candidates = if can_publish {
        briefings::list_submissions(
            c.conn(),
            &SubmissionFilter {
                scopes: vec![b.org_path.clone()],
                draft_scopes: Vec::new(),
                status: Some("submitted".into()),
                campaign_id: Some(b.campaign_id),
            },
            Page::new(1, 50),
        )
        .await?
        .items
    } else {
        Vec::new()
    };
    Ok(BriefingView {
        briefing: b,
        entries,
        can_publish,
        candidates,
    })
}

pub async fn list_briefings(svc: &Services, actor: &Actor) -> ServiceResult<Vec<Briefing>> {
    if !actor.can_somewhere(Permission::ReadItems) {
        return Err(ServiceError::Forbidden);
    }
    let mut c = svc.db.read().await?;
    Ok(briefings::list_briefings(
        c.conn(),
        &actor.scopes(Permission::ReadItems),
        &actor.scopes(Permission::SuperviseItems),
        200,
    )
    .await?)
}

/// Publishes a draft briefing to the scope; an empty one is refused. From then on neither the
/// briefing nor the submissions it carries change.
pub async fn publish_briefing(
    svc: &Services,
    actor: &Actor,
    id: i64,
) -> ServiceResult<BriefingView> {
    let mut tx = svc.db.begin().await?;
    let b = briefings::briefing(tx.conn(), id)
        .await?
        .filter(|b| briefing_shown_to(actor, b))
        .ok_or(ServiceError::NotFound("briefing"))?;
    if !actor.can(Permission::SuperviseItems, &b.org_path) {
        return Err(ServiceError::Refused("not_supervisor"));
    }
    if b.entries == 0 {
        return Err(ServiceError::Conflict("empty_briefing"));
    }
    if !briefings::publish_briefing(tx.conn(), id, &actor.name, svc.now()).await? {
        return Err(ServiceError::Conflict("briefing_published"));
    }
    audit::record::<Briefing, serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "briefing.publish",
            object_type: "briefing",
            object_id: Some(id.to_string()),
            org_path: Some(b.org_path.clone()),
            before: Some(&b),
            after: Some(&serde_json::json!({ "status": "published" })),
        },
    )
    .await?;
    tx.commit().await?;
    get_briefing(svc, actor, id).await
}

/// The bytes of every photo a briefing view shows, by photo id (for its .docx).
pub async fn pictures(svc: &Services, v: &BriefingView) -> std::collections::HashMap<i64, Vec<u8>> {
    let mut out = std::collections::HashMap::new();
    for p in v.entries.iter().flat_map(|e| &e.photos) {
        if let Ok(bytes) = svc.files.read(&p.sha256).await {
            out.insert(p.id, bytes);
        }
    }
    out
}
/// The briefing in the reader's language, with its photos.
pub async fn document(
    svc: &Services,
    i18n: &I18n,
    lang: Lang,
    v: &BriefingView,
) -> luodi_office::briefing::BriefingDoc {
    let mut pictures = pictures(svc, v).await;
    let b = &v.briefing;
    let date = b.published_at.unwrap_or(b.created_at).format("%Y-%m-%d");
    luodi_office::briefing::BriefingDoc {
        masthead: i18n.t(lang, "briefing-doc-title"),
        issue: i18n.tr(lang, "bulletin-issue", &[("n", b.issue_no.to_string())]),
        issuer_line: format!("{}　{date}", b.org_name),
        title: b.title.clone(),
        entries: v
            .entries
            .iter()
            .map(|e| luodi_office::briefing::BriefingEntry {
                title: e.submission.title.clone(),
                source: format!("【{}】", e.submission.org_name),
                body: e.submission.body.clone(),
                pictures: e
                    .photos
                    .iter()
                    .filter_map(|p| {
                        Some(luodi_office::docx::Picture {
                            bytes: pictures.remove(&p.id)?,
                            caption: p.file_name.clone(),
                        })
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The briefing as a Word document: its file name and bytes.
pub async fn file(
    svc: &Services,
    i18n: &I18n,
    lang: Lang,
    v: &BriefingView,
) -> ServiceResult<(String, Vec<u8>)> {
    let doc = document(svc, i18n, lang, v).await;
    let bytes = luodi_office::briefing::to_docx(&doc).map_err(ServiceError::Internal)?;
    let name = format!(
        "{}-{}.docx",
        i18n.t(lang, "briefing-doc-title"),
        v.briefing.issue_no
    );
    Ok((name, bytes))
}
