//! Meetings, research topics and study activities through the API and the pages: a meeting's
//! commitment turns red when its deadline passes and comes up at the next meeting; a research
//! finding raises a rectification item and the two pages link to each other; activities are
//! counted per kind and shown in a calendar; everything is searchable; nobody outside the subtree
//! reads or writes any of it.

use crate::helpers::{json, TestApp};
use chrono::{TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

async fn campaign(app: &TestApp, c: &Client) -> i64 {
    let (_, v) = json(
        c.get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    v["items"][0]["id"].as_i64().expect("campaign")
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

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    let s = r.status();
    (s, r.text().await.unwrap_or_default())
}

async fn search_kinds(app: &TestApp, c: &Client, q: &str) -> Vec<String> {
    let (_, v) = json(
        c.get(app.url("/api/v1/search"))
            .query(&[("q", q)])
            .send()
            .await
            .expect("search"),
    )
    .await;
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|h| h["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_meeting_commitment_turns_red_when_late_and_comes_up_at_the_next_meeting() {
    // Tuesday 2026-12-01, 10:00 in Shanghai.
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let liaison = app.demo("liaison").await;
    let cid = campaign(&app, &liaison).await;
    let transport = app.org_id("D-TRANSPORT").await;
    let (s, m1) = post(&app, &liaison, "/api/v1/meetings", json!({
        "campaign_id": cid, "org_id": transport, "kind": "leading_group",
        "title": "厅主题教育领导小组第3次会议", "held_on": "2026-12-01", "place": "厅机关3楼会议室", "chair": "厅长",
        "attendees": "领导小组成员、各处室负责人", "minutes": "听取港口整合和物流降本增效工作汇报。",
        "commitments": [{"title": "完成港口资源整合实施方案", "responsible_person": "刘洋", "due_on": "2026-12-04"}],
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{m1}");
    let item = &m1["commitments"][0];
    let item_id = item["item"]["id"]
        .as_i64()
        .or_else(|| item["id"].as_i64())
        .expect("item id");
    assert_ne!(item["light"], "red", "not late yet: {item}");
    assert_eq!(m1["review"], json!([]), "the first meeting reviews nothing");

    // The deadline passes without the commitment done: red.
    clock.set(
        Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0)
            .single()
            .expect("t"),
    );
    // A new day, a new session.
    let liaison = app.demo("liaison").await;
    let (_, it) = json(
        liaison
            .get(app.url(&format!("/api/v1/items/{item_id}")))
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(
        (it["light"].as_str(), it["timeliness"].as_str()),
        (Some("red"), Some("overdue")),
        "{it}"
    );

    // The form for the next meeting lists it for review, red; so does the next meeting itself.
    let (s, html) = page(&app, &liaison, "/meetings/new").await;
    assert_eq!(s, StatusCode::OK);
    let review = html.split("id=\"meeting-review\"").nth(1).unwrap_or("");
    assert!(
        review.contains("完成港口资源整合实施方案") && review.contains("data-light=\"red\""),
        "form review"
    );
    let (s, m2) = post(&app, &liaison, "/api/v1/meetings", json!({
        "campaign_id": cid, "org_id": transport, "kind": "leading_group",
        "title": "厅主题教育领导小组第4次会议", "held_on": "2026-12-08", "attendees": "领导小组成员", "minutes": "逐项回顾上次会议议定事项。",
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{m2}");
    let reviewed = &m2["review"];
    assert_eq!(reviewed.as_array().map(Vec::len), Some(1), "{m2}");
    assert_eq!(reviewed[0]["item"]["id"], item_id);
    assert_eq!(reviewed[0]["item"]["light"], "red");
    let m2_id = m2["meeting"]["id"].as_i64().expect("id");
    let (_, html) = page(&app, &liaison, &format!("/meetings/{m2_id}")).await;
    let section = html.split("id=\"meeting-review\"").nth(1).unwrap_or("");
    assert!(
        section.contains(&format!("/items/{item_id}")) && section.contains("data-light=\"red\"")
    );
    // The item names its meeting.
    let (_, html) = page(&app, &liaison, &format!("/items/{item_id}")).await;
    let m1_id = m1["meeting"]["id"].as_i64().expect("id");
    assert!(
        html.contains(&format!("href=\"/meetings/{m1_id}\"")),
        "item links to its meeting"
    );

    // A bad commitment line says which line; nothing is stored.
    let before = app.audit_count().await;
    let r = liaison
        .post(app.url("/meetings"))
        .form(&[
            ("campaign_id", cid.to_string().as_str()),
            ("org_code", "D-TRANSPORT"),
            ("kind", "leading_group"),
            ("title", "第5次会议"),
            ("held_on", "2026-12-15"),
            ("attendees", "成员"),
            ("minutes", "纪要"),
            ("commitments", "2026-12-20 刘洋 完成方案\n明天 完成另一项"),
        ])
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap_or_default();
    assert!(html.contains("第 2 行"), "the line is named");
    assert_eq!(app.audit_count().await, before);
    // Searchable.
    assert!(search_kinds(&app, &liaison, "物流降本增效")
        .await
        .contains(&"meeting".to_owned()));
}

#[tokio::test]
async fn a_research_finding_becomes_a_rectification_item_and_each_page_links_to_the_other() {
    let app = TestApp::seeded().await;
    let archives = app.demo("archives_liaison").await;
    let cid = campaign(&app, &archives).await;
    let org = app.org_id("D-ARCHIVES").await;
    let (s, t) = post(&app, &archives, "/api/v1/research", json!({
        "campaign_id": cid, "org_id": org, "title": "档案查阅利用服务调研",
        "weakness": "档案查阅利用服务方式单一，群众办事仍需多次往返", "lead": "何静", "members": "档案利用处全体",
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tid = t["topic"]["id"].as_i64().expect("topic");
    let (s, _) = post(&app, &archives, &format!("/api/v1/research/{tid}/visits"), json!({"visited_on": "2026-11-20", "place": "沈阳市档案馆查阅大厅", "notes": "查阅需现场登记三次"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, t) = post(
        &app,
        &archives,
        &format!("/api/v1/research/{tid}/findings"),
        json!({"text": "档案查阅预约只能现场办理，未实现网上预约"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let fid = t["findings"][0]["finding"]["id"].as_i64().expect("finding");
    assert!(t["findings"][0]["item"].is_null());

    // A problem without measures is refused and nothing is raised.
    let (s, v) = post(
        &app,
        &archives,
        &format!("/api/v1/findings/{fid}/problem"),
        json!({"measures": [], "responsible_person": "何静", "due_on": "2099-03-31"}),
    )
    .await;
    assert_eq!(
        (s, v["details"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("measures")),
        "{v}"
    );
    let (s, t) = post(&app, &archives, &format!("/api/v1/findings/{fid}/problem"), json!({
        "title": "档案查阅未实现网上预约", "measures": ["上线档案查阅网上预约", "公布预约电话"], "responsible_person": "何静", "due_on": "2099-03-31",
    })).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let item = &t["findings"][0]["item"]["item"];
    let item_id = item["id"]
        .as_i64()
        .unwrap_or_else(|| t["findings"][0]["item"]["id"].as_i64().expect("item"));
    let (_, it) = json(
        archives
            .get(app.url(&format!("/api/v1/items/{item_id}")))
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(
        (
            it["kind"].as_str(),
            it["source"].as_str(),
            it["title"].as_str()
        ),
        (
            Some("rectification"),
            Some("research"),
            Some("档案查阅未实现网上预约")
        ),
        "{it}"
    );
    // Once only.
    let (s, v) = post(
        &app,
        &archives,
        &format!("/api/v1/findings/{fid}/problem"),
        json!({"measures": ["x"], "responsible_person": "何静", "due_on": "2099-03-31"}),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("problem_already_raised"))
    );

    // Each page links to the other.
    let (_, html) = page(&app, &archives, &format!("/items/{item_id}")).await;
    assert!(
        html.contains(&format!("href=\"/research/{tid}#finding-{fid}\"")),
        "item → topic"
    );
    let (_, html) = page(&app, &archives, &format!("/research/{tid}")).await;
    let finding = html
        .split(&format!("id=\"finding-{fid}\""))
        .nth(1)
        .unwrap_or("");
    assert!(
        finding.contains(&format!("href=\"/items/{item_id}\"")),
        "topic → item"
    );

    // The report closes the topic; a stale version is refused.
    let version = t["topic"]["version"].as_i64().expect("version");
    let (s, t) = post(&app, &archives, &format!("/api/v1/research/{tid}/report"), json!({"report": "建议上线网上预约，推行“最多跑一次”。", "reported_on": "2026-11-30", "version": version})).await;
    assert_eq!(
        (s, t["topic"]["status"].as_str()),
        (StatusCode::OK, Some("reported")),
        "{t}"
    );
    let (s, _) = post(
        &app,
        &archives,
        &format!("/api/v1/research/{tid}/report"),
        json!({"report": "x", "reported_on": "2026-11-30", "version": version}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The topic is found by its finding; the item by its measures.
    assert!(search_kinds(&app, &archives, "网上预约")
        .await
        .contains(&"research".to_owned()));
}

#[tokio::test]
async fn study_activities_are_counted_per_kind_and_shown_in_a_calendar() {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock).await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let archives = app.demo("archives_liaison").await;
    let cid = campaign(&app, &archives).await;
    let org = app.org_id("D-ARCHIVES").await;
    for (kind, title, day) in [
        (
            "exhibition",
            "“不忘初心、牢记使命”档案文献展览",
            "2026-11-10",
        ),
        (
            "group_study",
            "集体学习《习近平关于“不忘初心、牢记使命”论述摘编》",
            "2026-11-12",
        ),
        ("group_study", "读原著学原文悟原理专题学习", "2026-11-19"),
    ] {
        let (s, v) = post(&app, &archives, "/api/v1/activities", json!({
            "campaign_id": cid, "org_id": org, "kind": kind, "title": title, "held_on": day,
            "place": "省档案馆", "organiser": "馆党委", "participants": 40, "materials": "论述摘编",
        })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = post(&app, &archives, "/api/v1/activities", json!({
        "campaign_id": cid, "org_id": org, "kind": "likes", "title": "", "held_on": "2026-11-12", "participants": -1,
    })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["details"]["fields"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default();
    for f in ["kind", "title", "participants"] {
        assert!(fields.contains(&f), "{f}: {v}");
    }
    let (_, list) = json(
        archives
            .get(app.url("/api/v1/activities?from=2026-11-01&to=2026-11-30"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["total"], 3);
    assert_eq!(list["by_kind"], json!({"exhibition": 1, "group_study": 2}));
    // The calendar of November puts each on its day; the list counts per kind; no ranking exists.
    let (s, html) = page(&app, &archives, "/activities?view=calendar&month=2026-11").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"activity-calendar\"") && html.contains("档案文献展览"));
    let (_, html) = page(&app, &archives, "/activities").await;
    assert!(html.contains("id=\"count-group_study\"") && html.contains("<strong>2</strong>"));
    // Another unit sees none of them.
    let dalian = app.demo("dalian_liaison").await;
    let (_, list) = json(
        dalian
            .get(app.url("/api/v1/activities"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["total"], 0);
    assert!(search_kinds(&app, &archives, "档案文献展览")
        .await
        .contains(&"activity".to_owned()));
    assert!(search_kinds(&app, &dalian, "档案文献展览").await.is_empty());
}

#[tokio::test]
async fn meetings_research_and_activities_of_a_foreign_subtree_are_neither_read_nor_written() {
    let app = TestApp::seeded().await;
    let archives = app.demo("archives_liaison").await;
    let cid = campaign(&app, &archives).await;
    let org = app.org_id("D-ARCHIVES").await;
    let (_, m) = post(&app, &archives, "/api/v1/meetings", json!({"campaign_id": cid, "org_id": org, "kind": "office", "title": "馆办公室会议", "held_on": "2026-11-20", "attendees": "办公室", "minutes": "研究展览筹备"})).await;
    let mid = m["meeting"]["id"].as_i64().expect("meeting");
    let (_, t) = post(&app, &archives, "/api/v1/research", json!({"campaign_id": cid, "org_id": org, "title": "档案数字化调研", "weakness": "数字化率低", "lead": "何静"})).await;
    let tid = t["topic"]["id"].as_i64().expect("topic");
    let (_, t) = post(
        &app,
        &archives,
        &format!("/api/v1/research/{tid}/findings"),
        json!({"text": "馆藏数字化率不足三成"}),
    )
    .await;
    let fid = t["findings"][0]["finding"]["id"].as_i64().expect("finding");
    let (_, a) = post(&app, &archives, "/api/v1/activities", json!({"campaign_id": cid, "org_id": org, "kind": "lecture", "title": "辅导讲座", "held_on": "2026-11-21", "participants": 30})).await;
    let aid = a["id"].as_i64().expect("activity");

    let clients = [
        ("dalian_liaison", app.demo("dalian_liaison").await),
        ("shenyang_office", app.demo("shenyang_office").await),
    ];
    let audit = app.audit_count().await;
    for (who, c) in &clients {
        let c = c.clone();
        for path in [
            format!("/api/v1/meetings/{mid}"),
            format!("/api/v1/research/{tid}"),
            format!("/api/v1/activities/{aid}"),
            format!("/meetings/{mid}"),
            format!("/research/{tid}"),
            format!("/activities/{aid}"),
        ] {
            let r = c.get(app.url(&path)).send().await.expect("get");
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who} GET {path}");
        }
        for (path, body) in [
            (
                format!("/api/v1/research/{tid}/visits"),
                json!({"visited_on": "2026-11-22", "place": "x"}),
            ),
            (
                format!("/api/v1/research/{tid}/findings"),
                json!({"text": "x"}),
            ),
            (
                format!("/api/v1/research/{tid}/report"),
                json!({"report": "x", "reported_on": "2026-11-22", "version": 1}),
            ),
            (
                format!("/api/v1/findings/{fid}/problem"),
                json!({"measures": ["x"], "responsible_person": "x", "due_on": "2099-01-01"}),
            ),
        ] {
            let (s, v) = post(&app, &c, &path, body).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{who} POST {path}: {v}");
        }
        // Recording for a foreign org is refused.
        for (path, body) in [
            (
                "/api/v1/meetings",
                json!({"campaign_id": cid, "org_id": org, "kind": "office", "title": "x", "held_on": "2026-11-20", "attendees": "x", "minutes": "x"}),
            ),
            (
                "/api/v1/research",
                json!({"campaign_id": cid, "org_id": org, "title": "x", "weakness": "x", "lead": "x"}),
            ),
            (
                "/api/v1/activities",
                json!({"campaign_id": cid, "org_id": org, "kind": "lecture", "title": "x", "held_on": "2026-11-21", "participants": 1}),
            ),
        ] {
            let (s, v) = post(&app, &c, path, body).await;
            assert!(
                s == StatusCode::FORBIDDEN
                    || (s == StatusCode::UNPROCESSABLE_ENTITY
                        && v["details"]["fields"][0]["field"] == "org_id"),
                "{who} POST {path}: {s} {v}"
            );
        }
        for path in ["/api/v1/meetings", "/api/v1/research", "/api/v1/activities"] {
            let (_, v) = json(c.get(app.url(path)).send().await.expect("list")).await;
            assert_eq!(v["total"], 0, "{who} {path}");
        }
    }
    assert_eq!(app.audit_count().await, audit, "nothing written");
    // The leader reads everything and records nothing.
    let leader = app.demo("leader").await;
    let r = leader
        .get(app.url(&format!("/api/v1/research/{tid}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let (s, _) = post(
        &app,
        &leader,
        &format!("/api/v1/research/{tid}/findings"),
        json!({"text": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_demo_holds_study_research_meetings_and_key_work() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let total = |path: &'static str| {
        let office = office.clone();
        let url = app.url(path);
        async move {
            let (_, v) = json(office.get(url).send().await.expect("list")).await;
            v["total"].as_i64().unwrap_or(0)
        }
    };
    assert!(total("/api/v1/activities").await >= 9);
    assert!(total("/api/v1/research").await >= 1);
    assert_eq!(total("/api/v1/meetings").await, 2);
    assert_eq!(total("/api/v1/key-works").await, 4);
    // The transport department's plan is in its second version, with its organisation.
    let transport = app.org_id("D-TRANSPORT").await;
    let (_, camps) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("c"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let (_, o) = json(
        office
            .get(app.url(&format!(
                "/api/v1/orgs/{transport}/organisation?campaign_id={cid}"
            )))
            .send()
            .await
            .expect("o"),
    )
    .await;
    assert_eq!(o["plan"]["version_no"], 2);
    assert_eq!(o["members"].as_array().map(Vec::len), Some(4));
    assert_eq!(o["bodies"][1]["watches"].as_array().map(Vec::len), Some(2));
    // The second meeting reviews the first's commitments; the port plan is late and red.
    let (_, list) = json(
        office
            .get(app.url("/api/v1/meetings"))
            .send()
            .await
            .expect("m"),
    )
    .await;
    let latest = list["items"][0]["id"].as_i64().expect("meeting");
    let (_, m) = json(
        office
            .get(app.url(&format!("/api/v1/meetings/{latest}")))
            .send()
            .await
            .expect("m"),
    )
    .await;
    let late = m["review"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["item"]["title"] == "报送港口资源整合实施方案")
        })
        .unwrap_or_else(|| panic!("{m}"));
    assert_eq!(late["item"]["light"], "red");
    // The dashboard has indicators both on track and behind, and a research item in the ledger.
    let (_, d) = json(
        office
            .get(app.url("/api/v1/dashboard"))
            .send()
            .await
            .expect("d"),
    )
    .await;
    let states: Vec<Option<bool>> = d["figures"]["indicators"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["standing"]["on_track"].as_bool())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(states.len(), 5);
    assert!(
        states.contains(&Some(true)) && states.contains(&Some(false)),
        "{states:?}"
    );
    let (_, items) = json(
        office
            .get(app.url("/api/v1/items?source=research&per_page=100"))
            .send()
            .await
            .expect("i"),
    )
    .await;
    assert!(items["items"].as_array().is_some_and(|a| a
        .iter()
        .any(|i| i["title"] == "研发费用加计扣除政策申报繁琐、享受面窄")));
}

#[tokio::test]
async fn the_record_forms_show_and_say_what_is_wrong_where() {
    let app = TestApp::seeded().await;
    let liaison = app.demo("liaison").await;
    for path in [
        "/meetings/new",
        "/research/new",
        "/activities/new",
        "/key-works/new",
    ] {
        let (s, html) = page(&app, &liaison, path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(
            html.contains("value=\"D-TRANSPORT\""),
            "{path}: the org defaults to the liaison's"
        );
    }
    let cid = campaign(&app, &liaison).await.to_string();
    // A bad number and an unknown org, each said under its field; nothing stored.
    let audit = app.audit_count().await;
    let r = liaison
        .post(app.url("/activities"))
        .form(&[
            ("campaign_id", cid.as_str()),
            ("org_code", "NO-SUCH-ORG"),
            ("kind", "seminar"),
            ("title", "专题研讨"),
            ("held_on", "2026-11-20"),
            ("participants", "三十"),
        ])
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap_or_default();
    // Each message sits in the row of its field.
    let row = |id: &str| {
        html.split(&format!("<label for=\"{id}\">"))
            .nth(1)
            .and_then(|r| r.split("</div>\n").next())
            .unwrap_or("")
            .to_owned()
    };
    assert!(row("a-participants").contains("应为数字"), "participants");
    assert!(row("a-org").contains("组织不存在"), "org");
    assert_eq!(app.audit_count().await, audit);
    // The good ones land on their pages.
    for (path, form) in [
        (
            "/key-works",
            vec![
                ("campaign_id", cid.as_str()),
                ("org_code", "D-TRANSPORT"),
                ("title", "港口整合"),
                ("description", ""),
            ],
        ),
        (
            "/research",
            vec![
                ("campaign_id", cid.as_str()),
                ("org_code", "D-TRANSPORT"),
                ("title", "物流降本增效调研"),
                ("weakness", "物流成本偏高"),
                ("lead", "刘洋"),
                ("members", ""),
            ],
        ),
        (
            "/activities",
            vec![
                ("campaign_id", cid.as_str()),
                ("org_code", "D-TRANSPORT"),
                ("kind", "seminar"),
                ("title", "专题研讨"),
                ("held_on", "2026-11-20"),
                ("participants", "30"),
            ],
        ),
    ] {
        let r = liaison
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        let to = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(to.starts_with(&format!("{path}/")), "{to}");
        let (s, _) = page(&app, &liaison, &to).await;
        assert_eq!(s, StatusCode::OK, "{to}");
    }
}

#[tokio::test]
async fn records_move_with_their_org() {
    let app = TestApp::seeded().await;
    let archives = app.demo("archives_liaison").await;
    let cid = campaign(&app, &archives).await;
    let org = app.org_id("D-ARCHIVES").await;
    let (_, a) = post(&app, &archives, "/api/v1/activities", json!({"campaign_id": cid, "org_id": org, "kind": "exhibition", "title": "档案文献展览", "held_on": "2026-11-10", "participants": 300})).await;
    let aid = a["id"].as_i64().expect("activity");
    let (_, t) = post(&app, &archives, "/api/v1/research", json!({"campaign_id": cid, "org_id": org, "title": "档案利用调研", "weakness": "查阅不便", "lead": "何静"})).await;
    let tid = t["topic"]["id"].as_i64().expect("topic");
    let shenyang = app.demo("shenyang_office").await;
    let r = shenyang
        .get(app.url(&format!("/api/v1/activities/{aid}")))
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "not Shenyang's before the move"
    );
    // The archives move under the city of Shenyang: their records go along.
    let office = app.demo("office").await;
    let (_, o) = json(
        office
            .get(app.url(&format!("/api/v1/orgs/{org}")))
            .send()
            .await
            .expect("org"),
    )
    .await;
    let (s, v) = post(
        &app,
        &office,
        &format!("/api/v1/orgs/{org}/move"),
        json!({"parent_id": app.org_id("210100").await, "version": o["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for path in [
        format!("/api/v1/activities/{aid}"),
        format!("/api/v1/research/{tid}"),
    ] {
        let r = shenyang.get(app.url(&path)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK, "{path} after the move");
    }
    assert!(search_kinds(&app, &shenyang, "档案文献展览")
        .await
        .contains(&"activity".to_owned()));
    let (_, list) = json(
        archives
            .get(app.url("/api/v1/activities"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["total"], 1, "still the archives' own");
}
