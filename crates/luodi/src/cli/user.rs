//! Accounts at the command line.

use super::*;

/// `luodi user totp-code`: a calculator, no configuration, no database.
pub(super) fn totp_code(secret: String) -> anyhow::Result<()> {
    use luodi_domain::totp;
    let bytes = totp::from_base32(&secret)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| anyhow::anyhow!("{secret:?} is not a base32 secret"))?;
    let now = chrono::Utc::now().timestamp();
    println!("{}", totp::code(&bytes, totp::step_at(now), totp::DIGITS));
    Ok(())
}

/// `luodi user …`: account upkeep.
pub(super) async fn user(
    file: Option<&PathBuf>,
    common: &Common,
    command: UserCommand,
) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging("warn");
    let svc = services(&cfg).await?;
    user_command(&svc, command).await
}

pub(super) fn read_stdin_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.trim_end_matches(['\r', '\n']).to_owned())
}

pub(super) async fn user_command(svc: &Services, command: UserCommand) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        UserCommand::Add {
            username,
            name,
            org,
            role,
            role_org,
            password_stdin,
        } => {
            let org_id = match org {
                Some(code) => Some(
                    luodi_service::orgs::get_by_code(svc, &actor, &code)
                        .await?
                        .id,
                ),
                None => None,
            };
            let password = if password_stdin {
                Some(read_stdin_password()?)
            } else {
                None
            };
            let (acc, generated) = accounts::create(
                svc,
                &actor,
                accounts::NewAccount {
                    username,
                    display_name: name,
                    org_id,
                    password,
                },
            )
            .await?;
            if let Some(role) = role {
                accounts::grant_by_code(
                    svc,
                    &actor,
                    &acc.user.username,
                    &role,
                    role_org.as_deref(),
                )
                .await?;
            }
            println!("created {} (id {})", acc.user.username, acc.user.id);
            if let Some(pw) = generated {
                println!("one-time password: {pw}");
            }
            Ok(())
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            let given = if password_stdin {
                Some(read_stdin_password()?)
            } else {
                None
            };
            // The operator on the server resets at once, administrators' accounts too.
            let luodi_service::resets::Reset::Done(Some(pw)) =
                luodi_service::resets::reset_password(svc, &actor, user.id, given.clone()).await?
            else {
                anyhow::bail!("the reset of {username} was not carried out");
            };
            if given.is_none() {
                println!("one-time password for {username}: {pw}");
            } else {
                println!("password set for {username}; it must be changed at next login");
            }
            Ok(())
        }
        UserCommand::List { all } => {
            let mut page = 1;
            println!(
                "{:<6} {:<24} {:<10} {:<30} roles",
                "id", "username", "status", "name"
            );
            loop {
                let p = accounts::list(svc, &actor, None, all, luodi_service::Page::new(page, 500))
                    .await?;
                for u in &p.items {
                    let acc = accounts::get(svc, &actor, u.id).await?;
                    let roles: Vec<String> = acc
                        .bindings
                        .iter()
                        .map(|b| {
                            format!(
                                "{}@{}",
                                b.role,
                                b.org_name.clone().unwrap_or_else(|| "*".into())
                            )
                        })
                        .collect();
                    println!(
                        "{:<6} {:<24} {:<10} {:<30} {}",
                        u.id,
                        u.username,
                        if u.disabled { "disabled" } else { "active" },
                        u.display_name,
                        roles.join(", ")
                    );
                }
                if page * 500 >= p.total {
                    break;
                }
                page += 1;
            }
            Ok(())
        }
        UserCommand::Disable { username } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            accounts::set_disabled(svc, &actor, user.id, true).await?;
            println!("disabled {username}");
            Ok(())
        }
        UserCommand::ResetTotp { username } => {
            let user = accounts::get_by_username(svc, &actor, &username)
                .await?
                .user;
            luodi_service::resets::reset_totp(svc, &actor, user.id).await?;
            println!("reset the second factor of {username}");
            Ok(())
        }
        UserCommand::TotpCode { .. } => unreachable!("answered without a database"),
    }
}
