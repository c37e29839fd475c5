//! An org tree from a spreadsheet, admitted one at a time per account.

use super::*;

/// Result of an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub created: usize,
}

/// Leave to import an org tree: the importer manages orgs somewhere, and has no other import
/// running or waiting. Taken before the file is read.
pub struct ImportPermit {
    pub(super) actor: Actor,
    pub(super) ticket: crate::imports::Ticket,
}

/// Checks that `actor` may import orgs at all, and takes their one import.
pub fn admit_import(svc: &Services, actor: &Actor) -> ServiceResult<ImportPermit> {
    if !actor.can_somewhere(Permission::ManageOrgs) {
        return Err(ServiceError::Forbidden);
    }
    Ok(ImportPermit {
        ticket: svc.imports.reserve(actor.user_id.unwrap_or(0))?,
        actor: actor.clone(),
    })
}

/// Reads an org tree from a file (its rows checked first, all or nothing) and imports it, in
/// one of the instance's import slots.
pub async fn import_file(
    svc: &Services,
    permit: ImportPermit,
    bytes: Vec<u8>,
    file_name: &str,
) -> ServiceResult<ImportSummary> {
    let _slot = permit.ticket.slot(|| {}).await?;
    let limits = luodi_office::sheet::Limits {
        max_bytes: svc.config.max_upload_bytes,
        ..Default::default()
    };
    let name = file_name.to_owned();
    let sheet = svc
        .imports
        .read(move || luodi_office::org_import::parse_sheet(&bytes, &name, &limits))
        .await??;
    import(svc, &permit.actor, sheet).await
}

/// Imports parsed rows: every row is checked against the database first (codes free, parents
/// known and manageable); any bad row and nothing is written. All rows go in one transaction.
pub async fn import(
    svc: &Services,
    actor: &Actor,
    sheet: luodi_office::org_import::OrgSheet,
) -> ServiceResult<ImportSummary> {
    let luodi_office::org_import::OrgSheet { rows, columns } = sheet;
    let mut tx = svc.db.begin().await?;
    let mut codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    codes.extend(rows.iter().filter_map(|r| r.parent_code.clone()));
    codes.sort();
    codes.dedup();
    let existing: HashMap<String, Org> = orgs::find_by_codes(tx.conn(), &codes)
        .await?
        .into_iter()
        .map(|o| (o.code.clone(), o))
        .collect();
    let in_file: std::collections::HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let mut errors = Vec::new();
    let cell = |row: usize,
                col: &(String, String),
                code: &'static str,
                params: Vec<(&'static str, String)>| CellError {
        row,
        column: col.0.clone(),
        header: col.1.clone(),
        code,
        params,
    };
    for r in &rows {
        if existing.contains_key(&r.code) {
            errors.push(cell(
                r.row,
                &columns.code,
                "code_exists",
                vec![("value", r.code.clone())],
            ));
        }
        match &r.parent_code {
            None => {
                if !actor.can(Permission::ManageOrgs, "/") {
                    errors.push(cell(r.row, &columns.parent_code, "required", vec![]));
                }
            }
            Some(p) if in_file.contains(p.as_str()) => {}
            Some(p) => match existing.get(p) {
                Some(parent)
                    if actor.can(Permission::ManageOrgs, &parent.path) && !parent.disabled => {}
                Some(parent)
                    if actor.can(Permission::ReadOrgs, &parent.path) && !parent.disabled =>
                {
                    errors.push(cell(
                        r.row,
                        &columns.parent_code,
                        "parent_not_manageable",
                        vec![("value", p.clone())],
                    ))
                }
                _ => errors.push(cell(
                    r.row,
                    &columns.parent_code,
                    "unknown_parent",
                    vec![("value", p.clone())],
                )),
            },
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(ImportError::Rows(errors).into());
    }
    // Rows come parents-first, so every parent is known by the time its child is inserted.
    let mut made: HashMap<String, Org> = HashMap::new();
    let now = svc.now();
    for r in &rows {
        let parent = r
            .parent_code
            .as_ref()
            .and_then(|p| made.get(p).or_else(|| existing.get(p)))
            .cloned();
        let org = orgs::create(
            tx.conn(),
            &NewOrg {
                code: &r.code,
                name: &r.name,
                kind: r.kind.as_str(),
                parent: parent.as_ref(),
            },
            now,
        )
        .await
        .map_err(map_unique)?;
        audit::record::<(), Org>(
            svc,
            tx.conn(),
            actor,
            Change {
                action: "org.import",
                object_type: "org",
                object_id: Some(org.id.to_string()),
                org_path: Some(org.path.clone()),
                before: None,
                after: Some(&org),
            },
        )
        .await?;
        made.insert(org.code.clone(), org);
    }
    tx.commit().await?;
    svc.principals.forget();
    Ok(ImportSummary {
        created: made.len(),
    })
}
