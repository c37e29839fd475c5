//! The weekly loop through the pages alone: the office sets up a reporting rule with the form,
//! the unit finds its report, saves and submits it, the office computes the week's bulletin,
//! reads the ranking and publishes it; a unit elsewhere sees neither the report nor the
//! bulletin.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};

const RULE: &str = "交通运输系统每周情况汇报";
const CHILDREN: [&str; 4] = [
    "辽宁省高速公路管理局",
    "辽宁省港航管理处",
    "辽宁省公路管理局",
    "辽宁省道路运输管理局",
];

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

async fn post(app: &TestApp, c: &Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(app.url(path)).form(form).send().await.expect("post")
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The value of `attr` on the element nearest before `needle`.
fn attr_before(html: &str, needle: &str, attr: &str) -> String {
    let at = html.find(needle).expect("needle in page");
    let key = format!("{attr}=\"");
    let start = html[..at].rfind(&key).expect("attribute before needle") + key.len();
    let len = html[start..].find('"').expect("end of attribute");
    html[start..start + len].to_owned()
}

/// The value of the hidden `version` field of the form `form_id`.
fn version_in(html: &str, form_id: &str) -> String {
    let at = html
        .find(&format!("id=\"{form_id}\""))
        .expect("the form is on the page");
    let rest = &html[at..];
    let key = "name=\"version\" value=\"";
    let start = rest.find(key).expect("a version field") + key.len();
    let len = rest[start..].find('"').expect("end of value");
    rest[start..start + len].to_owned()
}

#[tokio::test]
async fn the_weekly_loop_runs_through_the_pages() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let (_, camps) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let cid = camps["items"][0]["id"]
        .as_i64()
        .expect("campaign")
        .to_string();

    // The navigation leads to both pages.
    let (_, home) = page(&app, &office, "/").await;
    assert!(home.contains("href=\"/reports\""), "a nav link to reports");
    assert!(
        home.contains("href=\"/bulletins\""),
        "a nav link to bulletins"
    );

    // The office sets up a weekly reporting rule for the transport department's units.
    let (s, html) = page(&app, &office, "/rules/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"rule-form\""));
    let bad = post(
        &app,
        &office,
        "/rules",
        &[
            ("campaign_id", &cid),
            ("kind", "reporting"),
            ("name", RULE),
            ("cadence_kind", "weekly"),
            ("weekday", "9"),
            ("time", "16:00"),
            ("scope_org_code", "D-TRANSPORT"),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.text().await.expect("body");
    assert!(
        body.contains("id=\"rule-cadence-error\""),
        "under the cadence"
    );
    assert!(
        body.contains(&format!("value=\"{RULE}\"")),
        "what was typed stays"
    );
    let r = post(
        &app,
        &office,
        "/rules",
        &[
            ("campaign_id", &cid),
            ("kind", "reporting"),
            ("name", RULE),
            ("cadence_kind", "weekly"),
            ("weekday", "5"),
            ("day", "25"),
            ("time", "16:00"),
            ("cron", ""),
            ("scope_org_code", "D-TRANSPORT"),
            ("target_kinds", "department"),
            ("target_kinds", "unit"),
            ("owner_org_code", "D-OFFICE"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/rules?ok=rule_created");
    let (s, html) = page(&app, &office, "/rules?ok=rule_created").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"rules-table\""));
    assert!(html.contains(RULE));
    assert!(html.contains("16:00"), "the cadence in words");
    assert!(html.contains("alert-success"));

    // The unit finds its report for the period, already open.
    let liaison = app.demo("liaison").await;
    let (s, html) = page(&app, &liaison, "/reports").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"reports-table\""));
    assert!(html.contains(RULE));
    let transport = app.org_id("D-TRANSPORT").await;
    let rid = attr_before(
        &html,
        &format!("data-org-id=\"{transport}\""),
        "data-report-id",
    );
    let (s, html) = page(&app, &liaison, &format!("/reports/{rid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("辽宁省交通运输厅"));
    assert!(html.contains("id=\"figure-items_closed\""), "pre-filled");
    for id in ["report-form", "r-done", "r-problems", "r-plan"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(
        !html.contains("id=\"review-form\""),
        "the unit does not review"
    );

    // Submitting without the work done is refused under the field.
    let v = version_in(&html, "report-form");
    let r = post(
        &app,
        &liaison,
        &format!("/reports/{rid}"),
        &[
            ("done_text", " "),
            ("problems_text", "无"),
            ("plan_text", ""),
            ("version", &v),
            ("submit", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("field-error"));

    // Saved as a draft, then submitted.
    let r = post(
        &app,
        &liaison,
        &format!("/reports/{rid}"),
        &[
            ("done_text", "完成省界收费站撤除后续整改"),
            ("problems_text", "部分站点公示不全"),
            ("plan_text", "开展回头看"),
            ("version", &v),
            ("submit", "0"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/reports/{rid}?ok=report_saved"));
    let (_, html) = page(&app, &liaison, &format!("/reports/{rid}?ok=report_saved")).await;
    assert!(html.contains("完成省界收费站撤除后续整改"));
    assert!(html.contains("data-status=\"draft\""));
    let stale = v.clone();
    let v = version_in(&html, "report-form");
    assert_ne!(v, stale);
    // A stale version is refused on the page.
    let r = post(
        &app,
        &liaison,
        &format!("/reports/{rid}"),
        &[("done_text", "x"), ("version", &stale), ("submit", "1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("alert-error"));
    let r = post(
        &app,
        &liaison,
        &format!("/reports/{rid}"),
        &[
            ("done_text", "完成省界收费站撤除后续整改"),
            ("problems_text", "部分站点公示不全"),
            ("plan_text", "开展回头看"),
            ("version", &v),
            ("submit", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/reports/{rid}?ok=report_submitted"));
    let (_, html) = page(&app, &liaison, &format!("/reports/{rid}")).await;
    assert!(html.contains("data-status=\"submitted\""));
    assert!(html.contains("data-state=\"submitted_on_time\""));
    assert!(
        !html.contains("id=\"report-form\""),
        "read-only once submitted"
    );
    assert!(html.contains("开展回头看"));

    // The office sees it waiting for review.
    let (_, html) = page(&app, &office, &format!("/reports/{rid}")).await;
    assert!(html.contains("id=\"review-form\""));
    assert!(html.contains("id=\"review-accept\""));

    // The office computes the bulletin of the week the form offers: the last week whose
    // reports are all past their deadline (bulletins.rs checks which one at chosen instants).
    let (s, html) = page(&app, &office, "/bulletins").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"bulletin-compute-form\""));
    let week = html
        .split("id=\"bc-week\" name=\"week\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_owned();
    assert!(
        luodi_domain::cadence::parse_iso_week(&week).is_some(),
        "a week by default: {week:?}"
    );
    let r = post(
        &app,
        &office,
        "/bulletins",
        &[
            ("campaign_id", &cid),
            ("scope_org_code", "D-TRANSPORT"),
            ("week", "2026-W99"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        &office,
        "/bulletins",
        &[
            ("campaign_id", &cid),
            ("scope_org_code", "D-TRANSPORT"),
            ("week", &week),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(
        to.starts_with("/bulletins/") && to.ends_with("?ok=bulletin_computed"),
        "{to}"
    );
    let bid = to
        .trim_start_matches("/bulletins/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let (s, html) = page(&app, &office, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"bulletin-table\""));
    for name in CHILDREN {
        assert!(html.contains(name), "{name} is ranked");
    }
    assert!(html.contains("<svg class=\"bchart\" id=\"bulletin-chart\""));
    assert!(html.contains("data-status=\"draft\""));
    assert!(html.contains("id=\"bulletin-publish-form\""));
    assert!(html.contains(&format!("href=\"/api/v1/bulletins/{bid}/export.xlsx\"")));

    // Published with a note: frozen, with its note, time and downloads.
    let r = post(
        &app,
        &office,
        &format!("/bulletins/{bid}/publish"),
        &[("note", "请各单位对照排名抓好整改。")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/bulletins/{bid}?ok=bulletin_published")
    );
    let (_, html) = page(&app, &office, &format!("/bulletins/{bid}")).await;
    assert!(html.contains("data-status=\"published\""));
    assert!(html.contains("请各单位对照排名抓好整改。"));
    assert!(html.contains("id=\"bulletin-published\""));
    assert!(!html.contains("id=\"bulletin-publish-form\""));
    let docx = format!("/api/v1/bulletins/{bid}/export.docx");
    assert!(html.contains("id=\"bulletin-docx\"") && html.contains(&docx));
    let r = office.get(app.url(&docx)).send().await.expect("docx");
    assert_eq!(r.status(), StatusCode::OK);
    // Publishing again is refused on the page.
    let r = post(
        &app,
        &office,
        &format!("/bulletins/{bid}/publish"),
        &[("note", "")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("alert-error"));
    let (_, html) = page(&app, &office, "/bulletins").await;
    assert!(html.contains(&format!("data-bulletin-id=\"{bid}\"")));

    // A unit elsewhere sees neither.
    let dalian = app.demo("dalian_liaison").await;
    let (s, _) = page(&app, &dalian, &format!("/reports/{rid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = page(&app, &dalian, &format!("/bulletins/{bid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, html) = page(&app, &dalian, "/reports").await;
    assert!(!html.contains(&format!("data-report-id=\"{rid}\"")));
}

#[tokio::test]
async fn reminder_channels_through_the_pages() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let transport = app.org_id("D-TRANSPORT").await;
    let org_page = format!("/orgs/{transport}");

    // The office registers the department's robot; a wrong form says what is wrong where.
    let (s, html) = page(&app, &office, &org_page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"org-robots\"") && html.contains("id=\"org-urge\""));
    let r = post(
        &app,
        &office,
        &format!("{org_page}/webhooks"),
        &[
            ("kind", "dingtalk"),
            ("name", ""),
            ("url", "ftp://x"),
            ("secret", "SECx"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("必填") && html.contains("http:// 或 https://"),
        "field messages"
    );
    assert!(!html.contains("SECx"), "the secret is not echoed back");
    let r = post(
        &app,
        &office,
        &format!("{org_page}/webhooks"),
        &[
            ("kind", "dingtalk"),
            ("name", "交通运输厅专班群"),
            (
                "url",
                "http://203.0.113.9/robot/send?access_token=SECRET-TOKEN",
            ),
            ("secret", "SECx"),
        ],
    )
    .await;
    assert_eq!(location(&r), format!("{org_page}?ok=robot_added"));
    let (_, html) = page(&app, &office, &format!("{org_page}?ok=robot_added")).await;
    assert!(html.contains("群机器人已添加") && html.contains("交通运输厅专班群"));
    assert!(html.contains("access_token=***") && !html.contains("SECRET-TOKEN"));
    let robot = attr_before(&html, "交通运输厅专班群", "data-robot-id");
    let r = post(
        &app,
        &office,
        &format!("{org_page}/webhooks/{robot}/test"),
        &[],
    )
    .await;
    assert_eq!(location(&r), format!("{org_page}?ok=robot_tested"));

    // Urging the department from its page: once a day; the second time says why not.
    let r = post(
        &app,
        &office,
        &format!("{org_page}/urge"),
        &[("note", "请本周内报送")],
    )
    .await;
    assert_eq!(location(&r), format!("{org_page}?ok=org_urged"));
    let r = post(&app, &office, &format!("{org_page}/urge"), &[("note", "")]).await;
    assert_eq!(
        location(&r),
        format!("{org_page}?refused=already_urged_today")
    );
    let (_, html) = page(&app, &office, &location(&r)).await;
    assert!(html.contains("id=\"refusal\"") && html.contains("今天已催办过"));

    // The record shows what waits to go out; a unit liaison has no such page.
    let (s, html) = page(&app, &office, "/deliveries?channel=dingtalk").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("督办提醒") && html.contains("测试消息") && html.contains("待发送"));
    let liaison = app.demo("liaison").await;
    let (s, _) = page(&app, &liaison, "/deliveries").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html) = page(&app, &liaison, &org_page).await;
    assert!(!html.contains("id=\"org-robots\"") && !html.contains("id=\"org-urge\""));

    // A person gives an e-mail address on their account page.
    let owner = app.demo("owner").await;
    let r = post(
        &app,
        &owner,
        "/account/email",
        &[("email", "not an address")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("不是有效的电子邮箱地址"));
    let r = post(
        &app,
        &owner,
        "/account/email",
        &[("email", "sunwei@jtt.luodi.test")],
    )
    .await;
    assert_eq!(location(&r), "/account?ok=email_saved");
    let (_, html) = page(&app, &owner, "/account").await;
    assert!(html.contains("value=\"sunwei@jtt.luodi.test\""));
}

#[tokio::test]
async fn an_interview_through_the_pages() {
    use chrono::TimeZone;
    let clock = std::sync::Arc::new(luodi_domain::FixedClock::new(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 2, 1, 0, 0)
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
            .expect("campaigns"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    // Two items of the expressway administration go overdue: it is proposed for an interview.
    for t in ["逾期甲", "逾期乙"] {
        crate::bulletins::item(&app, &office, cid, "D-TRANSPORT-HWY", "2026-11-05", t).await;
    }
    clock.set(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 9, 1, 0, 0)
            .single()
            .expect("t"),
    );
    let office = app.demo("office").await;
    let cid_s = cid.to_string();
    let r = post(
        &app,
        &office,
        "/bulletins",
        &[
            ("campaign_id", cid_s.as_str()),
            ("scope_org_code", "D-TRANSPORT"),
            ("week", "2026-W45"),
        ],
    )
    .await;
    let at = location(&r);
    assert!(at.starts_with("/bulletins/"), "{at}");
    let bid = at
        .trim_start_matches("/bulletins/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let r = post(
        &app,
        &office,
        &format!("/bulletins/{bid}/publish"),
        &[("note", "")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The proposal is in the list; the office confirms it on its page.
    let (s, html) = page(&app, &office, "/interviews?status=proposed").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("辽宁省高速公路管理局") && html.contains("红灯事项 2 项"),
        "{html}"
    );
    let iid = attr_before(&html, "辽宁省高速公路管理局</a>", "data-interview-id");
    let (_, html) = page(&app, &office, &format!("/interviews/{iid}")).await;
    assert!(html.contains("id=\"interview-confirm\""));
    let v = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_owned();
    let r = post(
        &app,
        &office,
        &format!("/interviews/{iid}/decide"),
        &[("confirm", "yes"), ("version", &v)],
    )
    .await;
    assert_eq!(
        location(&r),
        format!("/interviews/{iid}?ok=interview_confirmed")
    );

    // Recording it: a commitment row begun without a deadline is refused where it is wrong.
    let (_, html) = page(&app, &office, &format!("/interviews/{iid}")).await;
    let v = version_in(&html, "interview-record-form");
    let mut form = vec![
        ("version", v.clone()),
        ("kind", "reminder".to_owned()),
        ("level", "office".to_owned()),
        ("held_on", "2026-11-10".to_owned()),
        ("interviewer", "赵丽".to_owned()),
        ("interviewees", "高速公路管理局局长".to_owned()),
        ("minutes", "指出逾期问题，提出整改要求。".to_owned()),
        ("c0_title", "两项逾期事项限期办结".to_owned()),
        ("c0_person", "孙伟".to_owned()),
        ("c0_due", "".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &office, &format!("/interviews/{iid}/record"), &pairs).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("日期格式应为 YYYY-MM-DD"),
        "the message under the row"
    );
    assert!(
        html.contains("value=\"两项逾期事项限期办结\""),
        "what was typed stays"
    );
    form[9].1 = "2026-11-20".to_owned();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(&app, &office, &format!("/interviews/{iid}/record"), &pairs).await;
    assert_eq!(location(&r), format!("/interviews/{iid}?ok=interview_held"));
    let (_, html) = page(
        &app,
        &office,
        &format!("/interviews/{iid}?ok=interview_held"),
    )
    .await;
    assert!(html.contains("id=\"interview-commitments\"") && html.contains("两项逾期事项限期办结"));
    assert!(
        !html.contains("id=\"interview-record-form\""),
        "recorded once"
    );

    // The unit sees its interview; a unit elsewhere does not.
    let liaison = app.demo("liaison").await;
    let (s, _) = page(&app, &liaison, &format!("/interviews/{iid}")).await;
    assert_eq!(s, StatusCode::OK);
    let outsider = app.demo("dalian_liaison").await;
    let (s, _) = page(&app, &outsider, &format!("/interviews/{iid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The next bulletin shows how the commitment stands.
    let week = "2026-W46";
    clock.set(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 16, 1, 0, 0)
            .single()
            .expect("t"),
    );
    let office = app.demo("office").await;
    let r = post(
        &app,
        &office,
        "/bulletins",
        &[
            ("campaign_id", cid_s.as_str()),
            ("scope_org_code", "D-TRANSPORT"),
            ("week", week),
        ],
    )
    .await;
    let (_, html) = page(&app, &office, &location(&r)).await;
    assert!(
        html.contains("id=\"bulletin-commitments\"") && html.contains("警示约谈"),
        "escalated and shown"
    );
}

/// The demo shows the whole loop at once: weeks of reports, reminders in the inbox, two
/// published bulletins and one waiting for review, a held interview with its commitments, and
/// a published briefing.
#[tokio::test]
async fn the_demo_shows_the_whole_loop() {
    // Thursday 2026-11-26 10:00 in Shanghai, so that the demo's weeks are fixed.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 26, 2, 0, 0)
        .single()
        .expect("t");
    let app =
        TestApp::spawn_with_clock(std::sync::Arc::new(luodi_domain::FixedClock::new(now))).await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.token_client("office").await;
    let liaison = app.token_client("liaison").await;
    let (_, bulletins) = json(
        office
            .get(app.url("/api/v1/bulletins"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let statuses: Vec<&str> = bulletins
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|b| b["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["draft", "published", "published"],
        "newest first: {bulletins}"
    );
    let (_, interviews) = json(
        office
            .get(app.url("/api/v1/interviews"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let held = interviews
        .as_array()
        .expect("list")
        .iter()
        .find(|v| v["status"] == "held")
        .expect("a held interview")
        .clone();
    let (_, held) = json(
        office
            .get(app.url(&format!("/api/v1/interviews/{}", held["id"])))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(
        held["commitments"].as_array().map(Vec::len),
        Some(2),
        "{held}"
    );
    let (_, reports) = json(
        liaison
            .get(app.url("/api/v1/reports?per_page=500"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let items = reports["items"].as_array().expect("items");
    for status in ["accepted", "submitted", "sent_back", "open"] {
        assert!(
            items.iter().any(|r| r["status"] == status),
            "a report {status}"
        );
    }
    let (_, inbox) = json(
        liaison
            .get(app.url("/api/v1/me/inbox"))
            .send()
            .await
            .expect("inbox"),
    )
    .await;
    assert!(
        !inbox.as_array().expect("inbox").is_empty(),
        "reminders reached the liaison"
    );
    let (_, briefings) = json(
        liaison
            .get(app.url("/api/v1/briefings"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(briefings[0]["status"], "published", "{briefings}");
    assert_eq!(briefings[0]["entries"], 1);
    // The published bulletins' pages render for the unit, with the ranking.
    let published = bulletins
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["status"] == "published")
        .expect("published")
        .clone();
    let (s, html) = page(
        &app,
        &app.demo("liaison").await,
        &format!("/bulletins/{}", published["id"]),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        CHILDREN.iter().all(|c| html.contains(c)),
        "every transport unit is ranked"
    );
}
