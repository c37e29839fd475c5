//! The ledger in Excel: export of any filtered ledger in the layout offices use, the import
//! template, and the import of a filled ledger — every row checked first, all or nothing.

use crate::audit::{self, Change};
use crate::items::{self as svc_items, ItemInput, ItemQuery};
use crate::{Actor, ServiceError, ServiceResult, Services};
use luodi_domain::org::ancestor_ids;
use luodi_domain::role::Permission;
use luodi_office::ledger::{self, ImportedItem, LedgerMeasure, LedgerRow};
use luodi_office::{CellError, ImportError};
use luodi_store::items::{self, BucketKey, CounterDelta, NewItem};
use luodi_store::{orgs, Page};
use std::collections::HashMap;

/// Most items one export holds.
pub const EXPORT_MAX: i64 = 200_000;

/// The filtered ledger as an .xlsx workbook.
pub async fn export(
    svc: &Services,
    actor: &Actor,
    q: ItemQuery,
    title: &str,
) -> ServiceResult<Vec<u8>> {
    // The same query, scope and checks as the ledger list, without paging.
    let first = svc_items::list(svc, actor, q.clone(), Page::new(1, 1)).await?;
    let mut f = q.filter.clone();
    f.scopes = actor.scopes(Permission::ReadItems);
    if let Some(w) = q.within {
        f.within = Some(crate::orgs::get(svc, actor, w).await?.path);
    }
    let mut c = svc.db.read().await?;
    let rows = items::all(c.conn(), &f, EXPORT_MAX.min(first.total.max(1))).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.into_iter().enumerate() {
        let id = r.item.id;
        let measures = items::measures(c.conn(), id).await?;
        let notes = items::notes(c.conn(), id).await?;
        let files = items::attachments(c.conn(), id).await?;
        let it = r.item;
        out.push(LedgerRow {
            seq: i + 1,
            kind: it.kind,
            source: it.source,
            item_type: it.item_type,
            phase: it.phase,
            title: it.title,
            measures: measures
                .into_iter()
                .map(|m| LedgerMeasure { text: m.text })
                .collect(),
            org_code: r.lead_org_code,
            org_name: r.lead_org_name,
            person: it.responsible_person,
            due_on: it.original_due_on,
            progress: notes.last().map(|n| n.text.clone()).unwrap_or_default(),
            status: it.status,
            light: it.light,
            evidence: files
                .iter()
                .map(|f| f.file_name.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            closed_on: it.closed_on,
        });
    }
    drop(c);
    let title = title.to_owned();
    tokio::task::spawn_blocking(move || ledger::export_xlsx(&title, &out))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(ServiceError::Internal)
}

/// The import template, with the orgs the actor may record items for in its drop-down.
pub async fn template(svc: &Services, actor: &Actor) -> ServiceResult<Vec<u8>> {
    let mut c = svc.db.read().await?;
    let filter = orgs::OrgFilter {
        scopes: actor.scopes(Permission::EditItems),
        ..Default::default()
    };
    let list = orgs::list(c.conn(), &filter, Page::new(1, Page::MAX_PER_PAGE)).await?;
    drop(c);
    let pairs: Vec<(String, String)> = list
        .items
        .into_iter()
        .map(|n| (n.org.code, n.org.name))
        .collect();
    tokio::task::spawn_blocking(move || ledger::template_xlsx(&pairs))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(ServiceError::Internal)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
}

/// Leave to import a ledger: the importer may record items somewhere, and has no other import
/// running or waiting. Taken before the file is read; the import's rows are then checked
/// against the units the importer may record items for.
pub struct ImportPermit {
    actor: Actor,
    ticket: crate::imports::Ticket,
}

/// Checks that `actor` may import a ledger at all, and takes their one import.
pub fn admit(svc: &Services, actor: &Actor) -> ServiceResult<ImportPermit> {
    if !actor.can_somewhere(Permission::EditItems) {
        return Err(ServiceError::Forbidden);
    }
    Ok(ImportPermit {
        ticket: svc.imports.reserve(actor.user_id.unwrap_or(0))?,
        actor: actor.clone(),
    })
}

/// Imports a filled ledger into `campaign_id`. The workbook is parsed and every row checked
/// (fields, then responsible units against the importer's scope) before anything is written;
/// then every item goes in one transaction, and the roll-up counters are added once per org.
pub async fn import(
    svc: &Services,
    permit: ImportPermit,
    campaign_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
) -> ServiceResult<ImportSummary> {
    let _slot = permit.ticket.slot(|| {}).await?;
    import_reporting(svc, &permit.actor, campaign_id, bytes, file_name, None).await
}

/// Runs an import as a background job of the actor; returns the job's id at once. The job
/// shows "queued" while it waits for a slot.
pub fn start_import(
    svc: &Services,
    permit: ImportPermit,
    campaign_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
) -> u64 {
    let reporter = svc.jobs.start(
        permit.actor.user_id.unwrap_or(0),
        "ledger_import",
        svc.now(),
    );
    let id = reporter.id();
    let (svc, name) = (svc.clone(), file_name.to_owned());
    tokio::spawn(async move {
        let r = async {
            let _slot = permit.ticket.slot(|| reporter.set("queued", 0, 0)).await?;
            import_reporting(
                &svc,
                &permit.actor,
                campaign_id,
                bytes,
                &name,
                Some(&reporter),
            )
            .await
        }
        .await;
        let outcome = r.map(|s| serde_json::json!({ "created": s.created }));
        svc.jobs.finish(&reporter, outcome, svc.now());
    });
    id
}

/// Items written per round of statements in an import.
const IMPORT_CHUNK: usize = 2_000;

async fn import_reporting(
    svc: &Services,
    actor: &Actor,
    campaign_id: i64,
    bytes: Vec<u8>,
    file_name: &str,
    progress: Option<&crate::jobs::Reporter>,
) -> ServiceResult<ImportSummary> {
    let report = |phase: &'static str, done: usize, total: usize| {
        if let Some(p) = progress {
            p.set(phase, done as u64, total as u64);
        }
    };
    report("parsing", 0, 0);
    let limits = luodi_office::sheet::Limits {
        max_bytes: svc.config.max_upload_bytes,
        ..Default::default()
    };
    let name = file_name.to_owned();
    let parsed: Vec<ImportedItem> = svc
        .imports
        .read(move || ledger::parse(&bytes, &name, &limits))
        .await??;
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    if !luodi_store::campaigns::is_visible(
        tx.conn(),
        campaign_id,
        &actor.scopes(Permission::ReadCampaigns),
    )
    .await?
        && !actor.system
    {
        return Err(crate::error::invalid("campaign_id", "unknown_campaign"));
    }
    let r = svc_items::item_rules(tx.conn(), campaign_id).await?;
    let mut codes: Vec<String> = parsed.iter().map(|p| p.org_code.clone()).collect();
    codes.sort();
    codes.dedup();
    let found: HashMap<String, orgs::Org> = orgs::find_by_codes(tx.conn(), &codes)
        .await?
        .into_iter()
        .map(|o| (o.code.clone(), o))
        .collect();
    let mut errors = Vec::new();
    for p in &parsed {
        let cell = |code: &'static str| CellError {
            row: p.row,
            column: p.org_code_column.0.clone(),
            header: p.org_code_column.1.clone(),
            code,
            params: vec![("value", p.org_code.clone())],
        };
        match found.get(&p.org_code) {
            Some(o) if actor.can(Permission::EditItems, &o.path) && !o.disabled => {}
            Some(o) if actor.can(Permission::ReadOrgs, &o.path) && !o.disabled => {
                errors.push(cell("org_not_editable"))
            }
            _ => errors.push(cell("unknown_org")),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors).into());
    }
    let mut new = Vec::with_capacity(parsed.len());
    for p in &parsed {
        let Some(lead) = found.get(&p.org_code) else {
            continue;
        };
        let input = ItemInput {
            campaign_id,
            kind: p.kind.clone(),
            parent_id: None,
            title: p.title.clone(),
            description: String::new(),
            phase: p.phase.clone(),
            source: p.source.clone(),
            category: String::new(),
            item_type: p.item_type.clone(),
            lead_org_id: lead.id,
            co_org_ids: Vec::new(),
            responsible_user_id: None,
            responsible_person: p.person.clone(),
            due_on: p.due_on,
            goal_id: None,
            measures: p.measures.clone(),
            milestones: Vec::new(),
            weight: None,
            programme_area_id: None,
            issue: true,
        };
        // The parser checked the same rules; this keeps the import exactly as strict as the form.
        if let Err(v) = svc_items::validate(&input).into_result() {
            let first = v.errors.first().map(|e| e.code).unwrap_or("invalid");
            return Err(ImportError::Rows(vec![CellError {
                row: p.row,
                column: String::new(),
                header: String::new(),
                code: first,
                params: vec![],
            }])
            .into());
        }
        let (item, steps) = svc_items::new_item(actor, &input, lead, &r, now)?;
        new.push(NewItem {
            item,
            measures: svc_items::new_measures(&input),
            events: svc_items::creation_events(actor, 0, &steps, now),
        });
    }
    // Many rows per statement, a few thousand items at a time so that progress moves.
    let mut counts: HashMap<(i64, BucketKey), (i64, i64)> = HashMap::new();
    let mut created = 0usize;
    for chunk in new.chunks_mut(IMPORT_CHUNK) {
        items::insert_many(tx.conn(), chunk).await?;
        for n in chunk.iter() {
            let key = svc_items::key(&n.item);
            for org in ancestor_ids(&n.item.lead_org_path) {
                counts.entry((org, key.clone())).or_default().0 += 1;
            }
        }
        created += chunk.len();
        report("writing", created, parsed.len());
    }
    let deltas = counts
        .into_iter()
        .map(|((org_id, key), (n, days))| CounterDelta {
            org_id,
            campaign_id,
            key,
            n,
            days,
        })
        .collect();
    items::bump(tx.conn(), deltas, campaign_id).await?;
    audit::record::<(), serde_json::Value>(
        svc,
        tx.conn(),
        actor,
        Change {
            action: "item.import",
            object_type: "campaign",
            object_id: Some(campaign_id.to_string()),
            org_path: None,
            before: None,
            after: Some(&serde_json::json!({ "file_name": file_name, "created": created })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ImportSummary { created })
}
