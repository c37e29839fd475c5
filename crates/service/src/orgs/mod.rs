//! The organisation tree: browse, create, rename, move, disable, import. Reads outside the
//! reader's subtree answer "not found", so nobody learns what lies outside their scope.

mod import;

pub use import::*;

// What callers of this service see of its storage.
use crate::audit::{self, Change};
use crate::error::invalid;
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::org::{self as rules, check_move, MoveError, OrgKind};
use luodi_domain::role::Permission;
use luodi_domain::Validation;
use luodi_office::{CellError, ImportError};
use luodi_store::orgs::{self, NewOrg, OrgFilter};
pub use luodi_store::orgs::{Org, OrgHit, OrgNode};
use luodi_store::{Conn, Page, Paged, StoreError};
use serde::Serialize;
use std::collections::HashMap;

/// An org with its ancestors (the breadcrumb, root first) and its number of children.
#[derive(Debug, Clone, Serialize)]
pub struct OrgDetail {
    pub org: Org,
    pub ancestors: Vec<Org>,
    pub child_count: i64,
}

async fn load(c: Conn<'_>, id: i64) -> ServiceResult<Org> {
    orgs::get(c, id).await?.ok_or(ServiceError::NotFound("org"))
}

/// An org the actor may read, or "not found".
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<Org> {
    let mut c = svc.db.read().await?;
    visible(c.conn(), actor, id).await
}

/// [`get`] on a connection the caller holds already.
pub async fn visible(c: Conn<'_>, actor: &Actor, id: i64) -> ServiceResult<Org> {
    let org = load(c, id).await?;
    if !actor.can(Permission::ReadOrgs, &org.path) {
        return Err(ServiceError::NotFound("org"));
    }
    Ok(org)
}

pub async fn get_by_code(svc: &Services, actor: &Actor, code: &str) -> ServiceResult<Org> {
    let mut c = svc.db.read().await?;
    let org = orgs::get_by_code(c.conn(), code.trim())
        .await?
        .ok_or(ServiceError::NotFound("org"))?;
    if !actor.can(Permission::ReadOrgs, &org.path) {
        return Err(ServiceError::NotFound("org"));
    }
    Ok(org)
}

pub async fn detail(svc: &Services, actor: &Actor, id: i64) -> ServiceResult<OrgDetail> {
    let org = get(svc, actor, id).await?;
    let mut c = svc.db.read().await?;
    // The breadcrumb shows only the ancestors the reader may see.
    let ancestors = orgs::ancestors(c.conn(), &org.path)
        .await?
        .into_iter()
        .filter(|a| a.id != org.id && actor.can(Permission::ReadOrgs, &a.path))
        .collect();
    let child_count = orgs::children(c.conn(), Some(org.id), true).await?.len() as i64;
    Ok(OrgDetail {
        org,
        ancestors,
        child_count,
    })
}

/// What an org list may be filtered by.
#[derive(Debug, Clone, Default)]
pub struct OrgQuery {
    pub within: Option<i64>,
    pub parent_id: Option<i64>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub include_disabled: bool,
}

pub async fn list(
    svc: &Services,
    actor: &Actor,
    q: OrgQuery,
    page: Page,
) -> ServiceResult<Paged<OrgNode>> {
    let within = match q.within {
        Some(id) => Some(get(svc, actor, id).await?.path),
        None => None,
    };
    if let Some(k) = &q.kind {
        if OrgKind::parse(k).is_none() {
            let mut v = Validation::new();
            v.add_with("kind", "unknown_kind", vec![("value", k.trim().to_owned())]);
            return Err(v.into());
        }
    }
    let filter = OrgFilter {
        scopes: actor.scopes(Permission::ReadOrgs),
        within,
        parent_id: q.parent_id,
        kind: q
            .kind
            .as_deref()
            .and_then(OrgKind::parse)
            .map(|k| k.as_str().to_owned()),
        q: q.q,
        include_disabled: q.include_disabled,
    };
    let mut c = svc.db.read().await?;
    Ok(orgs::list(c.conn(), &filter, page).await?)
}

/// Most answers a lookup gives, and how many when none is asked for.
pub const LOOKUP_MAX: i64 = 50;
pub const LOOKUP_DEFAULT: i64 = 20;

/// An org a picker offers: the org, and the names of its ancestors the reader may see (root
/// first), so that two branches of the same name can be told apart.
#[derive(Debug, Clone, Serialize)]
pub struct LookupHit {
    pub org: Org,
    pub parent_name: Option<String>,
    pub path_names: Vec<String>,
}

