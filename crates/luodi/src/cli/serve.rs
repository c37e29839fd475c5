//! Running luodi: the web app with its scheduler, the demo, the migrations.

use super::*;

/// `luodi serve`: the web app and the API, with the scheduler.
pub(super) async fn serve(
    file: Option<&PathBuf>,
    common: &Common,
    listen: Option<String>,
) -> anyhow::Result<()> {
    let cfg = config(file, common, listen, "luodi.db")?;
    init_logging(&cfg.log);
    let svc = services(&cfg).await?;
    if let Some((user, pw)) = luodi_service::auth::bootstrap_admin(&svc).await? {
        println!("\n首次启动：已创建系统管理员 / First start: a system administrator was created");
        println!("  用户名 username: {user}\n  一次性密码 one-time password: {pw}");
        println!("  首次登录须修改密码；此密码不会再次显示。/ Change it at first login; it is not shown again.\n");
    }
    build_search_index(&svc).await?;
    let app = Application::build(&cfg, svc.db().clone()).await?;
    app.start_scheduler();
    println!("luodi 正在运行 / luodi is running: http://{}", app.addr());
    tracing::info!(config = %cfg.redacted().replace('\n', "; "), "started");
    app.run(shutdown_signal()).await
}

/// `luodi demo`: like serve, on the demo database, seeded when empty.
pub(super) async fn demo(
    file: Option<&PathBuf>,
    common: &Common,
    listen: Option<String>,
) -> anyhow::Result<()> {
    let cfg = config(file, common, listen, "demo.db")?;
    init_logging(&cfg.log);
    let svc = services(&cfg).await?;
    if crate::tools::demo::is_empty(&svc).await? {
        println!("正在创建演示数据 / seeding the demo database …");
        crate::tools::demo::seed_all(&svc).await?;
        if cfg.totp_for_admins {
            crate::tools::demo::enrol_admins(&svc).await?;
        }
    }
    build_search_index(&svc).await?;
    let app = Application::build(&cfg, svc.db().clone()).await?;
    app.start_scheduler();
    println!("\nluodi 演示 / demo: http://{}\n", app.addr());
    println!(
        "演示账号（密码均为 {}）/ demo logins (password {}):",
        crate::tools::demo::data::DEMO_PASSWORD,
        crate::tools::demo::data::DEMO_PASSWORD
    );
    for a in crate::tools::demo::data::accounts() {
        println!("  {:<24} {:<20} {}", a.username, a.role, a.display_name);
    }
    if cfg.totp_for_admins {
        let s = crate::tools::demo::DEMO_TOTP_SECRET;
        println!(
            "\n三员登录须输入动态口令：在身份验证器中添加密钥 {s}，或运行 luodi user totp-code {s}"
        );
        println!("The three administrators sign in with a second factor: add the secret {s} to an");
        println!("authenticator app, or run: luodi user totp-code {s}");
    }
    println!();
    app.run(shutdown_signal()).await
}

/// `luodi migrate`: applies the migrations.
pub(super) async fn migrate(file: Option<&PathBuf>, common: &Common) -> anyhow::Result<()> {
    let cfg = config(file, common, None, "luodi.db")?;
    init_logging(&cfg.log);
    startup::open_db(&cfg, &cfg.db_options()).await?;
    println!(
        "migrations applied: {}",
        luodi_store::db::redact_url(&cfg.database_url)
    );
    Ok(())
}

/// Builds the search index of a database written before it existed.
pub(super) async fn build_search_index(svc: &Services) -> anyhow::Result<()> {
    if let Some(n) = luodi_service::search::reindex_if_empty(svc).await? {
        println!("已建立搜索索引 / search index built: {n}");
    }
    Ok(())
}
