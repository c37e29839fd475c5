//! The weekly bulletin: figures equal a hand count on a fixture, scores follow the scoring rules
//! (and their version is recorded), the interview rules propose the right org, and a published
//! bulletin is byte-for-byte unchanged after later edits to its items.

use crate::helpers::{json, TestApp};
use chrono::{TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

pub async fn item(
    app: &TestApp,
    c: &Client,
    cid: i64,
    lead: &str,
    due: &str,
    title: &str,
) -> Value {
    let body = json!({"campaign_id": cid, "kind": "rectification", "title": title, "phase": "rectification", "source": "inspection", "item_type": "time_limited",
        "lead_org_id": app.org_id(lead).await, "responsible_person": "责任人", "due_on": due, "measures": ["措施"], "issue": true});
    let (s, v) = json(
        c.post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

pub async fn step(app: &TestApp, c: &Client, v: &Value, action: &str) -> Value {
    let id = v["id"].as_i64().expect("id");
    let (s, v) = json(
        c.post(app.url(&format!("/api/v1/items/{id}/transitions")))
            .json(&json!({"action": action, "version": v["version"]}))
            .send()
            .await
            .expect("step"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

pub async fn close(app: &TestApp, unit: &Client, office: &Client, v: &Value) -> Value {
    let id = v["id"].as_i64().expect("id");
    step(app, unit, v, "sign_off").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"),
    );
    unit.post(app.url(&format!("/api/v1/items/{id}/evidence")))
        .multipart(form)
        .send()
        .await
        .expect("evidence");
    let v = json(
        unit.get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .expect("get"),
    )
    .await
    .1;
    let v = step(app, unit, &v, "request_close_out").await;
    step(app, office, &v, "close").await
}

#[tokio::test]
async fn the_weekly_bulletin_is_a_frozen_ranking() {
    // Items are recorded on 2026-11-02; the bulletin is of week 48 (Nov 23–29), computed on
    // Monday the 30th: no reporting rule falls due in the week, so it closes when it ends.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let (_, camps) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("c"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let owner = app.demo("owner").await; // the expressway administration's responsible person
    let liaison = app.demo("liaison").await; // the transport department (and the ports below it)
                                             // Expressway administration: two items overdue by the 27th.
    let late1 = item(
        &app,
        &office,
        cid,
        "D-TRANSPORT-HWY",
        "2026-11-20",
        "逾期一",
    )
    .await;
    item(
        &app,
        &office,
        cid,
        "D-TRANSPORT-HWY",
        "2026-11-25",
        "逾期二",
    )
    .await;
    // Ports: one item closed on time.
    let port = item(
        &app,
        &office,
        cid,
        "D-TRANSPORT-PORT",
        "2026-11-24",
        "按期办结",
    )
    .await;
    close(&app, &liaison, &office, &port).await;
    clock.set(
        Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0)
            .single()
            .expect("t"),
    );
    let office = app.demo("office").await;

    let scope = app.org_id("D-TRANSPORT").await;
    let (s, b) = json(
        office
            .post(app.url("/api/v1/bulletins"))
            .json(&json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W48"}))
            .send()
            .await
            .expect("compute"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (
            b["bulletin"]["status"].as_str(),
            b["bulletin"]["rules_version"].as_i64(),
            b["bulletin"]["issue_no"].as_i64(),
            b["bulletin"]["provisional"].as_bool(),
            b["can_publish"].as_bool()
        ),
        (Some("draft"), Some(1), Some(1), Some(false), Some(true)),
        "{}",
        b["totals"]
    );
    let rows = b["rows"].as_array().expect("rows");
    let row = |code: &str| {
        rows.iter()
            .find(|r| r["org_code"] == code)
            .cloned()
            .expect("row")
    };
    let hwy = row("D-TRANSPORT-HWY");
    let port_row = row("D-TRANSPORT-PORT");
    // By hand: HWY has 2 items due so far, both overdue and red; score 100 − 2×5 − 2×3 = 84.
    assert_eq!(
        (
            hwy["figures"]["items_due"].as_i64(),
            hwy["figures"]["overdue"].as_i64(),
            hwy["figures"]["red"].as_i64(),
            hwy["score"].as_f64()
        ),
        (Some(2), Some(2), Some(2), Some(84.0))
    );
    // Ports: 1 due, closed on time; 100 + 2 = 102, ranked first; on-time rate 1.0.
    assert_eq!(
        (
            port_row["figures"]["closed_on_time"].as_i64(),
            port_row["score"].as_f64(),
            port_row["rank"].as_i64(),
            port_row["on_time_rate"].as_f64()
        ),
        (Some(1), Some(102.0), Some(1), Some(1.0))
    );
    // Everyone else scores the base 100 and shares rank 2; HWY is last.
    assert_eq!(hwy["rank"].as_i64(), Some(rows.len() as i64));
    assert!(rows
        .iter()
        .filter(|r| r["score"] == 100.0)
        .all(|r| r["rank"] == 2));
    // The interview rules propose exactly the expressway administration (2+ red items).
    let proposed: Vec<&str> = rows
        .iter()
        .filter(|r| !r["interview"].is_null())
        .filter_map(|r| r["org_code"].as_str())
        .collect();
    assert_eq!(proposed, vec!["D-TRANSPORT-HWY"]);
    assert_eq!(hwy["interview"]["reasons"][0]["reason"], "red_items");
    assert_eq!(b["totals"]["praised"], json!([port_row["org_name"]]));

    // A draft is the office's alone; published, the units of the scope read it.
    let bid = b["bulletin"]["id"].as_i64().expect("id");
    let liaison = app.demo("liaison").await;
    assert_eq!(
        liaison
            .get(app.url(&format!("/api/v1/bulletins/{bid}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, published) = json(
        office
            .post(app.url(&format!("/api/v1/bulletins/{bid}/publish")))
            .json(&json!({"note": "高速公路管理局逾期事项较多，请限期整改。"}))
            .send()
            .await
            .expect("publish"),
    )
    .await;
    assert_eq!(
        (s, published["bulletin"]["status"].as_str()),
        (StatusCode::OK, Some("published"))
    );
    let liaison = app.demo("liaison").await;
    let frozen = liaison
        .get(app.url(&format!("/api/v1/bulletins/{bid}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(frozen.contains("高速公路管理局逾期事项较多"));
    // Downloads in Excel and Word open, and hold the ranking and the note.
    let xlsx = liaison
        .get(app.url(&format!("/api/v1/bulletins/{bid}/export.xlsx")))
        .send()
        .await
        .expect("xlsx");
    assert!(xlsx.headers()["content-disposition"]
        .to_str()
        .unwrap_or("")
        .starts_with("attachment"));
    let xlsx = xlsx.bytes().await.expect("bytes").to_vec();
    {
        // The charts go along: a native chart per figure on the charts sheet.
        let z = zip::ZipArchive::new(std::io::Cursor::new(xlsx.clone())).expect("zip");
        let charts = z
            .file_names()
            .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/charts/chart")))
            .count();
        assert_eq!(charts, 4, "score, on-time rate, punctuality and red items");
    }
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("xlsx opens");
        let chart_data = wb.worksheet_range("图表").expect("the charts sheet");
        assert!(chart_data
            .rows()
            .any(|r| r.iter().any(|c| *c == "各单位按期办结率")));
        let sheet = wb
            .worksheet_range_at(0)
            .expect("a sheet")
            .expect("readable");
        let cells: Vec<String> = sheet
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(
            cells
                .iter()
                .any(|c| c == &port_row["org_name"].as_str().unwrap_or("").to_owned()),
            "{cells:?}"
        );
        assert!(cells.iter().any(|c| c == "102"));
    }
    let docx = liaison
        .get(app.url(&format!("/api/v1/bulletins/{bid}/export.docx")))
        .send()
        .await
        .expect("docx")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("docx opens");
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .expect("document")
            .read_to_string(&mut xml)
            .expect("read");
        assert!(
            xml.contains("主题教育工作每周一通报")
                && xml.contains("第 1 期")
                && xml.contains("高速公路管理局逾期事项较多"),
            "{xml}"
        );
        assert!(xml.contains(hwy["org_name"].as_str().unwrap_or("?")));
        // The same charts, drawn as bars.
        for title in [
            "各单位得分",
            "各单位按期办结率",
            "各单位情况汇报报送及时率",
            "各单位红灯事项",
        ] {
            assert!(xml.contains(title), "{title}");
        }
        assert!(xml.contains("w:fill=\"165DFF\""), "the score bars");
    }
    for outsider in ["dalian_liaison", "shenyang_office"] {
        let c = app.demo(outsider).await;
        assert_eq!(
            c.get(app.url(&format!("/api/v1/bulletins/{bid}")))
                .send()
                .await
                .expect("get")
                .status(),
            StatusCode::NOT_FOUND,
            "{outsider}"
        );
    }

    // Later: the overdue item is closed and the scoring rules change. The published bulletin
    // stays byte-for-byte the same and cannot be recomputed.
    let owner_now = app.demo("owner").await;
    let _ = owner;
    let office = app.demo("office").await;
    let l1 = json(
        office
            .get(app.url(&format!("/api/v1/items/{}", late1["id"])))
            .send()
            .await
            .expect("get"),
    )
    .await
    .1;
    close(&app, &owner_now, &office, &l1).await;
    let mut rules = json(
        office
            .get(app.url(&format!("/api/v1/campaigns/{cid}/scoring")))
            .send()
            .await
            .expect("scoring"),
    )
    .await
    .1;
    rules["per_red_item"] = json!(-10.0);
    let (s, v) = json(
        office
            .put(app.url(&format!("/api/v1/campaigns/{cid}/scoring")))
            .json(&rules)
            .send()
            .await
            .expect("set"),
    )
    .await;
    assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(2)));
    let liaison = app.demo("liaison").await;
    let again = liaison
        .get(app.url(&format!("/api/v1/bulletins/{bid}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert_eq!(again, frozen, "a published bulletin never changes");
    let (s, v) = json(
        office
            .post(app.url("/api/v1/bulletins"))
            .json(&json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W48"}))
            .send()
            .await
            .expect("compute"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("bulletin_published"))
    );
    // The next week's bulletin uses the new rules' version, and numbers on.
    let (_, next) = json(
        office
            .post(app.url("/api/v1/bulletins"))
            .json(&json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W49"}))
            .send()
            .await
            .expect("compute"),
    )
    .await;
    assert_eq!(
        (
            next["bulletin"]["rules_version"].as_i64(),
            next["bulletin"]["issue_no"].as_i64()
        ),
        (Some(2), Some(2))
    );
    // Only a supervisor of the scope computes one.
    let (s, _) = json(
        liaison
            .post(app.url("/api/v1/bulletins"))
            .json(&json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W50"}))
            .send()
            .await
            .expect("compute"),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Monday 30 November 2026, 10:00 in Shanghai, with the demo's three weeks behind it: the
/// transport department's reports fall due on Fridays at 17:00, its bulletin on Mondays at 09:00;
/// the bulletins of weeks 46 and 47 are published, week 48's is a draft computed this morning.
async fn monday_after_the_demo() -> (TestApp, Arc<FixedClock>, i64, i64) {
    let clock = Arc::new(FixedClock::new(at("2026-11-30T02:00:00Z")));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let scope = app.org_id("D-TRANSPORT").await;
    // The campaign of the demo's weekly loop: that of its bulletins.
    let (_, list) = json(
        office
            .get(app.url("/api/v1/bulletins"))
            .send()
            .await
            .expect("bulletins"),
    )
    .await;
    let weeks: Vec<(&str, &str)> = list
        .as_array()
        .expect("bulletins")
        .iter()
        .filter(|b| b["scope_org_id"] == scope)
        .filter_map(|b| Some((b["period_key"].as_str()?, b["status"].as_str()?)))
        .collect();
    assert_eq!(
        weeks,
        vec![
            ("2026-W48", "draft"),
            ("2026-W47", "published"),
            ("2026-W46", "published")
        ]
    );
    let cid = list[0]["campaign_id"].as_i64().expect("campaign");
    (app, clock, cid, scope)
}

fn at(s: &str) -> chrono::DateTime<Utc> {
    s.parse().expect("instant")
}

async fn compute(app: &TestApp, c: &Client, body: Value) -> (StatusCode, Value) {
    json(
        c.post(app.url("/api/v1/bulletins"))
            .json(&body)
            .send()
            .await
            .expect("compute"),
    )
    .await
}

async fn publish(app: &TestApp, c: &Client, id: &Value) -> (StatusCode, Value) {
    json(
        c.post(app.url(&format!("/api/v1/bulletins/{id}/publish")))
            .json(&json!({"note": ""}))
            .send()
            .await
            .expect("publish"),
    )
    .await
}

async fn page(app: &TestApp, c: &Client, path: &str) -> String {
    let r = c.get(app.url(path)).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.expect("html")
}

#[tokio::test]
async fn on_a_monday_the_default_week_is_last_week_and_this_week_is_provisional() {
    let (app, clock, cid, scope) = monday_after_the_demo().await;
    let office = app.demo("office").await;

    // The compute form offers last week, whose reports fell due on Friday; not this week.
    let html = page(&app, &office, "/bulletins").await;
    assert!(
        html.contains(r#"id="bc-week" name="week" value="2026-W48""#),
        "the form's week"
    );
    // So does the API when no week is named.
    let (s, last) = compute(
        &app,
        &office,
        json!({"campaign_id": cid, "scope_org_id": scope}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{last}");
    assert_eq!(
        (
            last["bulletin"]["period_key"].as_str(),
            last["bulletin"]["provisional"].as_bool(),
            last["can_publish"].as_bool()
        ),
        (Some("2026-W48"), Some(false), Some(true))
    );

    // This week's reports are due on Friday: its bulletin is provisional, proposes no
    // interview, and is not published.
    let (s, open) = compute(
        &app,
        &office,
        json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W49"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{open}");
    assert_eq!(
        (
            open["bulletin"]["provisional"].as_bool(),
            open["can_publish"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let rows = open["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["interview"].is_null()), "{open}");
    assert_eq!(open["totals"]["interviews_proposed"], json!([]));
    let id = open["bulletin"]["id"].clone();
    let (s, refused) = publish(&app, &office, &id).await;
    assert_eq!(
        (s, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("period_not_closed"))
    );
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("暂定")),
        "{refused}"
    );
    // Its page says so, and offers computing it again rather than publishing.
    let html = page(&app, &office, &format!("/bulletins/{id}")).await;
    assert!(html.contains(r#"id="bulletin-provisional""#));
    assert!(html.contains(r#"id="bulletin-provisional-why""#));
    assert!(html.contains(r#"id="bulletin-publish-unavailable""#));
    assert!(html.contains(r#"id="bulletin-recompute""#));
    assert!(!html.contains(r#"id="bulletin-publish-form""#));
    // The page's publish form, posted anyway, is refused with the reason.
    let r = office
        .post(app.url(&format!("/bulletins/{id}/publish")))
        .form(&[("note", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("html");
    assert!(html.contains("报送截止后重新生成"), "the reason is shown");
    // Last week's bulletin publishes.
    let (s, v) = publish(&app, &office, &last["bulletin"]["id"]).await;
    assert_eq!(
        (s, v["bulletin"]["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{v}"
    );

    // Friday 17:30: this week's reports are past their deadline. Computed again, the bulletin is
    // final, may propose interviews, and publishes.
    clock.set(at("2026-12-04T09:30:00Z"));
    let office = app.demo("office").await;
    let html = page(&app, &office, "/bulletins").await;
    assert!(html.contains(r#"id="bc-week" name="week" value="2026-W49""#));
    let (s, closed) = compute(
        &app,
        &office,
        json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W49"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{closed}");
    assert_eq!(closed["bulletin"]["id"], id, "the same draft");
    assert_eq!(
        (
            closed["bulletin"]["provisional"].as_bool(),
            closed["can_publish"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let (s, v) = publish(&app, &office, &id).await;
    assert_eq!(
        (s, v["bulletin"]["status"].as_str()),
        (StatusCode::OK, Some("published")),
        "{v}"
    );
}

/// The open (proposed) interviews of the campaign, by org.
async fn open_proposals(app: &TestApp, c: &Client) -> Vec<Value> {
    let (s, list) = json(
        c.get(app.url("/api/v1/interviews"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array()
        .expect("interviews")
        .iter()
        .filter(|v| v["status"] == "proposed")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_later_bulletin_renews_the_open_proposal_and_its_reason_quotes_the_row() {
    let (app, _clock, cid, scope) = monday_after_the_demo().await;
    let office = app.demo("office").await;
    let freight = app.org_id("D-TRANSPORT-FREIGHT").await;

    // Week 47's bulletin proposed an interview for the freight administration, which never
    // reports; the office has not decided on it yet.
    let before = open_proposals(&app, &office).await;
    let of_freight = |l: &[Value]| -> Vec<Value> {
        l.iter()
            .filter(|v| v["org_id"] == freight)
            .cloned()
            .collect()
    };
    assert_eq!(of_freight(&before).len(), 1, "{before:?}");
    let open = of_freight(&before)[0].clone();

    // Week 48's bulletin proposes it again: publishing it renews that proposal.
    let (s, b) = compute(
        &app,
        &office,
        json!({"campaign_id": cid, "scope_org_id": scope, "week": "2026-W48"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let row = b["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["org_id"] == freight)
        .cloned()
        .expect("the freight administration's row");
    assert!(!row["interview"].is_null(), "{row}");
    let bid = b["bulletin"]["id"].clone();
    let (s, v) = publish(&app, &office, &bid).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let after = open_proposals(&app, &office).await;
    assert_eq!(of_freight(&after).len(), 1, "one open proposal: {after:?}");
    let renewed = of_freight(&after)[0].clone();
    assert_eq!(renewed["id"], open["id"], "the same proposal");
    assert_eq!(renewed["bulletin_id"], bid, "now from the latest bulletin");
    assert_eq!(
        renewed["version"].as_i64(),
        open["version"].as_i64().map(|v| v + 1)
    );
    let reasons: Value =
        serde_json::from_str(renewed["reasons_json"].as_str().unwrap_or("")).expect("reasons");
    assert_eq!(
        reasons, row["interview"]["reasons"],
        "the bulletin's reasons"
    );
    // No org has two open proposals.
    let mut orgs: Vec<i64> = after.iter().filter_map(|v| v["org_id"].as_i64()).collect();
    let n = orgs.len();
    orgs.sort_unstable();
    orgs.dedup();
    assert_eq!(orgs.len(), n, "{after:?}");

    // The reason quotes the figure the row shows: punctuality over the window, as a percentage.
    let low = reasons
        .as_array()
        .and_then(|a| a.iter().find(|r| r["reason"] == "low_punctuality"))
        .cloned()
        .expect("a low-punctuality reason");
    assert_eq!(low["rate"], row["window_punctuality"]);
    assert_eq!(
        (low["due"].as_i64(), low["on_time"].as_i64()),
        (
            row["figures"]["window_reports_due"].as_i64(),
            row["figures"]["window_reports_on_time"].as_i64()
        )
    );
    let html = page(&app, &office, &format!("/bulletins/{bid}")).await;
    let tr = html
        .split("<tr ")
        .find(|t| t.contains("data-org-code=\"D-TRANSPORT-FREIGHT\""))
        .expect("the row");
    let cell = |class: &str| -> String {
        let from = tr.find(&format!("class=\"{class}\"")).unwrap_or(0);
        let rest = &tr[from..];
        let start = rest.find('>').map(|i| i + 1).unwrap_or(0);
        let end = rest[start..].find('<').map(|i| start + i).unwrap_or(start);
        rest[start..end].to_owned()
    };
    let shown = cell("hint bulletin-window-punctuality"); // "近 4 周 x%"
    let rate = shown.rsplit(' ').next().unwrap_or("").to_owned();
    assert!(rate.ends_with('%'), "{shown}");
    let reason = tr
        .split("class=\"hint bulletin-reason\">")
        .skip(1)
        .map(|r| r.split('<').next().unwrap_or(""))
        .find(|r| r.contains("报送及时率"))
        .expect("the punctuality reason")
        .to_owned();
    assert!(
        reason.contains(&format!("{rate}（")),
        "{reason} quotes {shown}"
    );
    // The interview's page says it in the same words.
    let html = page(&app, &office, &format!("/interviews/{}", renewed["id"])).await;
    assert!(html.contains(&reason), "{reason}");
}
