//! The weekly bulletin at the command line.

use super::*;

/// `luodi bulletin …`: compute, publish, export.
pub(super) async fn bulletin(
    file: Option<&PathBuf>,
    common: &Common,
    command: BulletinCommand,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    bulletin_command(&svc, command).await
}

/// The campaign, scope org and week a bulletin command names.
pub(super) async fn bulletin_target(
    svc: &Services,
    which: &BulletinWhich,
) -> anyhow::Result<(i64, i64, String)> {
    let actor = Actor::cli();
    let scope = luodi_service::orgs::get_by_code(svc, &actor, &which.scope).await?;
    let campaign = match which.campaign {
        Some(id) => id,
        None => {
            let list =
                luodi_service::campaigns::list(svc, &actor, None, luodi_store::Page::new(1, 2))
                    .await?;
            match list.items.as_slice() {
                [only] => only.id,
                [] => anyhow::bail!("there is no campaign yet"),
                _ => anyhow::bail!("there are several campaigns: name one with --campaign ID"),
            }
        }
    };
    let week = match &which.week {
        Some(w) => w.clone(),
        None => {
            luodi_service::bulletins::default_week(svc, &actor, campaign, Some(scope.id)).await?
        }
    };
    Ok((campaign, scope.id, week))
}

pub(super) fn print_ranking(v: &luodi_service::bulletins::BulletinView) {
    let b = &v.bulletin;
    println!(
        "{} 第{}期 ({}{}): {}",
        b.period_key,
        b.issue_no,
        b.status,
        if b.provisional {
            ", 暂定: the week's reports are not all past their deadline; not to be published"
        } else {
            ""
        },
        b.id
    );
    let pct = luodi_domain::bulletin::percent;
    for r in &v.rows {
        println!(
            "{:>3}  {:<24} {:>7}  on time {:>4}  reports {:>4}{}",
            r.rank,
            r.org_name,
            r.score,
            pct(r.on_time_rate),
            pct(r.punctuality),
            if r.interview.is_null() {
                ""
            } else {
                "  约谈建议"
            }
        );
    }
}

pub(super) async fn bulletin_command(
    svc: &Services,
    command: BulletinCommand,
) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        BulletinCommand::Compute { which } => {
            let (campaign, scope, week) = bulletin_target(svc, &which).await?;
            let v = luodi_service::bulletins::compute(svc, &actor, campaign, scope, &week).await?;
            print_ranking(&v);
            Ok(())
        }
        BulletinCommand::Publish { which, note } => {
            let (campaign, scope, week) = bulletin_target(svc, &which).await?;
            let v = luodi_service::bulletins::find(svc, &actor, campaign, scope, &week).await?;
            let v = luodi_service::bulletins::publish(svc, &actor, v.bulletin.id, &note).await?;
            print_ranking(&v);
            Ok(())
        }
        BulletinCommand::Export { which, out } => {
            let (campaign, scope, week) = bulletin_target(svc, &which).await?;
            let v = luodi_service::bulletins::find(svc, &actor, campaign, scope, &week).await?;
            let ext = out
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let i18n = luodi_service::i18n::I18n::load();
            let lang = luodi_service::i18n::Lang::ZhCn;
            let Some((_, _, bytes)) = luodi_service::bulletins::file(&i18n, lang, &v, &ext)? else {
                anyhow::bail!("--out must end in .xlsx or .docx");
            };
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!("wrote {} ({} bytes)", out.display(), bytes.len());
            Ok(())
        }
    }
}
