//! Close-out (销号) as offices do it: the unit states what was done when it asks, the reviewer
//! gives an opinion when approving, and every step that cannot be taken back asks first, after
//! its required fields.

use crate::helpers::{json, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn full() -> TestApp {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    app
}

fn last_event(item: &Value) -> Value {
    item["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("an event")
}

#[tokio::test]
async fn a_close_out_carries_the_units_statement_and_the_reviewers_opinion() {
    let app = full().await;
    let office = app.demo("office").await;
    let dalian = app.demo("dalian_liaison").await;

    // An item of Dalian's in progress, with evidence.
    let (_, list) = json(
        dalian
            .get(app.url("/api/v1/items?status=in_progress&per_page=50"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let it = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["evidence_count"].as_i64().unwrap_or(0) > 0)
        .cloned()
        .expect("an item with evidence");
    let id = it["id"].as_i64().expect("id");

    // The page asks for the statement, required, on the close-out form.
    let html = dalian
        .get(app.url(&format!("/items/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let form = html
        .split("id=\"action-request_close_out-form\"")
        .nth(1)
        .expect("the close-out form")
        .split("</form>")
        .next()
        .expect("form");
    assert!(form.contains("整改完成情况说明"), "{form}");
    assert!(form.contains("required"), "the statement is required");

    let statement = "已完成政务服务事项梳理，上线事项 326 项，佐证材料已上传。";
    let (s, v) = json(
        dalian
            .post(app.url(&format!("/api/v1/items/{id}/transitions")))
            .header("If-Match", it["version"].to_string())
            .json(&json!({ "action": "request_close_out", "reason": statement }))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(last_event(&v)["reason"], statement);

    // The office approves with an opinion; the page asks before closing.
    let html = office
        .get(app.url(&format!("/items/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let form = html
        .split("id=\"action-close-form\"")
        .nth(1)
        .expect("the close form")
        .split("</form>")
        .next()
        .expect("form");
    assert!(
        html.contains("id=\"action-close-form\" data-confirm="),
        "asks first"
    );
    assert!(form.contains("审核意见") && form.contains("required"));
    let opinion = "佐证充分，同意销号。";
    let r = office
        .post(app.url(&format!("/items/{id}/transitions")))
        .form(&[
            ("action", "close"),
            ("version", &v["version"].to_string()),
            ("reason", opinion),
        ])
        .send()
        .await
        .expect("close");
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, v) = json(
        office
            .get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(v["status"], "closed");
    assert_eq!(last_event(&v)["reason"], opinion);
    // Both texts are in the item's history.
    let html = office
        .get(app.url(&format!("/items/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains(statement) && html.contains(opinion));
}

/// A real 2×1 PNG.
const PNG: [u8; 70] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 123, 64, 232, 221, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 0, 4, 255, 1, 7,
    0, 1, 255, 226, 35, 158, 89, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

#[tokio::test]
async fn several_evidence_files_go_up_at_once_and_images_and_pdfs_preview_safely() {
    let app = full().await;
    let dalian = app.demo("dalian_liaison").await;
    let (_, list) = json(
        dalian
            .get(app.url("/api/v1/items?status=in_progress&per_page=1"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let id = list["items"][0]["id"].as_i64().expect("an item");
    let before = list["items"][0]["evidence_count"].as_i64().expect("count");
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("现场照片.png"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.to_vec()).file_name("整改报告.pdf"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"plain notes".to_vec()).file_name("说明.txt"),
        );
    let r = dalian
        .post(app.url(&format!("/items/{id}/evidence")))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert!(r.status().is_redirection(), "{}", r.status());
    let (_, item) = json(
        dalian
            .get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(item["evidence_count"].as_i64(), Some(before + 3), "{item}");
    let html = dalian
        .get(app.url(&format!("/items/{id}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let mut viewed = 0;
    for a in item["attachments"].as_array().expect("attachments") {
        let aid = a["id"].as_i64().expect("id");
        let name = a["file_name"].as_str().expect("name");
        let r = dalian
            .get(app.url(&format!("/attachments/{aid}/view")))
            .send()
            .await
            .expect("view");
        assert_eq!(r.status(), StatusCode::OK);
        let h = r.headers();
        let disposition = h["content-disposition"].to_str().expect("d").to_owned();
        let ct = h["content-type"].to_str().expect("ct").to_owned();
        if ct == "image/png" || ct == "application/pdf" {
            viewed += 1;
            assert!(disposition.starts_with("inline"), "{name}: {disposition}");
            let csp = h["content-security-policy"].to_str().expect("csp");
            assert!(csp.starts_with("sandbox"), "{name}: {csp}");
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(
                html.contains(&format!("id=\"view-{aid}\"")),
                "a preview link"
            );
        } else {
            assert!(
                disposition.starts_with("attachment"),
                "{name}: {disposition}"
            );
            assert!(!html.contains(&format!("id=\"view-{aid}\"")));
        }
    }
    assert!(viewed >= 2, "the image and the PDF preview");
    // Another city's liaison cannot view it.
    let other = app.demo("shenyang_keji_liaison").await;
    let aid = item["attachments"][0]["id"].as_i64().expect("id");
    let r = other
        .get(app.url(&format!("/attachments/{aid}/view")))
        .send()
        .await
        .expect("view");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