/// Orgs whose name or code (or parent's name) holds the typed words, among those the actor may
/// read, optionally only under `under`; at most `limit` (1–50, default 20). Two queries
/// whatever the tree's size: the lookup, and the names of the answers' ancestors.
pub async fn lookup(
    svc: &Services,
    actor: &Actor,
    q: &str,
    under: Option<i64>,
    limit: Option<i64>,
) -> ServiceResult<Vec<LookupHit>> {
    let limit = limit.unwrap_or(LOOKUP_DEFAULT).clamp(1, LOOKUP_MAX);
    let within = match under {
        Some(id) => Some(get(svc, actor, id).await?.path),
        None => None,
    };
    let forms = rules::lookup_forms(q);
    let scopes = actor.scopes(Permission::ReadOrgs);
    let mut c = svc.db.read().await?;
    let hits = orgs::lookup(c.conn(), &scopes, within.as_deref(), &forms, limit).await?;
    let mut ids: Vec<i64> = hits
        .iter()
        .flat_map(|h| rules::ancestor_ids(&h.org.path))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, Org> = orgs::by_ids(c.conn(), &ids)
        .await?
        .into_iter()
        .filter(|o| actor.can(Permission::ReadOrgs, &o.path))
        .map(|o| (o.id, o))
        .collect();
    Ok(hits
        .into_iter()
        .map(|h| {
            let path_names = rules::ancestor_ids(&h.org.path)
                .into_iter()
                .filter(|id| *id != h.org.id)
                .filter_map(|id| names.get(&id).map(|o| o.name.clone()))
                .collect();
            let parent_readable = h.org.parent_id.is_some_and(|p| names.contains_key(&p));
            LookupHit {
                parent_name: h.parent_name.filter(|_| parent_readable),
                path_names,
                org: h.org,
            }
        })
        .collect())
}

/// Children of `parent`; without a parent, the roots of the actor's scopes.
pub async fn children(
    svc: &Services,
    actor: &Actor,
    parent: Option<i64>,
    include_disabled: bool,
) -> ServiceResult<Vec<OrgNode>> {
    if let Some(p) = parent {
        get(svc, actor, p).await?;
        let mut c = svc.db.read().await?;
        return Ok(orgs::children(c.conn(), Some(p), include_disabled).await?);
    }
    let scopes = actor.scopes(Permission::ReadOrgs);
    let mut c = svc.db.read().await?;
    if scopes.iter().any(|s| s == "/") {
        return Ok(orgs::children(c.conn(), None, include_disabled).await?);
    }
    let mut out = Vec::new();
    for s in scopes {
        if let Some(id) = rules::ancestor_ids(&s).last() {
            let filter = OrgFilter {
                scopes: vec![s.clone()],
                parent_id: None,
                include_disabled: true,
                ..Default::default()
            };
            let page = orgs::list(c.conn(), &filter, Page::new(1, 1)).await?;
            out.extend(page.items.into_iter().filter(|n| n.org.id == *id));
        }
    }
    Ok(out)
}

/// A new org as entered.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewOrgInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
}

fn validate_new(input: &NewOrgInput) -> Result<OrgKind, Validation> {
    let mut v = Validation::new();
    rules::validate_code(&mut v, "code", &input.code);
    rules::validate_name(&mut v, "name", &input.name);
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        if input.kind.trim().is_empty() {
            v.add("kind", "required");
        } else {
            v.add_with(
                "kind",
                "unknown_kind",
                vec![("value", input.kind.trim().to_owned())],
            );
        }
    }
    v.into_result()?;
    kind.ok_or_else(|| Validation::single("kind", "unknown_kind"))
}

fn map_unique(e: StoreError) -> ServiceError {
    match e {
        StoreError::Unique(_) => {
            ServiceError::Validation(Validation::single("code", "duplicate_code"))
        }
        other => other.into(),
    }
}

/// Parent check shared by create and move: it must exist, be readable, and be manageable.
async fn manageable_parent(
    c: Conn<'_>,
    actor: &Actor,
    parent_id: Option<i64>,
    field: &str,
) -> ServiceResult<Option<Org>> {
    match parent_id {
        None => {
            if actor.can(Permission::ManageOrgs, "/") {
                Ok(None)
            } else {
                Err(invalid(field, "required"))
            }
        }
        Some(pid) => {
            let parent = orgs::get(c, pid).await?;
            let Some(parent) = parent.filter(|p| actor.can(Permission::ReadOrgs, &p.path)) else {
                return Err(invalid(field, "unknown_parent"));
            };
            if !actor.can(Permission::ManageOrgs, &parent.path) {
                return Err(ServiceError::Forbidden);
            }
            if parent.disabled {
                return Err(invalid(field, "parent_disabled"));
            }
            Ok(Some(parent))
        }
    }
}

