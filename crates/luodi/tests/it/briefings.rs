//! Information submissions (信息报送) and briefings (工作简报) through the API and the pages: a
//! unit writes and submits a news item with a photo; its drafts are its own; the office edits
//! it, adopts it into a numbered briefing and publishes it (never an empty one); a published
//! briefing freezes what it carries; the briefing downloads as Word with the photo; the weekly
//! bulletin counts submitted and adopted items and scores the adoption; foreign subtrees see
//! nothing and change nothing.

use crate::helpers::{json, TestApp};
use chrono::{TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::io::Read;
use std::sync::Arc;

/// A real 2×1 PNG.
const PNG: [u8; 70] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0,
    0, 0, 123, 64, 232, 221, 0, 0, 0, 13, 73, 68, 65, 84, 120, 156, 99, 248, 207, 0, 4, 255, 1, 7,
    0, 1, 255, 226, 35, 158, 89, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

async fn upload(
    app: &TestApp,
    c: &Client,
    id: i64,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
    );
    json(
        c.post(app.url(&format!("/api/v1/submissions/{id}/photos")))
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await
}

async fn get(app: &TestApp, c: &Client, path: &str) -> (StatusCode, Value) {
    json(c.get(app.url(path)).send().await.expect("get")).await
}

async fn post(app: &TestApp, c: &Client, path: &str, body: Value) -> (StatusCode, Value) {
    json(
        c.post(app.url(path))
            .json(&body)
            .send()
            .await
            .expect("post"),
    )
    .await
}

#[tokio::test]
async fn a_submission_is_written_adopted_into_a_briefing_published_and_counted() {
    // Thursday 2026-11-26 10:00 in Shanghai: ISO week 2026-W48.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let liaison = app.token_client("liaison").await;
    let office = app.token_client("office").await;
    let dalian = app.token_client("dalian_liaison").await;
    let shenyang = app.token_client("shenyang_office").await;
    let (_, camps) = get(&app, &office, "/api/v1/campaigns").await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let port = app.org_id("D-TRANSPORT-PORT").await;
    let root = app.org_id("210000").await;
    let audit_before = app.audit_count().await;

    // The unit writes a draft; bad input names its fields.
    let (s, bad) = post(
        &app,
        &liaison,
        "/api/v1/submissions",
        json!({"campaign_id": cid, "org_id": port, "title": " ", "body": ""}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let fields: Vec<&str> = bad["details"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["title", "body"]);
    let (s, v) = post(&app, &liaison, "/api/v1/submissions", json!({"campaign_id": cid, "org_id": port,
        "title": "营口港航管理站开展“走流程、解难题”现场办公", "body": "11月25日，站领导班子到港区现场办公。\n现场解决企业反映问题3个。"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sid = v["submission"]["id"].as_i64().expect("id");
    assert_eq!(
        (
            v["submission"]["status"].as_str(),
            v["can_submit"].as_bool()
        ),
        (Some("draft"), Some(true))
    );
    // A unit of another city cannot write for the port office.
    let (s, e) = post(
        &app,
        &dalian,
        "/api/v1/submissions",
        json!({"campaign_id": cid, "org_id": port, "title": "x", "body": "y"}),
    )
    .await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::FORBIDDEN,
        "{s} {e}"
    );

    // Photos: pictures only (by content), kept with the submission.
    let (s, p) = upload(&app, &liaison, sid, "现场.png", &PNG).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let photo = p["id"].as_i64().expect("photo");
    let (s, e) = upload(&app, &liaison, sid, "说明.txt", "纯文本".as_bytes()).await;
    assert_eq!(
        (s, e["details"]["fields"][0]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("photo_type_not_allowed")
        ),
        "{e}"
    );
    let r = liaison
        .get(app.url(&format!("/api/v1/photos/{photo}")))
        .send()
        .await
        .expect("photo");
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PNG.as_slice());

    // A draft is the unit's own: the office and other units neither see nor list it.
    for c in [&office, &dalian, &shenyang] {
        assert_eq!(
            get(&app, c, &format!("/api/v1/submissions/{sid}")).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, list) = get(&app, c, "/api/v1/submissions").await;
        assert!(
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .all(|s| s["id"] != sid),
            "{list}"
        );
        assert_eq!(
            c.get(app.url(&format!("/api/v1/photos/{photo}")))
                .send()
                .await
                .expect("p")
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    let (_, mine) = get(&app, &liaison, "/api/v1/submissions?status=draft").await;
    assert_eq!(mine["total"], 1, "{mine}");

    // Submitted: the unit can no longer change it; the office sees and edits it.
    let (s, v) = post(
        &app,
        &liaison,
        &format!("/api/v1/submissions/{sid}/submit"),
        json!({"version": v["submission"]["version"]}),
    )
    .await;
    assert_eq!(
        (s, v["submission"]["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{v}"
    );
    let (s, _) = json(
        liaison
            .put(app.url(&format!("/api/v1/submissions/{sid}")))
            .json(&json!({"title": "改", "body": "改", "version": v["submission"]["version"]}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = json(office.put(app.url(&format!("/api/v1/submissions/{sid}"))).json(&json!({"title": "营口港航管理站“走流程、解难题”现场办公见实效", "body": v["submission"]["body"], "version": v["submission"]["version"]})).send().await.expect("put")).await;
    assert_eq!(
        (
            s,
            v["submission"]["edited_by"]
                .as_str()
                .is_some_and(|n| n.starts_with("office"))
        ),
        (StatusCode::OK, true),
        "{v}"
    );
    // Foreign subtrees: another city's unit and office see nothing.
    for c in [&dalian, &shenyang] {
        assert_eq!(
            get(&app, c, &format!("/api/v1/submissions/{sid}")).await.0,
            StatusCode::NOT_FOUND
        );
        let (s, _) = post(
            &app,
            c,
            &format!("/api/v1/submissions/{sid}/adopt"),
            json!({"level": "higher", "note": "x"}),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // The Shenyang office cannot issue a briefing for the province.
    let (s, _) = post(
        &app,
        &shenyang,
        "/api/v1/briefings",
        json!({"campaign_id": cid, "org_id": root, "title": ""}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the province is not an org it knows"
    );
    // A unit cannot adopt.
    let (s, _) = post(
        &app,
        &liaison,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "higher", "note": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The office starts issues 1 and 2; an empty issue is never published.
    let (s, b1) = post(
        &app,
        &office,
        "/api/v1/briefings",
        json!({"campaign_id": cid, "org_id": root, "title": "基层动态"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b1}");
    let (_, b2) = post(
        &app,
        &office,
        "/api/v1/briefings",
        json!({"campaign_id": cid, "org_id": root, "title": ""}),
    )
    .await;
    assert_eq!(
        (
            b1["briefing"]["issue_no"].as_i64(),
            b2["briefing"]["issue_no"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let (bid, empty) = (
        b1["briefing"]["id"].as_i64().expect("b"),
        b2["briefing"]["id"].as_i64().expect("b"),
    );
    assert!(
        b1["candidates"]
            .as_array()
            .expect("c")
            .iter()
            .any(|c| c["id"] == sid),
        "{b1}"
    );
    let (s, e) = post(
        &app,
        &office,
        &format!("/api/v1/briefings/{empty}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("empty_briefing")),
        "{e}"
    );
    // Units see neither draft issue.
    assert_eq!(
        get(&app, &liaison, &format!("/api/v1/briefings/{bid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Adopted into issue 1 (once), and by the provincial party office as well.
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "office", "briefing_id": bid}),
    )
    .await;
    assert_eq!(
        (s, v["submission"]["status"].as_str()),
        (StatusCode::OK, Some("adopted")),
        "{v}"
    );
    let (s, e) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "office", "briefing_id": bid}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_adopted"))
    );
    let (s, e) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "higher", "note": ""}),
    )
    .await;
    assert_eq!(
        (s, e["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "higher", "note": "省委办公厅《每日要情》第35期"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let levels: Vec<&str> = v["adoptions"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|a| a["level"].as_str())
        .collect();
    assert_eq!(levels, ["office", "higher"]);

    let (s, pb) = post(
        &app,
        &office,
        &format!("/api/v1/briefings/{bid}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(
        (s, pb["briefing"]["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{pb}"
    );
    assert_eq!(pb["entries"][0]["photos"][0]["id"].as_i64(), Some(photo));
    // Frozen: no edit, no removal, no second publication.
    let (s, e) = json(
        office
            .put(app.url(&format!("/api/v1/submissions/{sid}")))
            .json(&json!({"title": "再改", "body": "再改", "version": v["submission"]["version"]}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("submission_frozen")),
        "{e}"
    );
    let (s, e) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/unadopt"),
        json!({"briefing_id": bid}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("briefing_published"))
    );
    let (s, _) = post(
        &app,
        &office,
        &format!("/api/v1/briefings/{bid}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Published to the whole province: the unit and another city's unit read it and its photo.
    for c in [&liaison, &dalian] {
        let (s, b) = get(&app, c, &format!("/api/v1/briefings/{bid}")).await;
        assert_eq!(
            (s, b["entries"][0]["submission"]["id"].as_i64()),
            (StatusCode::OK, Some(sid)),
            "{b}"
        );
        assert_eq!(
            c.get(app.url(&format!("/api/v1/photos/{photo}")))
                .send()
                .await
                .expect("p")
                .status(),
            StatusCode::OK
        );
        let (_, list) = get(&app, c, "/api/v1/briefings").await;
        let ids: Vec<i64> = list
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|b| b["id"].as_i64())
            .collect();
        assert_eq!(ids, [bid], "drafts stay the office's");
    }

    // The Word document carries the masthead, the issue, the text and the photo.
    let r = liaison
        .get(app.url(&format!("/api/v1/briefings/{bid}/export.docx")))
        .send()
        .await
        .expect("docx");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("docx is a zip");
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .expect("document")
        .read_to_string(&mut xml)
        .expect("read");
    for s in [
        "主题教育工作简报",
        "第 1 期",
        "基层动态",
        "“走流程、解难题”现场办公见实效",
        "【辽宁省港航管理处】",
        "　　现场解决企业反映问题3个。",
        "r:embed=\"rIdImg1\"",
    ] {
        assert!(xml.contains(s), "{s} in {xml}");
    }
    let mut media = Vec::new();
    z.by_name("word/media/image1.png")
        .expect("photo")
        .read_to_end(&mut media)
        .expect("read");
    assert_eq!(media, PNG);

    // The week's bulletin of the transport department counts it for the port office, and the
    // adoption scores a point under the default rules.
    let transport = app.org_id("D-TRANSPORT").await;
    let (s, b) = post(
        &app,
        &office,
        "/api/v1/bulletins",
        json!({"campaign_id": cid, "scope_org_id": transport, "week": "2026-W48"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let rows = b["rows"].as_array().expect("rows");
    let row = |code: &str| {
        rows.iter()
            .find(|r| r["org_code"] == code)
            .expect("row")
            .clone()
    };
    let port_row = row("D-TRANSPORT-PORT");
    assert_eq!(
        (
            port_row["figures"]["submissions"].as_i64(),
            port_row["figures"]["submissions_adopted"].as_i64()
        ),
        (Some(1), Some(1)),
        "{port_row}"
    );
    assert_eq!(
        row("D-TRANSPORT-ROAD")["figures"]["submissions"].as_i64(),
        Some(0)
    );
    assert_eq!(
        b["totals"]["figures"]["submissions_adopted"].as_i64(),
        Some(1)
    );
    // Next week's bulletin does not count this week's submission again.
    let (_, b49) = post(
        &app,
        &office,
        "/api/v1/bulletins",
        json!({"campaign_id": cid, "scope_org_id": transport, "week": "2026-W49"}),
    )
    .await;
    assert_eq!(
        b49["totals"]["figures"]["submissions"].as_i64(),
        Some(0),
        "{b49}"
    );

    // Every change was audited.
    let (_, audit) = get(
        &app,
        &app.token_client("auditor").await,
        "/api/v1/audit?object_type=submission&per_page=100",
    )
    .await;
    let mut actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    assert_eq!(
        actions,
        [
            "submission.add_photo",
            "submission.adopt",
            "submission.create",
            "submission.submit",
            "submission.update"
        ]
    );
    assert!(app.audit_count().await >= audit_before + 9);
}

/// Follows a 303 after a form post: the path it went to and the page there.
async fn follow(app: &TestApp, c: &Client, r: reqwest::Response) -> (String, String) {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a form post redirects");
    let to = r.headers()[reqwest::header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let html = c
        .get(app.url(&to))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    (to.split('?').next().unwrap_or_default().to_owned(), html)
}

#[tokio::test]
async fn submissions_and_briefings_through_the_pages() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    let office = app.demo("office").await;

    // The form says what is wrong, where; then the draft is saved and submitted.
    let page = liaison
        .get(app.url("/submissions/new"))
        .send()
        .await
        .expect("new")
        .text()
        .await
        .expect("html");
    assert!(page.contains("id=\"submission-form\""), "{page}");
    let cid = page
        .split("name=\"campaign_id\">")
        .nth(1)
        .and_then(|s| s.split("value=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .expect("campaign option")
        .to_owned();
    let r = liaison
        .post(app.url("/submissions"))
        .form(&[
            ("campaign_id", cid.as_str()),
            ("org_code", "D-TRANSPORT-HWY"),
            ("title", ""),
            ("body", "正文"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(
        html.contains("id=\"form-errors\"") && html.contains("has-error") && html.contains("正文"),
        "typed text kept"
    );
    let r = liaison
        .post(app.url("/submissions"))
        .form(&[
            ("campaign_id", cid.as_str()),
            ("org_code", "D-TRANSPORT-HWY"),
            ("title", "高速公路管理局推进省界收费站取消工作"),
            ("body", "第一段。\n第二段。"),
        ])
        .send()
        .await
        .expect("post");
    let (url, html) = follow(&app, &liaison, r).await;
    let sid: i64 = url
        .trim_start_matches("/submissions/")
        .parse()
        .expect("redirected to the submission");
    assert!(
        html.contains("id=\"submission-submit\"") && html.contains("id=\"photo-form\""),
        "{html}"
    );
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("version")
        .to_owned();
    let r = liaison
        .post(app.url(&format!("/submissions/{sid}/submit")))
        .form(&[("version", version.as_str())])
        .send()
        .await
        .expect("submit");
    let (_, html) = follow(&app, &liaison, r).await;
    assert!(
        html.contains("data-status=\"submitted\"") && !html.contains("id=\"submission-edit-form\""),
        "the unit no longer edits"
    );

    // The office starts a briefing (the issuer must be an org it supervises) and adopts from it.
    let r = office
        .post(app.url("/briefings"))
        .form(&[
            ("campaign_id", cid.as_str()),
            ("org_code", "NOPE"),
            ("title", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .post(app.url("/briefings"))
        .form(&[
            ("campaign_id", cid.as_str()),
            ("org_code", "210000"),
            ("title", ""),
        ])
        .send()
        .await
        .expect("post");
    let (bpath, html) = follow(&app, &office, r).await;
    assert!(
        bpath.starts_with("/briefings/") && html.contains("id=\"briefing-empty\""),
        "{bpath}"
    );
    assert!(
        html.contains(&format!("data-submission-id=\"{sid}\"")),
        "offered as a candidate"
    );
    let bid = bpath.trim_start_matches("/briefings/");
    let r = office
        .post(app.url(&format!("/submissions/{sid}/adopt")))
        .form(&[("target", bid), ("back", bpath.as_str())])
        .send()
        .await
        .expect("adopt");
    let (back, html) = follow(&app, &office, r).await;
    assert_eq!(back, bpath);
    assert!(
        html.contains("高速公路管理局推进省界收费站取消工作")
            && html.contains("class=\"briefing-entry\""),
        "{html}"
    );
    let r = office
        .post(app.url(&format!("{bpath}/publish")))
        .send()
        .await
        .expect("publish");
    let (_, html) = follow(&app, &office, r).await;
    assert!(
        html.contains("data-status=\"published\"") && !html.contains("id=\"briefing-publish\"")
    );

    // The unit reads the published briefing from its list; the submission page links it.
    let html = liaison
        .get(app.url("/briefings"))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(html.contains(&format!("href=\"{bpath}\"")), "{html}");
    let html = liaison
        .get(app.url(&format!("/submissions/{sid}")))
        .send()
        .await
        .expect("show")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains("id=\"submission-frozen\"") && html.contains(&format!("href=\"{bpath}\""))
    );
    // Another city's unit cannot open the submission page.
    let dalian = app.demo("dalian_liaison").await;
    assert_eq!(
        dalian
            .get(app.url(&format!("/submissions/{sid}")))
            .send()
            .await
            .expect("show")
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// Control characters (other than tab and line breaks) are refused in every text field, through
/// the API and the pages, naming the field; and text stored before that rule (here written
/// straight into the database) still makes a briefing every reader can open: the document
/// holds no character XML 1.0 forbids.
#[tokio::test]
async fn control_characters_never_reach_a_document() {
    let app = TestApp::seeded().await;
    let liaison = app.token_client("liaison").await;
    let office = app.token_client("office").await;
    let (_, camps) = get(&app, &office, "/api/v1/campaigns").await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let port = app.org_id("D-TRANSPORT-PORT").await;
    let root = app.org_id("210000").await;
    for (title, body, field) in [
        ("标题\u{0b}含垂直制表符", "正文", "title"),
        ("标题", "正文\u{01}\u{08}\u{1b}[31m", "body"),
    ] {
        let (s, v) = post(
            &app,
            &liaison,
            "/api/v1/submissions",
            json!({"campaign_id": cid, "org_id": port, "title": title, "body": body}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["details"]["fields"][0]["field"], field, "{v}");
        assert_eq!(
            v["details"]["fields"][0]["code"], "control_characters",
            "{v}"
        );
    }
    let page = app.demo("liaison").await;
    let r = page
        .post(app.url("/submissions"))
        .form(&[
            ("campaign_id", cid.to_string()),
            ("org_id", port.to_string()),
            ("title", "页面\u{0b}标题".to_owned()),
            ("body", "正文".to_owned()),
        ])
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("page").contains("U+000B"));
    // Tabs and line breaks are text.
    let (s, v) = post(
        &app,
        &liaison,
        "/api/v1/submissions",
        json!({"campaign_id": cid, "org_id": port,
        "title": "港航站现场办公", "body": "第一段。\r\n\t第二段。"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let sid = v["submission"]["id"].as_i64().expect("id");
    let (s, v) = post(
        &app,
        &liaison,
        &format!("/api/v1/submissions/{sid}/submit"),
        json!({"version": v["submission"]["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Older text, stored before the rule.
    let mut c = app.svc.db().begin().await.expect("tx");
    luodi_store::db::execute(
        c.conn(),
        luodi_store::Sql::new("UPDATE submissions SET title = ")
            .arg("旧标题\u{0b}\u{01}残留")
            .push(", body = ")
            .arg("旧正文\u{08}\u{1b}[0m残留\u{FFFF}")
            .push(" WHERE id = ")
            .arg(sid),
    )
    .await
    .expect("update");
    c.commit().await.expect("commit");
    let (s, b) = post(
        &app,
        &office,
        "/api/v1/briefings",
        json!({"campaign_id": cid, "org_id": root, "title": "基层动态"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let bid = b["briefing"]["id"].as_i64().expect("id");
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/submissions/{sid}/adopt"),
        json!({"level": "office", "briefing_id": bid}),
    )
    .await;
    assert!(s.is_success(), "{v}");
    let r = office
        .get(app.url(&format!("/api/v1/briefings/{bid}/export.docx")))
        .send()
        .await
        .expect("docx");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .expect("document")
        .read_to_string(&mut xml)
        .expect("read");
    assert!(
        xml.contains("旧标题残留") && xml.contains("残留"),
        "the text is kept"
    );
    let bad: Vec<char> = xml
        .chars()
        .filter(|c| {
            (u32::from(*c) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
}
