//! The rectification ledger in and out of Excel.

use super::*;

/// `luodi ledger …`: the ledger in and out of Excel.
pub(super) async fn ledger(
    file: Option<&PathBuf>,
    common: &Common,
    command: LedgerCommand,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    ledger_command(&svc, command).await
}

pub(super) async fn ledger_command(svc: &Services, command: LedgerCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        LedgerCommand::Export {
            out,
            scope,
            campaign,
            kind,
        } => {
            let within = match scope {
                Some(code) => Some(
                    luodi_service::orgs::get_by_code(svc, &actor, &code)
                        .await?
                        .id,
                ),
                None => None,
            };
            let q = luodi_service::items::ItemQuery {
                within,
                filter: luodi_store::items::ItemFilter {
                    campaign_id: campaign,
                    kind,
                    ..Default::default()
                },
                sort: Default::default(),
            };
            let started = std::time::Instant::now();
            let bytes = luodi_service::ledger::export(svc, &actor, q, "整改台账").await?;
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "wrote {} ({} bytes) in {:.1}s",
                out.display(),
                bytes.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        LedgerCommand::Import { file, campaign } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let started = std::time::Instant::now();
            let permit = luodi_service::ledger::admit(svc, &actor)?;
            let r = luodi_service::ledger::import(svc, permit, campaign, bytes, &name).await?;
            println!(
                "imported {} items from {} in {:.1}s",
                r.created,
                file.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}