pub async fn create(svc: &Services, actor: &Actor, input: NewOrgInput) -> ServiceResult<Org> {
    let kind = validate_new(&input)?;
    let mut tx = svc.db.begin().await?;
    let parent = manageable_parent(tx.conn(), actor, input.parent_id, "parent_id").await?;
    let org = orgs::create(
        tx.conn(),
        &NewOrg {
            code: input.code.trim(),
            name: input.name.trim(),
            kind: kind.as_str(),
            parent: parent.as_ref(),
        },
        svc.now(),
    )
    .await
    .map_err(map_unique)?;
    audit::record::<(), Org>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "org.create",
            object_type: "org",
            object_id: Some(org.id.to_string()),
            org_path: Some(org.path.clone()),
            before: None,
            after: Some(&org),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(org)
}

/// Changes to an org's own fields; absent fields stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub disabled: Option<bool>,
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    changes: OrgChanges,
    expected_version: i64,
) -> ServiceResult<Org> {
    let mut v = Validation::new();
    if let Some(n) = &changes.name {
        rules::validate_name(&mut v, "name", n);
    }
    let kind = match &changes.kind {
        Some(k) => match OrgKind::parse(k) {
            Some(k) => Some(k),
            None => {
                v.add_with("kind", "unknown_kind", vec![("value", k.trim().to_owned())]);
                None
            }
        },
        None => None,
    };
    v.into_result()?;
    let mut tx = svc.db.begin().await?;
    let before = load(tx.conn(), id).await?;
    if !actor.can(Permission::ReadOrgs, &before.path) {
        return Err(ServiceError::NotFound("org"));
    }
    if !actor.can(Permission::ManageOrgs, &before.path) {
        return Err(ServiceError::Forbidden);
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let mut after = before.clone();
    if let Some(n) = changes.name {
        after.name = n.trim().to_owned();
    }
    if let Some(k) = kind {
        after.kind = k.as_str().to_owned();
    }
    if let Some(d) = changes.disabled {
        if d && !before.disabled
            && orgs::children(tx.conn(), Some(id), false)
                .await?
                .iter()
                .any(|c| !c.org.disabled)
        {
            return Err(ServiceError::Conflict("has_active_children"));
        }
        if !d && before.disabled {
            if let Some(pid) = before.parent_id {
                if load(tx.conn(), pid).await?.disabled {
                    return Err(ServiceError::Conflict("parent_disabled"));
                }
            }
        }
        after.disabled = d;
    }
    if !orgs::update(tx.conn(), &after, expected_version, svc.now()).await? {
        return Err(ServiceError::Stale {
            current: load(tx.conn(), id).await?.version,
        });
    }
    let after = load(tx.conn(), id).await?;
    let action = match (before.disabled, after.disabled) {
        (false, true) => "org.disable",
        (true, false) => "org.enable",
        _ => "org.update",
    };
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action,
            object_type: "org",
            object_id: Some(id.to_string()),
            org_path: Some(after.path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Moves an org (and its subtree) under another parent.
pub async fn move_org(
    svc: &Services,
    actor: &Actor,
    id: i64,
    new_parent_id: Option<i64>,
    expected_version: i64,
) -> ServiceResult<Org> {
    let mut tx = svc.db.begin().await?;
    let before = load(tx.conn(), id).await?;
    if !actor.can(Permission::ReadOrgs, &before.path) {
        return Err(ServiceError::NotFound("org"));
    }
    if !actor.can(Permission::ManageOrgs, &before.path) {
        return Err(ServiceError::Forbidden);
    }
    if before.version != expected_version {
        return Err(ServiceError::Stale {
            current: before.version,
        });
    }
    let parent = manageable_parent(tx.conn(), actor, new_parent_id, "parent_id").await?;
    let current_parent_path = match before.parent_id {
        Some(pid) => Some(load(tx.conn(), pid).await?.path),
        None => None,
    };
    match check_move(
        &before.path,
        current_parent_path.as_deref(),
        parent.as_ref().map(|p| p.path.as_str()),
    ) {
        Err(MoveError::Cycle) => return Err(invalid("parent_id", "move_cycle")),
        Err(MoveError::SameParent) => return Err(invalid("parent_id", "same_parent")),
        Ok(()) => {}
    }
    if !orgs::move_subtree(
        tx.conn(),
        &before,
        parent.as_ref(),
        expected_version,
        svc.now(),
    )
    .await?
    {
        return Err(ServiceError::Stale {
            current: load(tx.conn(), id).await?.version,
        });
    }
    let after = load(tx.conn(), id).await?;
    move_items(tx.conn(), &before, &after).await?;
    audit::record(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "org.move",
            object_type: "org",
            object_id: Some(id.to_string()),
            org_path: Some(after.path.clone()),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    tx.commit().await?;
    svc.principals.forget();
    Ok(after)
}

/// Carries the items of a moved subtree along: their scope paths, and the subtree's roll-up
/// counters from the old ancestors to the new ones (the moved org's own counters are the
/// subtree's totals, so no item needs recounting).
async fn move_items(mut c: Conn<'_>, before: &Org, after: &Org) -> ServiceResult<()> {
    use luodi_store::items;
    items::rewrite_paths(c.re(), &before.path, &after.path).await?;
    luodi_store::search::rewrite_paths(c.re(), &before.path, &after.path).await?;
    orgs::rewrite_placed_paths(c.re(), &before.path, &after.path).await?;
    let old: Vec<i64> = rules::ancestor_ids(&before.path)
        .into_iter()
        .filter(|id| *id != before.id)
        .collect();
    let new: Vec<i64> = rules::ancestor_ids(&after.path)
        .into_iter()
        .filter(|id| *id != after.id)
        .collect();
    let mut deltas = Vec::new();
    for (campaign, counter) in items::counters_by_campaign(c.re(), before.id).await? {
        let (n, days) = (counter.n, counter.days_to_close_sum);
        deltas.extend(items::CounterDelta::for_each(
            &old,
            campaign,
            &counter.key,
            -n,
            -days,
        ));
        deltas.extend(items::CounterDelta::for_each(
            &new,
            campaign,
            &counter.key,
            n,
            days,
        ));
    }
    items::bump(c.re(), deltas, before.id).await?;
    Ok(())
}

/// How many orgs of each kind lie in `within`'s subtree, or in all of the actor's scopes.
pub async fn count_by_kind(
    svc: &Services,
    actor: &Actor,
    within: Option<i64>,
) -> ServiceResult<Vec<(String, i64)>> {
    let scopes = match within {
        Some(id) => vec![get(svc, actor, id).await?.path],
        None => actor.scopes(Permission::ReadOrgs),
    };
    let mut c = svc.db.read().await?;
    let mut kinds: Vec<(String, i64)> = Vec::new();
    for s in scopes {
        for (k, n) in orgs::count_by_kind(c.conn(), &s).await? {
            match kinds.iter_mut().find(|(kk, _)| *kk == k) {
                Some(e) => e.1 += n,
                None => kinds.push((k, n)),
            }
        }
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_org(code: &str, name: &str, kind: &str) -> NewOrgInput {
        NewOrgInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            parent_id: None,
        }
    }

    #[test]
    fn a_new_org_takes_its_kind_by_code_name_or_chinese_label() {
        assert_eq!(
            validate_new(&new_org("LN-JTT_01", "辽宁省交通运输厅", "department")),
            Ok(OrgKind::Department)
        );
        assert_eq!(
            validate_new(&new_org("sy", "沈阳市", " City ")),
            Ok(OrgKind::City)
        );
        assert_eq!(
            validate_new(&new_org("sy-hp", "和平区", "区")),
            Ok(OrgKind::County)
        );
        assert_eq!(
            validate_new(&new_org("sy-hp-1", "第一党支部", "党支部")),
            Ok(OrgKind::Branch)
        );
    }

    #[test]
    fn a_new_org_needs_an_ascii_code_a_name_and_a_known_kind() {
        let mut want = Validation::new();
        want.add("code", "required");
        want.add("name", "required");
        want.add("kind", "required");
        assert_eq!(validate_new(&new_org(" ", "", "  ")), Err(want));

        let mut want = Validation::new();
        want.add("code", "bad_code");
        want.add_with("kind", "unknown_kind", vec![("value", "乡镇".into())]);
        assert_eq!(
            validate_new(&new_org("交通厅", "交通厅", " 乡镇 ")),
            Err(want)
        );

        let mut want = Validation::new();
        want.add("code", "bad_code");
        want.add_with("name", "too_long", vec![("max", "100".into())]);
        assert_eq!(
            validate_new(&new_org("ln jtt", &"厅".repeat(101), "unit")),
            Err(want)
        );

        // 33 characters, one more than a code may have.
        let mut want = Validation::new();
        want.add_with("code", "too_long", vec![("max", "32".into())]);
        assert_eq!(
            validate_new(&new_org(&"a".repeat(33), "交通厅", "unit")),
            Err(want)
        );
    }
}
