//! Adopting submissions into a briefing (简报), publishing it, and the briefing as a document.

use super::*;

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
pub(super) fn briefing_shown_to(actor: &Actor, b: &Briefing) -> bool {
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
