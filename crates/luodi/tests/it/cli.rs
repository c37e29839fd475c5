//! The command line, run as the built binary against a fresh SQLite database.

use std::process::{Command, Output, Stdio};

fn luodi(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_luodi"));
    cmd.args(args)
        .arg("--data-dir")
        .arg(dir)
        .current_dir(dir)
        .env_remove("LUODI_DATABASE_URL");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run luodi");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(s.as_bytes())
            .expect("write");
    }
    child.wait_with_output().expect("wait")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn migrate_import_users_and_config_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let o = luodi(d, &["migrate"], None);
    assert!(o.status.success(), "{}", text(&o));

    std::fs::write(d.join("tree.csv"), "编码,名称,类型,上级编码\n210000,辽宁省,省,\n210100,沈阳市,市,210000\n210102,和平区,县区,210100\n").expect("csv");
    let o = luodi(d, &["org", "import", "tree.csv"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("imported 3 orgs"));
    // The same file again: every code exists, nothing is imported, each row is named.
    let o = luodi(d, &["org", "import", "tree.csv"], None);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(
        t.contains("row 2, column A") && t.contains("code_exists"),
        "{t}"
    );

    let o = luodi(
        d,
        &[
            "user",
            "add",
            "wangwu",
            "--name",
            "王五",
            "--org",
            "210100",
            "--role",
            "unit_liaison",
            "--role-org",
            "210100",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("one-time password: "));
    let o = luodi(
        d,
        &[
            "user",
            "add",
            "zhaoliu",
            "--name",
            "赵六",
            "--password-stdin",
        ],
        Some("Zhao@Liu2026\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        d,
        &["user", "add", "weak", "--name", "弱", "--password-stdin"],
        Some("123\n"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("password_too_short"), "{}", text(&o));
    let o = luodi(d, &["user", "passwd", "zhaoliu"], None);
    assert!(
        o.status.success() && text(&o).contains("one-time password for zhaoliu"),
        "{}",
        text(&o)
    );
    let o = luodi(d, &["user", "disable", "wangwu"], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(d, &["user", "list", "--all"], None);
    let t = text(&o);
    assert!(
        t.contains("wangwu")
            && t.contains("disabled")
            && t.contains("unit_liaison@沈阳市")
            && t.contains("zhaoliu"),
        "{t}"
    );

    let o = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args([
            "config",
            "check",
            "--database",
            "postgres://luodi:s3cret@127.0.0.1:1/none",
        ])
        .current_dir(d)
        .output()
        .expect("run");
    let t = text(&o);
    assert!(
        !o.status.success(),
        "an unreachable database fails the check"
    );
    assert!(
        t.contains("postgres://luodi:***@127.0.0.1:1/none") && !t.contains("s3cret"),
        "secrets never printed: {t}"
    );
    let o = luodi(d, &["config", "check"], None);
    assert!(
        o.status.success() && text(&o).contains("database: reachable"),
        "{}",
        text(&o)
    );
    std::fs::write(d.join("luodi.toml"), "listen = \"127.0.0.1:9999\"\n").expect("toml");
    let o = luodi(d, &["config", "check"], None);
    assert!(
        text(&o).contains("127.0.0.1:9999"),
        "luodi.toml is read: {}",
        text(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args(["config", "check", "--data-dir"])
        .arg(d)
        .current_dir(d)
        .env("LUODI_LISTEN", "127.0.0.1:9998")
        .output()
        .expect("run");
    assert!(
        text(&o).contains("127.0.0.1:9998"),
        "environment overrides the file: {}",
        text(&o)
    );
}

#[tokio::test]
async fn ledger_import_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_path_buf();
    // A demo database to work on.
    let layer = luodi::config::Layer {
        data_dir: Some(d.clone()),
        ..Default::default()
    };
    let cfg = luodi::config::Config::resolve(layer, "luodi.db").expect("config");
    let db = luodi::startup::open_db(&cfg, &Default::default())
        .await
        .expect("db");
    let svc = luodi::startup::services(
        db.clone(),
        &cfg,
        std::sync::Arc::new(luodi_domain::SystemClock),
    )
    .expect("services");
    luodi::tools::demo::seed(&svc).await.expect("seed");
    db.close().await;

    let csv = "问题描述,整改措施,责任单位编码,责任人,完成时限,问题来源\n\
               港口整合进度偏慢,制定整合时间表,D-TRANSPORT,刘洋,2026-12-31,督导检查\n\
               ,明确责任分工,,,,\n\
               物流成本偏高,推动降本增效措施,D-TRANSPORT,刘洋,2027-01-31,调研发现\n";
    std::fs::write(d.join("ledger.csv"), csv).expect("csv");
    let o = luodi(
        &d,
        &["ledger", "import", "ledger.csv", "--campaign", "1"],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("imported 2 items"), "{}", text(&o));
    let o = luodi(
        &d,
        &[
            "ledger",
            "export",
            "--out",
            "out.xlsx",
            "--scope",
            "D-TRANSPORT",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(d.join("out.xlsx")).expect("xlsx");
    let items =
        luodi_office::ledger::parse(&bytes, "out.xlsx", &Default::default()).expect("parse");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items
            .iter()
            .find(|i| i.title == "港口整合进度偏慢")
            .map(|i| i.measures.len()),
        Some(2)
    );
    // A bad row: nothing imported, and the row and column are named.
    std::fs::write(d.join("bad.csv"), "问题描述,整改措施,责任单位编码,责任人,完成时限,问题来源\n好的一行,措施,D-TRANSPORT,刘洋,2026-12-31,调研发现\n坏的一行,措施,D-TRANSPORT,,2026-12-31,调研发现\n").expect("csv");
    let o = luodi(
        &d,
        &["ledger", "import", "bad.csv", "--campaign", "1"],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("row 3, column D"), "{}", text(&o));
    let o = luodi(&d, &["ledger", "export", "--out", "again.xlsx"], None);
    assert!(o.status.success());
    let again = luodi_office::ledger::parse(
        &std::fs::read(d.join("again.xlsx")).expect("xlsx"),
        "again.xlsx",
        &Default::default(),
    )
    .expect("parse");
    assert_eq!(again.len(), 2, "the bad file added nothing");
    // Unreferenced evidence files are swept; referenced ones stay.
    std::fs::create_dir_all(d.join("files/ab")).expect("dir");
    std::fs::write(d.join("files/ab").join("c".repeat(62)), b"orphan").expect("orphan");
    let o = luodi(&d, &["files", "sweep", "--grace-minutes", "0"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("removed 1 files"), "{}", text(&o));
    assert!(!d.join("files/ab").join("c".repeat(62)).exists());
}

#[tokio::test]
async fn bulletin_compute_publish_and_export_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_path_buf();
    let layer = luodi::config::Layer {
        data_dir: Some(d.clone()),
        ..Default::default()
    };
    let cfg = luodi::config::Config::resolve(layer, "luodi.db").expect("config");
    let db = luodi::startup::open_db(&cfg, &Default::default())
        .await
        .expect("db");
    let svc = luodi::startup::services(
        db.clone(),
        &cfg,
        std::sync::Arc::new(luodi_domain::SystemClock),
    )
    .expect("services");
    luodi::tools::demo::seed(&svc).await.expect("seed");
    db.close().await;

    let which = ["--scope", "D-TRANSPORT", "--week", "2026-W48"];
    // Export before it exists: a clear refusal.
    let o = luodi(
        &d,
        &[&["bulletin", "export"][..], &which, &["--out", "b.xlsx"]].concat(),
        None,
    );
    assert!(!o.status.success());
    let o = luodi(&d, &[&["bulletin", "compute"][..], &which].concat(), None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("2026-W48") && text(&o).contains("辽宁省高速公路管理局"),
        "{}",
        text(&o)
    );
    let o = luodi(
        &d,
        &[
            &["bulletin", "publish"][..],
            &which,
            &["--note", "请各单位按期报送"],
        ]
        .concat(),
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("published"), "{}", text(&o));
    // Published: computing again is refused.
    let o = luodi(&d, &[&["bulletin", "compute"][..], &which].concat(), None);
    assert!(!o.status.success(), "{}", text(&o));
    for out in ["b.xlsx", "b.docx"] {
        let o = luodi(
            &d,
            &[&["bulletin", "export"][..], &which, &["--out", out]].concat(),
            None,
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let mut z = zip::ZipArchive::new(std::fs::File::open(d.join("b.docx")).expect("docx"))
        .expect("a .docx");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").expect("doc"), &mut xml)
        .expect("read");
    assert!(xml.contains("请各单位按期报送") && xml.contains("辽宁省港航管理处"));
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(d.join("b.xlsx")).expect("a .xlsx");
    let sheet = calamine::Reader::sheet_names(&wb)[0].clone();
    let range = calamine::Reader::worksheet_range(&mut wb, &sheet).expect("sheet");
    assert!(range
        .rows()
        .any(|r| r.iter().any(|c| *c == "辽宁省公路管理局")));
    let o = luodi(
        &d,
        &[&["bulletin", "export"][..], &which, &["--out", "b.pdf"]].concat(),
        None,
    );
    assert!(!o.status.success() && text(&o).contains(".xlsx or .docx"));
}

/// `luodi gen` on SQLite: the province it writes is consistent (the roll-up counters are what
/// the items give, every item is in the search index, the accounts sign in), deterministic for
/// a seed and a day, and it refuses a database that already holds orgs.
#[tokio::test]
async fn gen_writes_a_consistent_deterministic_province() {
    use luodi_store::{db, Db, Sql};
    let gen = |dir: &std::path::Path, seed: &str| {
        luodi(
            dir,
            &[
                "gen",
                "--orgs",
                "400",
                "--items",
                "3000",
                "--weeks",
                "2",
                "--seed",
                seed,
                "--today",
                "2026-11-20",
            ],
            None,
        )
    };
    let digest = |url: String| async move {
        let d = Db::connect(&url, &Default::default()).await.expect("db");
        let mut c = d.read().await.expect("conn");
        let (s,): (String,) = db::fetch_one(
            c.conn(),
            Sql::new("SELECT COALESCE(group_concat(x, '|'), '') FROM (SELECT lead_org_path || title || status || due_on || light AS x FROM items ORDER BY id)"),
        )
        .await
        .expect("digest");
        s
    };
    let (a, b, c) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        let o = gen(dir.path(), seed);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("items"), "{}", text(&o));
    }
    let url = |d: &tempfile::TempDir| format!("sqlite://{}", d.path().join("luodi.db").display());
    assert_eq!(
        digest(url(&a)).await,
        digest(url(&b)).await,
        "same seed, same province"
    );
    assert_ne!(
        digest(url(&a)).await,
        digest(url(&c)).await,
        "another seed, another province"
    );

    let d = Db::connect(&url(&a), &Default::default())
        .await
        .expect("db");
    let mut conn = d.read().await.expect("conn");
    async fn count(c: &mut luodi_store::db::Pooled, sql: &'static str) -> i64 {
        luodi_store::db::scalar_i64(c.conn(), luodi_store::Sql::new(sql))
            .await
            .expect(sql)
    }
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM orgs").await, 400);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM items").await, 3000);
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM search_docs WHERE doc_kind = 'item'"
        )
        .await,
        3000
    );
    // The full-text index, built once after the load, holds every document.
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) FROM search_fts_docsize").await,
        count(&mut conn, "SELECT COUNT(*) FROM search_docs").await
    );
    let (journal,): (String,) = db::fetch_one(conn.conn(), Sql::new("PRAGMA journal_mode"))
        .await
        .expect("journal");
    assert_eq!(journal, "wal", "gen leaves the file in WAL mode");
    assert!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM reports WHERE submitted_at IS NOT NULL"
        )
        .await
            > 400
    );
    // Every counter row is what the items of its org's subtree give, and none is missing.
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) FROM (SELECT o.id AS org_id, i.campaign_id, i.kind, i.phase, i.status, i.light, i.timeliness, i.due_so_far, COUNT(*) AS n FROM items i JOIN orgs o ON substr(i.lead_org_path, 1, length(o.path)) = o.path GROUP BY o.id, i.campaign_id, i.kind, i.phase, i.status, i.light, i.timeliness, i.due_so_far) r LEFT JOIN rollup_counters c ON c.org_id = r.org_id AND c.campaign_id = r.campaign_id AND c.kind = r.kind AND c.phase = r.phase AND c.status = r.status AND c.light = r.light AND c.timeliness = r.timeliness AND c.due_so_far = r.due_so_far WHERE c.n IS NULL OR c.n <> r.n").await,
        0
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COALESCE(SUM(n), 0) FROM rollup_counters WHERE org_id = 1"
        )
        .await,
        3000
    );
    drop(conn);
    d.close().await;

    let o = gen(a.path(), "5");
    assert!(!o.status.success());
    assert!(text(&o).contains("already holds orgs"), "{}", text(&o));
}
