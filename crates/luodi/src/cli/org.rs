//! The org tree from a spreadsheet.

use super::*;

/// `luodi org import`: an org tree from a spreadsheet.
pub(super) async fn import(
    file: Option<&PathBuf>,
    common: &Common,
    path: PathBuf,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    let bytes =
        std::fs::read(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permit = luodi_service::orgs::admit_import(&svc, &Actor::cli())?;
    let n = luodi_service::orgs::import_file(&svc, permit, bytes, &name).await?;
    println!("imported {} orgs from {}", n.created, path.display());
    Ok(())
}
