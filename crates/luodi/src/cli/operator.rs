//! The operator's upkeep: search index, files, backup and restore, the audit chain, the configuration.

use super::*;

/// `luodi search reindex`: rebuilds the search index.
pub(super) async fn search_reindex(file: Option<&PathBuf>, common: &Common) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    let n = luodi_service::search::reindex(&svc).await?;
    println!("indexed {n} records");
    Ok(())
}

/// `luodi files sweep`: removes files no row references.
pub(super) async fn files_sweep(
    file: Option<&PathBuf>,
    common: &Common,
    grace_minutes: u64,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    let r =
        luodi_service::items::sweep_files(&svc, std::time::Duration::from_secs(grace_minutes * 60))
            .await?;
    println!(
        "removed {} files ({} bytes), kept {}",
        r.removed, r.bytes_freed, r.kept
    );
    Ok(())
}

/// `luodi backup`: the database and the files, with a sealed manifest.
pub(super) async fn backup(
    file: Option<&PathBuf>,
    common: &Common,
    to: PathBuf,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let key = startup::load_key(&cfg.audit_key, 32)?;
    let svc = services(&cfg).await?;
    let started = std::time::Instant::now();
    let made = crate::backup::backup(&cfg, svc.db(), &key, &to).await?;
    operator_event(&svc, "system.backup").await;
    svc.db().close().await;
    println!(
        "备份完成 / backed up to {}: {} files, {} bytes, {:.1} s (manifest: {})",
        to.display(),
        made.files,
        made.bytes,
        started.elapsed().as_secs_f64(),
        crate::backup::MANIFEST
    );
    println!(
        "密钥不在备份中 / the keys are not in the backup: keep {} apart",
        cfg.data_dir.join("keys").display()
    );
    Ok(())
}

/// `luodi restore`: checks a backup whole, then restores it.
pub(super) async fn restore(
    file: Option<&PathBuf>,
    common: &Common,
    from: PathBuf,
    check: bool,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    // The keys the backup was made with, never new ones.
    let source = match &cfg.audit_key {
        crate::config::KeySource::File { path, .. } => crate::config::KeySource::File {
            path: path.clone(),
            create: false,
        },
        other => other.clone(),
    };
    let key = startup::load_key(&source, 32).map_err(|e| {
        anyhow::anyhow!(
            "{e}; a restore needs the keys the backup was made with (copy the keys directory kept apart from the backups, or set LUODI_AUDIT_KEY and LUODI_FIELD_KEY)"
        )
    })?;
    if check {
        let c = crate::backup::check(&key, &from)?;
        println!(
            "备份完好 / the backup is intact: {} database, schema {}, {} files",
            c.backend,
            c.schema,
            c.files.len()
        );
        return Ok(());
    }
    let r = crate::backup::restore(&cfg, &key, &from)?;
    let svc = services(&cfg).await?;
    operator_event(&svc, "system.restore").await;
    svc.db().close().await;
    println!(
        "已恢复 / restored from {}: {} evidence files copied",
        from.display(),
        r.files
    );
    if let Some(k) = r.kept {
        println!(
            "原数据库保留在 / the database replaced is kept as {}",
            k.display()
        );
    }
    Ok(())
}

/// `luodi audit verify`: the audit chain, and a head written down earlier.
pub(super) async fn audit_verify(
    file: Option<&PathBuf>,
    common: &Common,
    head: Option<String>,
) -> anyhow::Result<()> {
    let mut cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    // Verifying with a key made now would only say every record is forged.
    if let crate::config::KeySource::File { create, path } = &mut cfg.audit_key {
        if !path.exists() {
            anyhow::bail!(
                "no audit key at {}: verify needs the key the records were written with (is --data-dir right?)",
                path.display()
            );
        }
        *create = false;
    }
    let anchor = match head.as_deref() {
        None => None,
        Some(h) => Some(luodi_domain::audit_chain::Anchor::parse(h).ok_or_else(|| {
            anyhow::anyhow!("--head must be SEQ:MAC (the MAC in hex), not {h:?}")
        })?),
    };
    let svc = services(&cfg).await?;
    let sealed = luodi_service::audit::seal(&svc).await?;
    let v = luodi_service::audit::verify_chain(&svc, anchor.as_ref()).await?;
    println!(
        "audit chain: {} records verified (seq {} to {}), {} awaiting their seal, {} purges",
        v.checked, v.first_seq, v.head_seq, v.unsealed, v.purges
    );
    println!("head: seq {} mac {}", v.head_seq, v.head_mac);
    if sealed.sealed > 0 {
        println!("sealed now: {}", sealed.sealed);
    }
    match (&anchor, v.anchor) {
        (Some(a), Some(true)) => {
            println!("the chain still reaches seq {} as written down", a.seq)
        }
        (Some(a), Some(false)) => println!(
            "seq {} lies in purged records: check it against their archive",
            a.seq
        ),
        _ => {}
    }
    match v.problem {
        None => {
            println!("审计链完整 / the audit chain is intact");
            Ok(())
        }
        Some(b) => {
            println!("审计链被篡改 / the audit chain is broken: {b}");
            if v.checked == 0 {
                println!("（若每条记录都不符，可能是审计密钥不对 / if every record fails, the audit key may not be the one they were written with)");
            }
            svc.db().close().await;
            std::process::exit(1);
        }
    }
}

/// `luodi config check`: the configuration in force, and the database.
pub(super) async fn config_check(
    file: Option<&PathBuf>,
    common: &Common,
    listen: Option<String>,
) -> anyhow::Result<()> {
    let cfg = config(file, common, listen, "luodi.db")?;
    print!("{}", cfg.redacted());
    let db = luodi_store::Db::connect(
        &cfg.database_url,
        &DbOptions {
            acquire_timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        },
    )
    .await;
    match db {
        Ok(db) if db.ping().await => println!("database: reachable"),
        Ok(_) => anyhow::bail!("database: does not answer"),
        Err(e) => anyhow::bail!("database: {e}"),
    }
    Ok(())
}

/// Audits a step the operator took at the command line.
pub(super) async fn operator_event(svc: &Services, action: &str) {
    luodi_service::audit::event(
        svc,
        luodi_service::audit::Event {
            actor_id: None,
            actor_name: &Actor::cli().name,
            ip: None,
            action,
            object_id: None,
            org_path: None,
            outcome: "ok",
        },
    )
    .await;
}
