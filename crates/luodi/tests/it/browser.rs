//! A real browser (Debian's headless Chromium through chromedriver): a demo user signs in,
//! opens the org tree, switches to English and back, and signs out. Skipped only when no browser
//! is installed and `CI` is not set; under `CI=true` a missing browser fails the test.

use crate::helpers::{TestApp, PW};
use crate::webdriver::{self, Browser};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

fn browser_required() -> bool {
    if webdriver::available() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI=true but Chromium/chromedriver are missing: run scripts/install-browser"
    );
    eprintln!("skipping the browser test: no chromium/chromedriver (scripts/install-browser installs them)");
    false
}

#[tokio::test]
async fn demo_user_signs_in_browses_the_tree_switches_language_and_signs_out() {
    if !browser_required() {
        return;
    }
    let app = TestApp::seeded().await;
    let b = Browser::start().await.expect("browser");
    let r = run(&app, &b).await;
    if r.is_err() {
        let _ = b.save_screenshot(app.dir.path().join("failure.png")).await;
        let _ = std::fs::copy(
            app.dir.path().join("failure.png"),
            std::env::temp_dir().join("luodi-browser-failure.png"),
        );
    }
    let _ = b.quit().await;
    r.expect("browser scenario");
}

async fn run(app: &TestApp, b: &Browser) -> Result<(), String> {
    b.goto(&app.url("/orgs")).await?;
    // Signed out: sent to the login page, in Chinese.
    b.wait_for("#login-form", T).await?;
    b.find("#username").await?.send_keys("liaison").await?;
    b.find("#password").await?.send_keys(PW).await?;
    b.find("#login-submit").await?.click().await?;
    // Back to where we were going: the org tree of the transport department.
    b.wait_for_url("/orgs", T).await?;
    b.wait_for_text("#org-tree", "辽宁省交通运输厅", T).await?;
    let src = b.page_source().await?;
    if src.contains("沈阳市科技局") {
        return Err("the tree shows an org outside the liaison's subtree".into());
    }
    // Open the department's node (its first level is rendered with the page)…
    b.find("#org-tree > li > details > summary .tree-meta")
        .await?
        .click()
        .await?;
    b.wait_for_text("#org-tree", "辽宁省高速公路管理局", T)
        .await?;
    // …then a child, whose own children are fetched from the server when it opens.
    let opened = b
        .execute(
            "const s = [...document.querySelectorAll('#org-tree summary')].find(x => x.textContent.includes('辽宁省高速公路管理局'));\
             if (!s) return false; s.querySelector('.tree-meta').click(); return true;",
            vec![],
        )
        .await?;
    if opened != serde_json::Value::Bool(true) {
        return Err("no tree node for the expressway administration".into());
    }
    b.wait_for_text("#org-tree", "沈阳管理处", T).await?;
    // English, then back to Chinese.
    b.find("#lang-en").await?.click().await?;
    b.wait_for_text("header.topbar", "Sign out", T).await?;
    b.wait_for_text(".sidebar", "Organisation tree", T).await?;
    b.find("#lang-zh").await?.click().await?;
    b.wait_for_text("header.topbar", "退出登录", T).await?;
    // Sign out: back at the login page, and the pages are closed again.
    b.find("#logout").await?.click().await?;
    b.wait_for("#login-form", T).await?;
    b.goto(&app.url("/orgs")).await?;
    b.wait_for("#login-form", T).await?;
    Ok(())
}

async fn sign_in(app: &TestApp, b: &Browser, user: &str) -> Result<(), String> {
    b.goto(&app.url("/login")).await?;
    b.find("#username").await?.send_keys(user).await?;
    b.find("#password").await?.send_keys(PW).await?;
    b.find("#login-submit").await?.click().await?;
    b.wait_for("#logout", T).await?;
    Ok(())
}

async fn sign_out(b: &Browser) -> Result<(), String> {
    b.find("#logout").await?.click().await?;
    b.wait_for("#login-form", T).await?;
    Ok(())
}

