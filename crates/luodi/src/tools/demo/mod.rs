//! Seeds a demo database from the source article (see `data`): the province with its
//! cities, the departments and units the article names, generated counties and units, the
//! campaign with its goals and phases, and one account per role.

pub mod data;
pub mod items;
pub mod key_works;
mod past;
pub mod records;
mod seeder;
pub mod weekly;

use chrono::NaiveDate;
use data::DEMO_PASSWORD;
use luodi_domain::org::OrgKind;
use luodi_office::org_import::{OrgColumns, OrgRow, OrgSheet};
use luodi_service::campaigns::{CampaignInput, GoalInput, PhaseEntry};
use luodi_service::{accounts, auth, campaigns, orgs, Actor, Services};
use luodi_store::users;

/// A login to print.
pub struct DemoLogin {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
}

fn date((y, m, d): (i32, u32, u32)) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("bad demo date {y}-{m}-{d}"))
}

/// The demo account `username` as an actor, acting without signing in.
async fn actor(svc: &Services, username: &str) -> anyhow::Result<Actor> {
    let mut c = svc.db().read().await?;
    let u = luodi_store::users::get_by_username(c.conn(), username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo user {username}"))?;
    let b = auth::bindings(c.conn(), u.id).await?;
    Ok(Actor::user(u.id, u.username, b, None))
}

/// The demo org `code`.
async fn org(svc: &Services, code: &str) -> anyhow::Result<luodi_store::orgs::Org> {
    Ok(luodi_service::orgs::get_by_code(svc, &Actor::cli(), code).await?)
}

/// Whether the database holds no orgs yet.
pub async fn is_empty(svc: &Services) -> anyhow::Result<bool> {
    let mut c = svc.db().read().await?;
    Ok(luodi_store::orgs::count_all(c.conn()).await? == 0)
}

/// Fills an empty database with the demo. Everything goes through the services, audited as the
/// command-line operator.
pub async fn seed(svc: &Services) -> anyhow::Result<Vec<DemoLogin>> {
    let actor = Actor::cli();
    let col = |l: &str, h: &str| (l.to_owned(), h.to_owned());
    let rows = data::orgs()
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            Ok(OrgRow {
                row: i + 2,
                kind: OrgKind::parse(o.kind)
                    .ok_or_else(|| anyhow::anyhow!("bad demo kind {}", o.kind))?,
                code: o.code,
                name: o.name,
                parent_code: o.parent_code,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let columns = OrgColumns {
        code: col("A", "编码"),
        name: col("B", "名称"),
        kind: col("C", "类型"),
        parent_code: col("D", "上级编码"),
    };
    orgs::import(svc, &actor, OrgSheet { rows, columns }).await?;

    let c = data::campaign();
    let owner = orgs::get_by_code(svc, &actor, c.owner_code).await?;
    let mut scope = Vec::new();
    for code in &c.scope_codes {
        scope.push(orgs::get_by_code(svc, &actor, code).await?.id);
    }
    let phases = c
        .phases
        .iter()
        .map(|p| {
            Ok(PhaseEntry {
                kind: p.kind.to_owned(),
                name: p.name.to_owned(),
                starts_on: date(p.starts_on)?,
                ends_on: date(p.ends_on)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let created = campaigns::create(
        svc,
        &actor,
        CampaignInput {
            owner_org_id: owner.id,
            name: c.name.to_owned(),
            requirements: c.requirements.to_owned(),
            fundamental_task: c.fundamental_task.to_owned(),
            time_zone: None,
            starts_on: date(c.starts_on)?,
            ends_on: date(c.ends_on)?,
            goals: c
                .goals
                .iter()
                .map(|g| GoalInput {
                    title: g.title.to_owned(),
                    description: g.description.to_owned(),
                })
                .collect(),
            phases: Some(phases),
            scope_org_ids: scope,
            rules: None,
        },
    )
    .await?;

    let campaign_id = created.campaign.id;
    let mut logins = Vec::new();
    for a in data::accounts() {
        let org_id = match a.org_code {
            Some(code) => Some(orgs::get_by_code(svc, &actor, code).await?.id),
            None => None,
        };
        let (acc, _) = accounts::create(
            svc,
            &actor,
            accounts::NewAccount {
                username: a.username.to_owned(),
                display_name: a.display_name.to_owned(),
                org_id,
                password: Some(DEMO_PASSWORD.to_owned()),
            },
        )
        .await?;
        accounts::grant(svc, &actor, acc.user.id, a.role, org_id).await?;
        // Demo accounts are ready to use: no forced change of the well-known demo password.
        let mut tx = svc.db().begin().await?;
        users::set_password(
            tx.conn(),
            acc.user.id,
            &acc.user.password_hash,
            false,
            svc.now(),
        )
        .await?;
        tx.commit().await?;
        logins.push(DemoLogin {
            username: a.username,
            display_name: a.display_name,
            role: a.role,
        });
    }
    let _ = campaign_id;
    Ok(logins)
}

/// The second-factor secret of the demo's three administrators (base32), printed with the
/// demo's logins. A demo shows the control working; a real deployment's accounts each set up
/// their own.
pub const DEMO_TOTP_SECRET: &str = "LUODIDEMOADMINSTOTPSECRETKEY2345";

/// Gives the demo's three administrators the demo second factor.
pub async fn enrol_admins(svc: &Services) -> anyhow::Result<()> {
    let mut tx = svc.db().begin().await?;
    for name in ["sysadmin", "secadmin", "auditor"] {
        if let Some(u) = luodi_store::users::get_by_username(tx.conn(), name).await? {
            let sealed = svc
                .config
                .field_key
                .seal(luodi_service::auth::TOTP_SECRET, DEMO_TOTP_SECRET);
            luodi_store::users::set_totp(tx.conn(), u.id, Some(&sealed), Some(svc.now())).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The whole demo: the tree, campaign and accounts of [`seed`], then the article's items in
/// every state and light (`items`), then three weeks of the supervision loop (`weekly`), the
/// records units keep (`records`) and their key works (`key_works`).
pub async fn seed_all(svc: &Services) -> anyhow::Result<Vec<DemoLogin>> {
    let logins = seed(svc).await?;
    let campaign = {
        let mut c = svc.db().read().await?;
        luodi_store::campaigns::list(
            c.conn(),
            &["/".to_owned()],
            None,
            luodi_store::Page::new(1, 1),
        )
        .await?
        .items
        .first()
        .map(|c| c.id)
    };
    if let Some(id) = campaign {
        crate::tools::demo::items::seed(svc, id).await?;
        crate::tools::demo::weekly::seed(svc, id).await?;
        crate::tools::demo::records::seed(svc, id).await?;
        crate::tools::demo::key_works::seed(svc, id).await?;
    }
    Ok(logins)
}
