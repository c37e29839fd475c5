//! Every list exports to .xlsx with the page's filters: the workbook has a title row, the page's
//! column headers, and as many rows as the filtered list's total; a city office's export holds
//! only its own city's rows.

use crate::helpers::TestApp;
use calamine::{Data, Reader, Xlsx};
use reqwest::{Client, StatusCode};
use std::io::Cursor;

/// The grid of an exported workbook's first sheet, as text.
async fn export(app: &TestApp, c: &Client, path: &str) -> Vec<Vec<String>> {
    let r = c.get(app.url(path)).send().await.expect("export");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "{path}"
    );
    let disposition = r
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(".xlsx"),
        "{disposition}"
    );
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    d => d.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The total the page's pager states ("共 N 条").
async fn page_total(app: &TestApp, c: &Client, path: &str) -> (usize, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let body = r.text().await.expect("body");
    let info = body
        .split("<span class=\"info\">")
        .nth(1)
        .unwrap_or_else(|| panic!("{path} has no pager"));
    let total = info
        .trim_start_matches('共')
        .trim()
        .split(|ch: char| !ch.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{path}: no total in {}", &info[..40.min(info.len())]));
    (total, body)
}

/// Exports `list` (a page path with its filters) through `export_path` and checks the workbook
/// against the page: the export link is on the page, the headers are there, the rows are as many
/// as the page's total. The data rows.
async fn matches_page(
    app: &TestApp,
    c: &Client,
    list: &str,
    export_path: &str,
    first_header: &str,
) -> Vec<Vec<String>> {
    let (total, body) = page_total(app, c, list).await;
    let link = export_path.replace('&', "&amp;");
    assert!(
        body.contains(&format!("href=\"{link}\"")),
        "{list} links to {export_path}"
    );
    let grid = export(app, c, export_path).await;
    assert!(
        grid[0][0].contains(&format!("共 {total} 条")),
        "title row {:?}",
        grid[0]
    );
    assert_eq!(grid[1][0], first_header, "{export_path}: {:?}", grid[1]);
    let rows = grid[2..].to_vec();
    assert_eq!(rows.len(), total, "{export_path}");
    rows
}

#[tokio::test]
async fn reports_export_with_the_page_filters_and_scope() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let all = matches_page(&app, &office, "/reports", "/reports/export.xlsx", "周期").await;
    assert!(!all.is_empty());
    // A filter on the page is a filter in the file.
    let accepted = matches_page(
        &app,
        &office,
        "/reports?status=accepted",
        "/reports/export.xlsx?status=accepted",
        "周期",
    )
    .await;
    assert!(accepted.len() < all.len());
    assert!(
        accepted.iter().all(|r| r[4] == "已审核通过"),
        "{accepted:?}"
    );
    assert!(
        all.iter().any(|r| r[2].contains("大连")),
        "demo reports of Dalian"
    );

    // A city office exports its city only, and cannot ask for another city's subtree.
    let shenyang = app.demo("shenyang_office").await;
    let own = matches_page(&app, &shenyang, "/reports", "/reports/export.xlsx", "周期").await;
    // (The demo's reports are the provincial transport department's units, Dalian's toll
    // stations among them: none is Shenyang's.)
    assert!(own.len() < all.len());
    assert!(own.iter().all(|r| !r[2].contains("大连")), "{own:?}");
    let dalian = app.org_id("210200").await;
    let r = shenyang
        .get(app.url(&format!("/reports/export.xlsx?within={dalian}")))
        .send()
        .await
        .expect("foreign");
    assert!(
        matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status()
    );

    // English readers get English headers.
    office
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("back", "/")])
        .send()
        .await
        .expect("lang");
    let r = office
        .get(app.url("/reports/export.xlsx"))
        .send()
        .await
        .expect("en");
    let mut book = Xlsx::new(Cursor::new(r.bytes().await.expect("b").to_vec())).expect("xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    assert_eq!(range.get((1, 0)), Some(&Data::String("Period".into())));
}