/// Sets form values the way a user's picks would, for selects and date inputs whose typing
/// depends on the browser's locale.
async fn set_value(b: &Browser, css: &str, value: &str) -> Result<(), String> {
    b.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_rectification_item_is_recorded_sent_back_resubmitted_and_closed_in_the_browser() {
    if !browser_required() {
        return;
    }
    let app = TestApp::seeded().await;
    let b = Browser::start().await.expect("browser");
    let r = ledger_scenario(&app, &b).await;
    if r.is_err() {
        let _ = b
            .save_screenshot(std::env::temp_dir().join("luodi-ledger-failure.png"))
            .await;
    }
    let _ = b.quit().await;
    r.expect("ledger scenario");
    // The Excel export of the ledger contains it, closed.
    let c = app.demo("liaison").await;
    let xlsx = c
        .get(app.url("/ledger/export.xlsx?status=closed"))
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("bytes");
    let rows = luodi_office::ledger::parse(&xlsx, "x.xlsx", &Default::default())
        .expect("the export parses");
    let item = rows
        .iter()
        .find(|r| r.title == "省界收费站撤除后绕行标志设置不规范")
        .expect("the item is in the export");
    assert_eq!(
        item.measures,
        vec!["补设绕行指示标志", "开展标志标线专项检查"]
    );
}

async fn ledger_scenario(app: &TestApp, b: &Browser) -> Result<(), String> {
    // The unit liaison records a rectification item with two measures.
    sign_in(app, b, "liaison").await?;
    b.goto(&app.url("/items/new")).await?;
    b.wait_for("#item-form", T).await?;
    set_value(b, "#i-kind", "rectification").await?;
    b.find("#i-title")
        .await?
        .send_keys("省界收费站撤除后绕行标志设置不规范")
        .await?;
    set_value(b, "#i-source", "self_examination").await?;
    set_value(b, "#i-phase", "rectification").await?;
    b.find("#i-unit").await?.clear().await?;
    b.find("#i-unit").await?.send_keys("D-TRANSPORT").await?;
    b.find("#i-person").await?.send_keys("刘洋").await?;
    set_value(b, "#i-due", "2099-12-31").await?;
    b.find("#i-measures")
        .await?
        .send_keys("补设绕行指示标志\n开展标志标线专项检查")
        .await?;
    b.find("#item-submit").await?.click().await?;
    b.wait_for_text("#item-status", "推进中", T).await?;
    let item_url = b.current_url().await?;
    let item_url = item_url.split('?').next().unwrap_or(&item_url).to_owned();
    b.wait_for_text("#measure-list", "开展标志标线专项检查", T)
        .await?;

    // Uploads evidence and requests close-out.
    let pdf = app.dir.path().join("整改报告.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .map_err(|e| e.to_string())?;
    b.find("#evidence-file")
        .await?
        .send_keys(&pdf.display().to_string())
        .await?;
    b.find("#evidence-submit").await?.click().await?;
    b.wait_for_text("#evidence-table", "整改报告.pdf", T)
        .await?;
    // Without the completion statement the browser asks for it and nothing is sent.
    b.find("#action-request_close_out").await?.click().await?;
    let status = b.find("#item-status").await?.text().await?;
    if status.contains("申请销号") {
        return Err("a close-out went without its statement".into());
    }
    b.find("#action-request_close_out-reason")
        .await?
        .send_keys("已完成整改，报告及现场照片已上传")
        .await?;
    b.find("#action-request_close_out").await?.click().await?;
    b.wait_for_text("#item-status", "申请销号", T).await?;
    sign_out(b).await?;

    // The supervisor sends it back with a reason.
    sign_in(app, b, "supervisor").await?;
    b.goto(&item_url).await?;
    b.find("#action-send_back-reason")
        .await?
        .send_keys("佐证材料缺少现场照片")
        .await?;
    // The form asks for confirmation; answer yes.
    b.execute("window.confirm = () => true;", vec![]).await?;
    b.find("#action-send_back").await?.click().await?;
    b.wait_for_text("#item-status", "推进中", T).await?;
    b.wait_for_text("#item-timeline", "佐证材料缺少现场照片", T)
        .await?;
    sign_out(b).await?;

    // Resubmitted by the liaison…
    sign_in(app, b, "liaison").await?;
    b.goto(&item_url).await?;
    b.find("#action-request_close_out-reason")
        .await?
        .send_keys("已补充现场照片")
        .await?;
    b.find("#action-request_close_out").await?.click().await?;
    b.wait_for_text("#item-status", "申请销号", T).await?;
    sign_out(b).await?;

    // …and closed by the supervisor.
    sign_in(app, b, "supervisor").await?;
    b.goto(&item_url).await?;
    b.find("#action-close-reason")
        .await?
        .send_keys("佐证充分，同意销号")
        .await?;
    b.execute("window.confirm = () => true;", vec![]).await?;
    b.find("#action-close").await?.click().await?;
    b.wait_for_text("#item-status", "已销号", T).await?;
    let light = b.find("#item-light").await?.attr("data-light").await?;
    if light.as_deref() != Some("green") {
        return Err(format!("closed item's light is {light:?}"));
    }

    // The ledger shows it green and closed.
    b.goto(&app.url("/ledger?status=closed")).await?;
    let row = b
        .wait_for_text("#ledger-table", "省界收费站撤除后绕行标志设置不规范", T)
        .await?;
    let _ = row;
    let lights = b
        .execute(
            "return [...document.querySelectorAll('#ledger-table tr[data-item-id]')].filter(r => r.textContent.includes(arguments[0])).map(r => r.dataset.light + '/' + r.dataset.status);",
            vec!["省界收费站撤除后绕行标志设置不规范".into()],
        )
        .await?;
    if lights != serde_json::json!(["green/closed"]) {
        return Err(format!("ledger row shows {lights}"));
    }
    Ok(())
}

/// The weekly loop in the browser: the unit liaison writes and submits the week's report; the
/// office computes the transport department's bulletin, reads the ranking, adds a note and
/// publishes it; the .xlsx and .docx behind the page's download links open and carry the
/// ranking.
#[tokio::test]
async fn a_report_is_submitted_and_the_bulletin_computed_and_published_in_the_browser() {
    if !browser_required() {
        return;
    }
    // Thursday 2026-11-26 10:00 in Shanghai: week 2026-W48, reports due Friday.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, 2, 0, 0)
        .single()
        .expect("t");
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(now));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    // The office's reporting rule for the transport department's units (set up through the API).
    let office = app.token_client("office").await;
    let (_, camps) = crate::helpers::json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let transport = app.org_id("D-TRANSPORT").await;
    let r = office
        .post(app.url("/api/v1/work-rules"))
        .json(&serde_json::json!({"campaign_id": cid, "owner_org_id": transport, "kind": "reporting", "name": "交通运输系统每周情况汇报",
            "cadence": {"kind": "weekly", "weekday": 5, "time": "17:00:00"}, "scope_org_id": transport, "target_kinds": ["unit"]}))
        .send()
        .await
        .expect("rule");
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);

    let b = Browser::start().await.expect("browser");
    let r = loop_scenario(&app, &clock, &b).await;
    if r.is_err() {
        let _ = b
            .save_screenshot(std::env::temp_dir().join("luodi-loop-failure.png"))
            .await;
    }
    let _ = b.quit().await;
    let (xlsx_href, docx_href) = r.expect("loop scenario");

    // The downloads the page links to open as what they claim to be.
    let c = app.demo("office").await;
    let fetch = |href: String| {
        let c = c.clone();
        let url = app.url(&href);
        async move {
            let r = c.get(url).send().await.expect("download");
            assert_eq!(r.status(), reqwest::StatusCode::OK);
            assert!(r.headers()[reqwest::header::CONTENT_DISPOSITION]
                .to_str()
                .expect("disposition")
                .starts_with("attachment"));
            r.bytes().await.expect("bytes").to_vec()
        }
    };
    let xlsx = fetch(xlsx_href).await;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("the .xlsx opens");
    let sheet = calamine::Reader::sheet_names(&wb)[0].clone();
    let range = calamine::Reader::worksheet_range(&mut wb, &sheet).expect("sheet");
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        cells.iter().any(|c| c == "辽宁省高速公路管理局"),
        "the ranking is in the workbook: {cells:?}"
    );
    let docx = fetch(docx_href).await;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("the .docx opens");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut z.by_name("word/document.xml").expect("document"),
        &mut xml,
    )
    .expect("read");
    for s in [
        "辽宁省高速公路管理局",
        "高速公路管理局本周报送及时",
        "<w:tbl>",
    ] {
        assert!(xml.contains(s), "{s} in the .docx");
    }
}

