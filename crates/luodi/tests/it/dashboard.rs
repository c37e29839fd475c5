//! The dashboard through the API and the page: every figure equals the length of the list its
//! link leads to (ledger or reports); the weekly on-time figures equal those counted by hand from
//! the items themselves; nobody reads a dashboard or a drill-down list of a foreign subtree.

use crate::helpers::{json, TestApp};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use luodi_domain::FixedClock;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

async fn get(app: &TestApp, c: &Client, path: &str) -> Value {
    let (s, v) = json(c.get(app.url(path)).send().await.expect("get")).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// The length of the list a dashboard link leads to, read through the API.
async fn listed(app: &TestApp, c: &Client, link: &str) -> i64 {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let api = match path {
        "/ledger" => format!("/api/v1/items?per_page=1&{query}"),
        "/reports" => {
            let q = query
                .replace("period=", "period_key=")
                .replace("missing=1", "missing=true");
            format!("/api/v1/reports?per_page=1&{q}")
        }
        other => panic!("unexpected link {other}"),
    };
    get(app, c, &api).await["total"]
        .as_i64()
        .unwrap_or_else(|| panic!("{api}"))
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[tokio::test]
async fn every_dashboard_figure_is_the_list_behind_it() {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
        .single()
        .expect("time");
    let app = TestApp::spawn_with_clock(Arc::new(FixedClock::new(now))).await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let province = app.org_id(luodi::tools::demo::data::ROOT_CODE).await;
    let d = get(
        &app,
        &office,
        &format!("/api/v1/dashboard?org_id={province}"),
    )
    .await;
    let (f, l) = (&d["figures"], &d["links"]);
    let r = &f["rollup"];
    assert!(n(&r["total"]) >= 30, "{r}");

    let mut checks: Vec<(String, i64)> = vec![
        (l["total"].as_str().unwrap_or("").to_owned(), n(&r["total"])),
        (
            l["overdue"].as_str().unwrap_or("").to_owned(),
            n(&r["overdue"]),
        ),
        (
            l["due_soon"].as_str().unwrap_or("").to_owned(),
            n(&r["due_soon"]),
        ),
        (
            l["closed_on_time"].as_str().unwrap_or("").to_owned(),
            n(&r["closed_on_time"]),
        ),
        (
            l["closed_late"].as_str().unwrap_or("").to_owned(),
            n(&r["closed_late"]),
        ),
    ];
    for light in ["red", "yellow", "green"] {
        checks.push((
            l[light].as_str().unwrap_or("").to_owned(),
            r["by_light"][light].as_i64().unwrap_or(0),
        ));
    }
    for (p, pl) in f["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .zip(l["phases"].as_array().expect("phase links"))
    {
        let pr = &p["rollup"];
        checks.push((pl["total"].as_str().unwrap_or("").into(), n(&pr["total"])));
        checks.push((
            pl["done"].as_str().unwrap_or("").into(),
            n(&pr["closed_count"]),
        ));
        checks.push((
            pl["overdue"].as_str().unwrap_or("").into(),
            n(&pr["overdue"]),
        ));
        checks.push((
            pl["red"].as_str().unwrap_or("").into(),
            pr["by_light"]["red"].as_i64().unwrap_or(0),
        ));
    }
    let lagging = f["lagging"].as_array().expect("lagging");
    assert!(!lagging.is_empty(), "the demo has a lagging department");
    for (o, ol) in lagging.iter().zip(l["lagging"].as_array().expect("links")) {
        checks.push((
            ol["overdue"].as_str().unwrap_or("").into(),
            n(&o["rollup"]["overdue"]),
        ));
        checks.push((
            ol["red"].as_str().unwrap_or("").into(),
            o["rollup"]["by_light"]["red"].as_i64().unwrap_or(0),
        ));
    }
    let weeks = f["on_time_weeks"].as_array().expect("weeks");
    assert_eq!(weeks.len(), 8);
    for (w, wl) in weeks.iter().zip(l["weeks"].as_array().expect("week links")) {
        let all = n(&w["on_time"]) + n(&w["late"]) + n(&w["overdue"]) + n(&w["pending"]);
        checks.push((wl["items"].as_str().unwrap_or("").into(), all));
        checks.push((
            wl["on_time"].as_str().unwrap_or("").into(),
            n(&w["on_time"]),
        ));
        checks.push((wl["late"].as_str().unwrap_or("").into(), n(&w["late"])));
        checks.push((
            wl["open"].as_str().unwrap_or("").into(),
            n(&w["overdue"]) + n(&w["pending"]),
        ));
    }
    let periods = f["punctuality"].as_array().expect("periods");
    assert!(
        periods.len() >= 3,
        "three demo weeks of reports: {periods:?}"
    );
    for (p, pl) in periods
        .iter()
        .zip(l["periods"].as_array().expect("period links"))
    {
        for k in ["due", "on_time", "late", "missing"] {
            checks.push((pl[k].as_str().unwrap_or("").into(), n(&p[k])));
        }
    }
    let mut nonzero = 0;
    for (link, figure) in &checks {
        assert!(!link.is_empty());
        assert_eq!(listed(&app, &office, link).await, *figure, "{link}");
        if *figure > 0 {
            nonzero += 1;
        }
    }
    assert!(
        nonzero >= 20,
        "the demo gives most figures a value: {nonzero}"
    );

    // The weeks, counted by hand from the items themselves (Asia/Shanghai: 10:00 on 1 December).
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = monday - chrono::Duration::weeks(7);
    let items = get(&app, &office, "/api/v1/items?per_page=500").await;
    let mut by_week: BTreeMap<i64, [i64; 4]> = BTreeMap::new();
    for it in items["items"].as_array().expect("items") {
        let status = it["status"].as_str().unwrap_or("");
        if matches!(status, "draft" | "suspended" | "withdrawn") {
            continue;
        }
        let due =
            NaiveDate::parse_from_str(it["original_due_on"].as_str().unwrap_or(""), "%Y-%m-%d")
                .expect("date");
        if due < first || due > monday + chrono::Duration::days(6) {
            continue;
        }
        let w = (due - first).num_days() / 7;
        let e = by_week.entry(w).or_default();
        match it["timeliness"].as_str().unwrap_or("") {
            "closed_on_time" => e[0] += 1,
            "closed_late" => e[1] += 1,
            _ if today > due => e[2] += 1,
            _ => e[3] += 1,
        }
    }
    for (i, w) in weeks.iter().enumerate() {
        let e = by_week.get(&(i as i64)).copied().unwrap_or_default();
        assert_eq!(
            [
                n(&w["on_time"]),
                n(&w["late"]),
                n(&w["overdue"]),
                n(&w["pending"])
            ],
            e,
            "week {}",
            w["week"]
        );
        let due = e[0] + e[1] + e[2];
        assert_eq!(
            w["rate"].as_f64(),
            (due > 0).then(|| e[0] as f64 / due as f64),
            "week {}",
            w["week"]
        );
    }
    assert!(
        by_week.values().any(|e| e[0] > 0),
        "a week with items closed on time"
    );

    // The page draws the lights with the same links, and names the scope.
    let html = office
        .get(app.url("/dashboard"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let red = l["red"].as_str().unwrap_or("").replace('&', "&amp;");
    assert!(
        html.contains(&format!("<a href=\"{red}\" id=\"lights-red\">")),
        "red segment"
    );
    assert!(html.contains("辽宁省"));
}

#[tokio::test]
async fn a_dashboard_and_its_lists_stay_within_the_readers_subtree() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let dalian = app.demo("dalian_liaison").await;
    let own = app.org_id("210200-BIZENV").await;
    let d = get(&app, &dalian, &format!("/api/v1/dashboard?org_id={own}")).await;
    assert!(n(&d["figures"]["rollup"]["total"]) > 0);
    // Without an org: the reader's one scope.
    let d = get(&app, &dalian, "/api/v1/dashboard").await;
    assert_eq!(d["figures"]["org"]["id"], own);
    for code in [
        luodi::tools::demo::data::ROOT_CODE,
        "D-TRANSPORT",
        "210100",
        "210200",
    ] {
        let foreign = app.org_id(code).await;
        for path in [
            format!("/api/v1/dashboard?org_id={foreign}"),
            format!("/dashboard?org={foreign}"),
            format!("/ledger?within={foreign}"),
            format!("/reports?within={foreign}"),
            format!("/api/v1/items?within={foreign}"),
            format!("/api/v1/reports?within={foreign}"),
        ] {
            let r = dalian.get(app.url(&path)).send().await.expect("probe");
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
    let sysadmin = app.demo("sysadmin").await;
    let r = sysadmin
        .get(app.url("/api/v1/dashboard"))
        .send()
        .await
        .expect("sysadmin");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .anon()
        .get(app.url("/api/v1/dashboard"))
        .send()
        .await
        .expect("anon");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_campaign_switches_metrics_off_and_they_are_no_longer_shown() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
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
    let path = format!("/api/v1/campaigns/{cid}/metrics");
    // Only the campaign's office decides; unknown metrics are refused.
    let liaison = app.demo("liaison").await;
    let r = liaison
        .put(app.url(&path))
        .json(&serde_json::json!({"hidden": ["report_punctuality"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = office
        .put(app.url(&path))
        .json(&serde_json::json!({"hidden": ["study_minutes"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .put(app.url(&path))
        .json(&serde_json::json!({"hidden": ["report_punctuality", "activity_counts", "lights"]}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK);
    let d = get(
        &app,
        &office,
        &format!("/api/v1/dashboard?campaign_id={cid}"),
    )
    .await;
    let f = &d["figures"];
    assert_eq!(f["punctuality"], serde_json::json!([]));
    assert_eq!(f["rollup"]["by_light"], serde_json::json!({}));
    assert!(
        f["on_time_weeks"].as_array().is_some_and(|w| w.len() == 8),
        "what is on stays on"
    );
    let html = office
        .get(app.url(&format!("/dashboard?campaign_id={cid}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        !html.contains("id=\"dashboard-punctuality\"") && !html.contains("id=\"dashboard-lights\"")
    );
    assert!(html.contains("id=\"dashboard-weeks\""));
    // With its only campaign switching them off, the activity counts go too.
    let html = office
        .get(app.url("/activities"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!html.contains("id=\"activity-counts\""));
    // Switched back on from the campaign page's form.
    let r = office
        .post(app.url(&format!("/campaigns/{cid}/metrics")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("shown=lights&shown=phase_progress&shown=overdue_ranking&shown=indicators&shown=on_time_weekly&shown=report_punctuality&shown=activity_counts")
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, v) = json(office.get(app.url(&path)).send().await.expect("get")).await;
    assert_eq!(v["hidden"], serde_json::json!([]));
}