#[tokio::test]
async fn record_lists_and_interviews_export() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    for (list, first) in [
        ("/meetings", "会议日期"),
        ("/research", "课题"),
        ("/key-works", "重点工作"),
    ] {
        let rows = matches_page(&app, &office, list, &format!("{list}/export.xlsx"), first).await;
        assert!(!rows.is_empty(), "{list}: demo rows");
    }
    let shenyang = app.demo("shenyang_office").await;
    for list in ["/meetings", "/research", "/key-works"] {
        let path = format!("{list}/export.xlsx");
        let grid = export(&app, &shenyang, &path).await;
        assert!(
            grid[2..]
                .iter()
                .all(|r| r.iter().all(|c| !c.contains("大连"))),
            "{path}: {grid:?}"
        );
    }

    // Interviews: no pager, every row of the (filtered) list is in the file.
    for (list, path) in [
        ("/interviews", "/interviews/export.xlsx"),
        (
            "/interviews?status=proposed",
            "/interviews/export.xlsx?status=proposed",
        ),
    ] {
        let body = office
            .get(app.url(list))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(body.contains(&format!("href=\"{path}\"")), "{list}");
        let shown = body.matches("<td><a href=\"/interviews/").count();
        let grid = export(&app, &office, path).await;
        assert_eq!(grid.len() - 2, shown, "{path}");
        if list.contains("proposed") {
            assert!(grid[2..].iter().all(|r| r[3] == "待确认"), "{grid:?}");
        }
    }
}

#[tokio::test]
async fn orgs_and_accounts_export_with_their_filters() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let all = matches_page(&app, &office, "/orgs", "/orgs/export.xlsx", "编码").await;
    let found = matches_page(
        &app,
        &office,
        "/orgs?q=%E5%A4%A7%E8%BF%9E",
        "/orgs/export.xlsx?q=%E5%A4%A7%E8%BF%9E",
        "编码",
    )
    .await;
    assert!(!found.is_empty() && found.len() < all.len());
    assert!(all.iter().any(|r| r[1].contains("大连")));
    // A city office's tree is its city.
    let shenyang = app.demo("shenyang_office").await;
    let own = matches_page(&app, &shenyang, "/orgs", "/orgs/export.xlsx", "编码").await;
    assert!(!own.is_empty() && own.len() < all.len());
    assert!(own.iter().all(|r| !r[1].contains("大连")), "{own:?}");

    let sys = app.demo("sysadmin").await;
    let users = matches_page(
        &app,
        &sys,
        "/admin/users",
        "/admin/users/export.xlsx",
        "用户名",
    )
    .await;
    assert!(users.iter().any(|r| r[0] == "shenyang_office"));
    let one = matches_page(
        &app,
        &sys,
        "/admin/users?q=shenyang",
        "/admin/users/export.xlsx?q=shenyang",
        "用户名",
    )
    .await;
    assert!(!one.is_empty() && one.len() < users.len());
    assert!(one
        .iter()
        .all(|r| r[0].contains("shenyang") || r[1].contains("shenyang")));
}

#[tokio::test]
async fn the_audit_trail_exports_for_the_auditor() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let auditor = app.demo("auditor").await;
    let all = matches_page(&app, &auditor, "/audit", "/audit/export.xlsx", "时间").await;
    assert!(!all.is_empty());
    let exported = matches_page(
        &app,
        &auditor,
        "/audit?action=data.export",
        "/audit/export.xlsx?action=data.export",
        "时间",
    )
    .await;
    // Exports are in the trail (the one above, at least).
    assert!(!exported.is_empty() && exported.len() < all.len());
    assert!(
        exported.iter().all(|r| r[2] == "data.export"),
        "{exported:?}"
    );
    // A city office reads no trail.
    let shenyang = app.demo("shenyang_office").await;
    let r = shenyang
        .get(app.url("/audit/export.xlsx"))
        .send()
        .await
        .expect("refused");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deliveries_export_with_their_filters() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let all = matches_page(
        &app,
        &office,
        "/deliveries",
        "/deliveries/export.xlsx",
        "生成时间",
    )
    .await;
    let failed = matches_page(
        &app,
        &office,
        "/deliveries?status=failed",
        "/deliveries/export.xlsx?status=failed",
        "生成时间",
    )
    .await;
    assert!(failed.len() <= all.len());
    assert!(failed.iter().all(|r| r[4] == "发送失败"), "{failed:?}");
}
