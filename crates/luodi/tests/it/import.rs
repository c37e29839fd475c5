//! Importing an org tree from a spreadsheet: all rows checked first, all or nothing, errors by
//! row and column.

use crate::helpers::{json, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

fn csv_rows(n: usize, parent: &str, bad_row: Option<usize>) -> String {
    let mut s = String::from("编码,名称,类型,上级编码\n");
    for i in 0..n {
        // Spreadsheet row = i + 2 (the header is row 1).
        let kind = if Some(i + 2) == bad_row {
            "星球"
        } else {
            "单位"
        };
        s.push_str(&format!("IMP-{i:04},导入单位{i},{kind},{parent}\n"));
    }
    s
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    json(
        c.post(app.url("/api/v1/orgs/import"))
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await
}

#[tokio::test]
async fn one_bad_row_in_a_thousand_imports_nothing() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let before = app.snapshot().await;
    let (s, v) = upload(
        &app,
        &c,
        "orgs.csv",
        csv_rows(1000, "D-TRANSPORT", Some(734)).into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "import_rows_invalid");
    let rows = v["details"]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{v}");
    assert_eq!(rows[0]["row"], 734);
    assert_eq!(rows[0]["column"], "C");
    assert_eq!(rows[0]["header"], "类型");
    assert_eq!(rows[0]["code"], "unknown_kind");
    assert!(rows[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("星球")));
    assert_eq!(app.snapshot().await, before, "nothing imported");

    // Fixed, the same file imports whole.
    let (s, v) = upload(
        &app,
        &c,
        "orgs.csv",
        csv_rows(1000, "D-TRANSPORT", None).into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 1000);
    assert_eq!(app.snapshot().await[0], before[0] + 1000);
}

#[tokio::test]
async fn database_checks_name_the_cell_too() {
    let app = TestApp::seeded().await;
    let c = app.demo("dalian_liaison").await;
    let before = app.snapshot().await;
    // A code that exists already, and a parent outside the importer's scope.
    let csv = "code,name,kind,parent code\nD-ARCHIVES,重复,unit,210200-BIZENV\nNEW-1,新单位,unit,D-TRANSPORT\n";
    let (s, v) = upload(&app, &c, "t.csv", csv.as_bytes().to_vec()).await;
    // A liaison may not manage orgs at all: the import is refused as a whole.
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::FORBIDDEN,
        "{s} {v}"
    );
    let office = app.demo("shenyang_office").await;
    let (s, v) = upload(&app, &office, "t.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let rows = v["details"]["rows"].as_array().expect("rows");
    assert!(
        rows.iter()
            .any(|r| r["row"] == 2 && r["column"] == "A" && r["code"] == "code_exists"),
        "{v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["row"] == 2 && r["column"] == "D" && r["code"] == "unknown_parent"),
        "{v}"
    );
    assert!(
        rows.iter()
            .any(|r| r["row"] == 3 && r["column"] == "D" && r["code"] == "unknown_parent"),
        "{v}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn xlsx_imports_and_bad_files_are_refused() {
    let app = TestApp::seeded().await;
    let c = app.demo("office").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (col, h) in ["编码", "名称", "类型", "上级编码"].iter().enumerate() {
        ws.write_string(0, col as u16, *h).expect("write");
    }
    let rows = [
        ("X-CITY-DEPT", "测试市局", "部门", "210300"),
        ("X-CITY-DEPT-B", "测试市局党支部", "支部", "X-CITY-DEPT"),
    ];
    for (r, (a, b, k, p)) in rows.iter().enumerate() {
        for (col, v) in [a, b, k, p].iter().enumerate() {
            ws.write_string(r as u32 + 1, col as u16, **v)
                .expect("write");
        }
    }
    let bytes = wb.save_to_buffer().expect("xlsx");
    let (s, v) = upload(&app, &c, "orgs.xlsx", bytes).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"], 2);

    let before = app.snapshot().await;
    let (s, v) = upload(&app, &c, "orgs.xlsx", vec![b'x'; 20 * 1024 * 1024]).await;
    assert!(s.is_client_error(), "{s} {v}");
    let (s, v) = upload(
        &app,
        &c,
        "orgs.xlsx",
        b"<html>not a workbook</html>".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{v}");
    let (s, v) = upload(
        &app,
        &c,
        "orgs.csv",
        "name,kind\nx,unit\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_column"))
    );
    assert_eq!(app.snapshot().await, before);

    // The template downloads and parses back.
    let r = c
        .get(app.url("/orgs/import/template.xlsx"))
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap_or("")
        .starts_with("attachment"));
    let bytes = r.bytes().await.expect("bytes");
    let sheet = luodi_office::org_import::parse_sheet(&bytes, "t.xlsx", &Default::default())
        .expect("template parses");
    assert_eq!(sheet.rows.len(), 2);
}