async fn loop_scenario(
    app: &TestApp,
    clock: &luodi_domain::FixedClock,
    b: &Browser,
) -> Result<(String, String), String> {
    // The liaison finds the expressway administration's report of the week and submits it.
    sign_in(app, b, "liaison").await?;
    b.goto(&app.url("/reports?status=open")).await?;
    let hwy = app.org_id("D-TRANSPORT-HWY").await;
    b.find(&format!("tr[data-org-id=\"{hwy}\"] a.report-link"))
        .await?
        .click()
        .await?;
    b.wait_for("#report-form", T).await?;
    b.find("#r-done")
        .await?
        .send_keys("完成省界收费站撤除后续工作3项，整改台账销号2项。")
        .await?;
    b.find("#r-problems").await?.send_keys("无").await?;
    b.find("#r-plan")
        .await?
        .send_keys("推进剩余事项，开展“回头看”。")
        .await?;
    b.find("#report-submit").await?.click().await?;
    b.wait_for_text("#report-status", "已报送", T).await?;
    b.wait_for_text("#r-done-text", "整改台账销号2项", T)
        .await?;
    sign_out(b).await?;

    // Friday 17:30 in Shanghai, the week's reports past their deadline: the office computes the
    // week's bulletin for the department and publishes it with a note.
    clock.set(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 9, 30, 0)
            .single()
            .ok_or("time")?,
    );
    sign_in(app, b, "office").await?;
    b.goto(&app.url("/bulletins")).await?;
    b.wait_for("#bulletin-compute-form", T).await?;
    b.find("#bc-scope").await?.clear().await?;
    b.find("#bc-scope").await?.send_keys("D-TRANSPORT").await?;
    // A typed code stands as typed; Escape closes the picker's list.
    b.find("#bc-scope").await?.send_keys("\u{E00C}").await?;
    // The week offered is the one just closed: W48, its reports due at 17:00 today.
    let week = b.find("#bc-week").await?.property("value").await?;
    if week.as_str() != Some("2026-W48") {
        return Err(format!(
            "the week offered is the last closed one, not {week:?}"
        ));
    }
    b.find("#bulletin-compute-submit").await?.click().await?;
    b.wait_for_text("#bulletin-table", "辽宁省高速公路管理局", T)
        .await?;
    let status = b
        .find("#bulletin-status")
        .await?
        .attr("data-status")
        .await?;
    if status.as_deref() != Some("draft") {
        return Err(format!("a computed bulletin is a draft, not {status:?}"));
    }
    b.find("#bulletin-note")
        .await?
        .send_keys("高速公路管理局本周报送及时，予以表扬。")
        .await?;
    b.execute("window.confirm = () => true;", vec![]).await?;
    b.find("#bulletin-publish").await?.click().await?;
    b.wait_for_text("#bulletin-status", "已发布", T).await?;
    let xlsx = b.find("#bulletin-xlsx").await?.attr("href").await?;
    let docx = b.find("#bulletin-docx").await?.attr("href").await?;
    match (xlsx, docx) {
        (Some(x), Some(d)) => Ok((x, d)),
        _ => Err("the published bulletin has no download links".into()),
    }
}

/// The province dashboard in the browser: the office clicks the red segment of the lights and
/// lands on the list of exactly those red items; then searches for a Chinese phrase from the top
/// bar and opens the result.
#[tokio::test]
async fn the_dashboard_drills_down_to_red_items_and_search_opens_a_result() {
    if !browser_required() {
        return;
    }
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 2, 0, 0)
        .single()
        .expect("t");
    let app =
        TestApp::spawn_with_clock(std::sync::Arc::new(luodi_domain::FixedClock::new(now))).await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let b = Browser::start().await.expect("browser");
    let r = dashboard_scenario(&app, &b).await;
    if r.is_err() {
        let _ = b
            .save_screenshot(std::env::temp_dir().join("luodi-dashboard-failure.png"))
            .await;
    }
    let _ = b.quit().await;
    r.expect("dashboard scenario");
}

async fn dashboard_scenario(app: &TestApp, b: &Browser) -> Result<(), String> {
    sign_in(app, b, "office").await?;
    b.find("#nav-dashboard").await?.click().await?;
    b.wait_for_text("#dashboard-scope", "辽宁省", T).await?;
    let red: usize = b
        .find("#legend-red strong")
        .await?
        .text()
        .await?
        .trim()
        .parse()
        .map_err(|e| format!("red count: {e}"))?;
    if red == 0 {
        return Err("the demo province has red items".into());
    }
    // The red part of the chart is a link; click the drawn segment itself.
    b.find("#lights-red rect").await?.click().await?;
    b.wait_for_url("light=red", T).await?;
    b.wait_for("#ledger-table", T).await?;
    let rows = b
        .execute(
            "return [...document.querySelectorAll('#ledger-table tr[data-item-id]')].map(r => r.dataset.light);",
            vec![],
        )
        .await?;
    let lights: Vec<&str> = rows
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if lights.len() != red || lights.iter().any(|l| *l != "red") {
        return Err(format!(
            "dashboard said {red} red, the list shows {lights:?}"
        ));
    }
    // Search from the top bar for a Chinese phrase and open the first result.
    // Typed and sent with Enter (WebDriver's key U+E007).
    b.find("#global-search")
        .await?
        .send_keys("省界收费站\u{E007}")
        .await?;
    b.wait_for_text("#search-results", "取消高速公路省界收费站", T)
        .await?;
    let href = b
        .execute(
            "const a = [...document.querySelectorAll('#search-results .search-hit-title a')].find(a => a.textContent === arguments[0]); if (!a) return null; a.click(); return a.getAttribute('href');",
            vec!["取消高速公路省界收费站".into()],
        )
        .await?;
    let href = href
        .as_str()
        .ok_or("no result titled 取消高速公路省界收费站")?
        .to_owned();
    b.wait_for_url(&href, T).await?;
    b.wait_for_text("h1", "取消高速公路省界收费站", T).await?;
    Ok(())
}

/// The new-item form's unit picker: part of a name typed, the answer picked with the keyboard;
/// then the person picker lists that unit's people. `LUODI_SCREENSHOTS=dir` also saves the
/// open picker at a desktop and a phone size.
#[tokio::test]
async fn a_unit_and_a_person_are_picked_with_the_keyboard_on_the_new_item_form() {
    if !browser_required() {
        return;
    }
    let app = TestApp::seeded().await;
    let b = Browser::start().await.expect("browser");
    let r = pick(&app, &b).await;
    if r.is_err() {
        let _ = b
            .save_screenshot(std::env::temp_dir().join("luodi-picker-failure.png"))
            .await;
    }
    let _ = b.quit().await;
    r.expect("picker scenario");
}

const DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";

async fn value_of(b: &Browser, css: &str) -> Result<String, String> {
    Ok(b.find(css)
        .await?
        .property("value")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn pick(app: &TestApp, b: &Browser) -> Result<(), String> {
    b.goto(&app.url("/items/new")).await?;
    b.wait_for("#login-form", T).await?;
    b.find("#username").await?.send_keys("liaison").await?;
    b.find("#password").await?.send_keys(PW).await?;
    b.find("#login-submit").await?.click().await?;
    b.wait_for_url("/items/new", T).await?;
    // The code field became hidden; the combobox took its id and its label.
    let unit = b.wait_for("#i-unit[role=combobox]", T).await?;
    if b.find("#i-unit-value")
        .await?
        .attr("type")
        .await?
        .as_deref()
        != Some("hidden")
    {
        return Err("the unit's code field is not hidden".into());
    }
    unit.clear().await?;
    unit.send_keys("高速公路管理").await?;
    b.wait_for_text("#i-unit + .picker-list", "辽宁省高速公路管理局", T)
        .await?;
    if let Some(dir) = std::env::var_os("LUODI_SCREENSHOTS") {
        let dir = std::path::PathBuf::from(dir);
        let centre = "document.getElementById('i-unit').scrollIntoView({block: 'center'})";
        for (w, h) in [(1366, 768), (390, 844)] {
            b.set_window_size(w, h).await?;
            b.execute(centre, Vec::new()).await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            b.save_screenshot(dir.join(format!("picker-{w}x{h}.png")))
                .await?;
        }
    }
    unit.send_keys(DOWN).await?;
    let active = b
        .find("#i-unit + .picker-list .picker-option[aria-selected=true]")
        .await?
        .text()
        .await?;
    if !active.contains("辽宁省高速公路管理局") {
        return Err(format!(
            "the first answer is not the administration: {active}"
        ));
    }
    if unit.attr("aria-activedescendant").await?.is_none() {
        return Err("no aria-activedescendant on the combobox".into());
    }
    unit.send_keys(ENTER).await?;
    if value_of(b, "#i-unit-value").await? != "D-TRANSPORT-HWY" {
        return Err("picking did not put the code in the form".into());
    }
    if value_of(b, "#i-unit").await? != "辽宁省高速公路管理局" {
        return Err("the picked unit is not shown by its name".into());
    }
    if b.current_url().await?.contains("/items/") && !b.current_url().await?.ends_with("/items/new")
    {
        return Err("Enter submitted the form".into());
    }
    // The person picker lists the picked unit's people when it gets the focus.
    let person = b.find("#i-user").await?;
    person.click().await?;
    b.wait_for_text("#i-user + .picker-list", "孙伟", T).await?;
    person.send_keys(DOWN).await?;
    person.send_keys(ENTER).await?;
    if value_of(b, "#i-user-value").await? != "owner" {
        return Err("picking a person did not put the username in the form".into());
    }
    if value_of(b, "#i-person").await? != "孙伟" {
        return Err("the person's name was not filled in".into());
    }
    // Escape closes an open list.
    unit.clear().await?;
    unit.send_keys("党支部").await?;
    b.wait_for("#i-unit + .picker-list:not([hidden])", T)
        .await?;
    unit.send_keys("\u{E00C}").await?;
    if !b
        .find_all("#i-unit + .picker-list:not([hidden])")
        .await?
        .is_empty()
    {
        return Err("Escape did not close the list".into());
    }
    Ok(())
}

/// A day by clicking only: the office ticks three red items of Dalian's in the ledger and urges
/// them in one batch; Dalian's liaison signs in to the to-do page, sees the unread notices,
/// opens the inbox and the urge, and lands on the item.
#[tokio::test]
async fn a_batch_urge_reaches_the_liaisons_todo_and_inbox_by_clicking() {
    if !browser_required() {
        return;
    }
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let b = Browser::start().await.expect("browser");
    let r = urge_scenario(&app, &b).await;
    if r.is_err() {
        let _ = b
            .save_screenshot(std::env::temp_dir().join("luodi-urge-failure.png"))
            .await;
    }
    let _ = b.quit().await;
    r.expect("urge scenario");
}

async fn urge_scenario(app: &TestApp, b: &Browser) -> Result<(), String> {
    sign_in(app, b, "office").await?;
    // The office's to-do leads to the ledger; there it filters Dalian's red items.
    b.wait_for("#todo", T).await?;
    let dalian = app.org_id("210200-BIZENV").await;
    b.goto(&app.url(&format!("/ledger?within={dalian}&light=red&status=open")))
        .await?;
    b.wait_for("#batch-form", T).await?;
    let boxes = b.find_all("#ledger-table input[name=\"ids\"]").await?;
    if boxes.len() != 3 {
        return Err(format!("three red items in Dalian, not {}", boxes.len()));
    }
    for bx in &boxes {
        bx.click().await?;
    }
    set_value(b, "#batch-action", "urge").await?;
    b.find("#batch-reason")
        .await?
        .send_keys("请本周五前报送整改进展")
        .await?;
    b.execute("window.confirm = () => true;", vec![]).await?;
    b.find("#batch-submit").await?.click().await?;
    b.wait_for_text("#batch-summary", "完成 3 项", T).await?;
    sign_out(b).await?;

    sign_in(app, b, "dalian_liaison").await?;
    b.wait_for("#todo-notices", T).await?;
    b.find("#todo-notices-go").await?.click().await?;
    b.wait_for_url("/inbox", T).await?;
    b.wait_for_text("#inbox", "请本周五前报送整改进展", T)
        .await?;
    b.find("#inbox li.unread .notice-open")
        .await?
        .click()
        .await?;
    b.wait_for_url("/items/", T).await?;
    b.wait_for("#item-title", T).await?;
    Ok(())
}
