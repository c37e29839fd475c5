//! Attack tests over the whole surface, generated from what luodi itself publishes: the API's
//! operations and parameters from `/api/openapi.json`, the pages and their filter forms by
//! crawling from the home page. SQL-injection strings go into every filter parameter; a
//! stored-XSS corpus goes into the text fields and must come back escaped on every page that
//! shows it; and no GET, of any page or operation, changes what is stored.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What is stored, table by table: rows, versions, read marks, last updates. Tables that a
/// read may touch by design are left out: sessions (last seen), the audit trail and its chain
/// (refusals are recorded), the scheduler's leases.
pub async fn fingerprint(app: &TestApp) -> BTreeMap<String, Vec<i64>> {
    let schema = app.svc.db().schema().await.expect("schema");
    let mut c = app.svc.db().read().await.expect("read");
    let mut out = BTreeMap::new();
    for (table, cols) in schema {
        if table.starts_with('_')
            || matches!(
                table.as_str(),
                "sessions"
                    | "audit_log"
                    | "audit_chain"
                    | "scheduled_jobs"
                    | "job_runs"
                    | "api_tokens"
            )
        {
            continue;
        }
        let mut exprs = vec!["COUNT(*)"];
        for (col, expr) in [
            ("version", "CAST(COALESCE(SUM(version), 0) AS BIGINT)"),
            ("read_at", "COUNT(read_at)"),
            ("n", "CAST(COALESCE(SUM(n), 0) AS BIGINT)"),
        ] {
            if cols.iter().any(|c| c == col) {
                exprs.push(expr);
            }
        }
        let mut row = Vec::new();
        for e in exprs {
            let sql = luodi_store::Sql {
                text: format!("SELECT {e} FROM {table}"),
                args: Vec::new(),
            };
            row.push(
                luodi_store::db::scalar_i64(c.conn(), sql)
                    .await
                    .expect("fingerprint"),
            );
        }
        out.insert(table, row);
    }
    out
}

pub fn differences(a: &BTreeMap<String, Vec<i64>>, b: &BTreeMap<String, Vec<i64>>) -> Vec<String> {
    a.iter()
        .filter(|(t, v)| b.get(*t) != Some(v))
        .map(|(t, v)| format!("{t}: {v:?} -> {:?}", b.get(t)))
        .collect()
}

/// Same-site links of a page (`href="/…"`), as paths with their queries.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The GET forms of a page: each form's action and the names of its fields.
fn get_forms(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let head = chunk.split('>').next().unwrap_or_default();
        if !head.contains("method=\"get\"") {
            continue;
        }
        let action = head
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_owned();
        let body = chunk.split("</form>").next().unwrap_or_default();
        let names: BTreeSet<String> = body
            .split("name=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(str::to_owned)
            .collect();
        if action.starts_with('/') {
            out.push((action, names.into_iter().collect()));
        }
    }
    out
}

fn skip(path: &str) -> bool {
    path.starts_with("/logout")
        || path.starts_with("/assets/")
        || path.starts_with("/api/")
        || path.contains("export")
        || path.ends_with(".xlsx")
        || path.ends_with(".docx")
        || path.starts_with("/attachments/")
        || path.starts_with("/plan-attachments/")
        || path.starts_with("/photos/")
}

/// Every page reachable from the home page by links, up to `limit`: path → body.
pub async fn crawl(app: &TestApp, c: &Client, limit: usize) -> BTreeMap<String, String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut pages = BTreeMap::new();
    // One page per route shape (ids and queries aside), so a long list does not use up the
    // budget on its rows.
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if pages.len() >= limit || !seen.insert(path.clone()) || skip(&path) {
            continue;
        }
        let shape: String = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .map(|s| {
                if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                    "{id}"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let n = shapes.entry(shape).or_default();
        *n += 1;
        if *n > 3 {
            continue;
        }
        let r = c.get(app.url(&path)).send().await.expect("page");
        let s = r.status();
        assert!(!s.is_server_error(), "GET {path} answered {s}");
        if s != StatusCode::OK {
            continue;
        }
        let is_html = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            continue;
        }
        let body = r.text().await.unwrap_or_default();
        for l in links(&body) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
        pages.insert(path, body);
    }
    pages
}

const INJECTIONS: [&str; 7] = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "1; DROP TABLE orgs; --",
    "' UNION SELECT password_hash, username FROM users --",
    "%' OR 1=1 OR '%'='",
    "1) OR (1=1",
    "\\'; SELECT pg_sleep(5); --",
];

/// An API operation's GET parameters from the OpenAPI document: path → (query names, has path
/// parameters).
fn api_gets(doc: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        let Some(get) = ops.get("get") else { continue };
        let names = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        out.push((path.clone(), names));
    }
    out
}

/// Sends every injection string as `param` of `GET path`: no 5xx, no password hash in the
/// answer. Returns how many requests it sent.
async fn inject(app: &TestApp, c: &Client, path: &str, param: &str) -> usize {
    for inj in INJECTIONS {
        let r = c
            .get(app.url(path))
            .query(&[(param, inj)])
            .send()
            .await
            .expect("get");
        let s = r.status();
        let body = r.text().await.unwrap_or_default();
        assert!(
            !s.is_server_error(),
            "GET {path}?{param}={inj} answered {s}"
        );
        assert!(
            !body.contains("$argon2"),
            "GET {path}?{param}={inj} leaked password hashes"
        );
    }
    INJECTIONS.len()
}

#[tokio::test]
async fn sql_injection_in_every_filter_parameter_and_no_get_changes_anything() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let before = fingerprint(&app).await;

    // The API: every GET operation, each query parameter in turn, path ids set to 1.
    let (s, doc) = json(
        office
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .expect("doc"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let ops = api_gets(&doc);
    assert!(
        ops.len() > 40,
        "the API's GET operations come from its OpenAPI document"
    );
    let mut requests = 0;
    for (path, params) in &ops {
        let base = format!(
            "/api/v1{}",
            path.replace("{id}", "1")
                .replace("{format}", "xlsx")
                .replace("{webhook_id}", "1")
        );
        for p in params {
            requests += inject(&app, &office, &base, p).await;
        }
    }

    // The pages: every GET form found by crawling, each field in turn.
    let pages = crawl(&app, &office, 250).await;
    assert!(pages.len() > 30, "crawled {} pages", pages.len());
    let mut forms = BTreeSet::new();
    for body in pages.values() {
        for f in get_forms(body) {
            forms.insert(f);
        }
    }
    assert!(forms.len() >= 10, "found {} filter forms", forms.len());
    for (action, names) in &forms {
        for name in names {
            requests += inject(&app, &office, action, name).await;
        }
    }
    eprintln!(
        "attacks: {requests} injected requests over {} API operations and {} page forms; {} pages crawled",
        ops.len(),
        forms.len(),
        pages.len()
    );
    // Not one of these reads (nor the crawl) changed anything stored.
    let after = fingerprint(&app).await;
    let changed = differences(&before, &after);
    assert!(changed.is_empty(), "GET requests changed: {changed:?}");
}

const XSS: [&str; 5] = [
    "<script>alert('xss')</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg/onload=alert(2)>",
    "<a href=\"javascript:alert(3)\">x</a>",
    "</textarea><iframe src=//evil.example>",
];

/// The corpus entry `i`, tagged so that each field's appearance can be told apart.
fn payload(i: usize) -> String {
    format!("XSS{i}{}", XSS[i % XSS.len()])
}

/// Whether a page shows a payload raw (unescaped) anywhere.
fn raw_in(body: &str) -> Option<&'static str> {
    XSS.iter().copied().find(|x| body.contains(x))
}

#[tokio::test]
async fn stored_xss_in_text_fields_comes_back_escaped_on_every_page() {
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let sys = app.demo("sysadmin").await;
    let root = app.org_id(luodi::tools::demo::data::ROOT_CODE).await;
    let (_, campaigns) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("c"),
    )
    .await;
    let cid = campaigns["items"][0]["id"].as_i64().expect("campaign");
    let mut i = 0;
    let mut next = || {
        i += 1;
        payload(i)
    };
    let mut stored = Vec::new();
    let post = |path: String, body: Value| {
        let c = if path.starts_with("/api/v1/users") {
            sys.clone()
        } else {
            office.clone()
        };
        let app_url = app.url(&path);
        async move {
            let (s, v) = json(c.post(app_url).json(&body).send().await.expect("post")).await;
            assert!(s.is_success(), "{path}: {s} {v}");
            v
        }
    };
    // An org, an account, a campaign, items with measures and notes, a meeting, a research
    // topic, a study activity, a key work with an indicator: text everywhere.
    let (n1, n2, n3) = (next(), next(), next());
    let org = post(
        "/api/v1/orgs".into(),
        json!({"code": "XSS-1", "name": n1, "kind": "unit", "parent_id": root}),
    )
    .await;
    stored.push(n1);
    let org_id = org["id"].as_i64().expect("org");
    post(
        "/api/v1/users".into(),
        json!({"username": "xss_user", "display_name": n2, "org_id": org_id}),
    )
    .await;
    stored.push(n2);
    let (t, d, m) = (next(), next(), next());
    let item = post(
        "/api/v1/items".into(),
        json!({"campaign_id": cid, "kind": "rectification", "title": t, "description": d,
               "phase": "rectification", "source": "self_examination", "item_type": "time_limited",
               "lead_org_id": org_id, "responsible_person": n3, "due_on": "2099-12-31",
               "measures": [m]}),
    )
    .await;
    stored.extend([t, d, n3, m]);
    let item_id = item["id"].as_i64().expect("item");
    let (mt, ms, mc) = (next(), next(), next());
    post(
        "/api/v1/meetings".into(),
        json!({"campaign_id": cid, "org_id": root, "kind": "leading_group", "title": mt,
               "held_on": "2026-11-30", "place": "会议室", "chair": "主任", "attendees": "成员",
               "minutes": ms,
               "commitments": [{"title": mc, "responsible_person": "刘洋", "lead_org_id": org_id, "due_on": "2099-12-31"}]}),
    )
    .await;
    stored.extend([mt, ms, mc]);

    // Every page the office reaches, and the new objects' own pages, show them escaped only.
    let pages = crawl(&app, &office, 300).await;
    let mut extra = BTreeMap::new();
    for p in [
        format!("/orgs/{org_id}"),
        format!("/ledger/{item_id}"),
        "/admin/users".to_owned(),
        "/audit".to_owned(),
    ] {
        for c in [&office, &sys] {
            let r = c.get(app.url(&p)).send().await.expect("page");
            if r.status() == StatusCode::OK {
                extra.insert(p.clone(), r.text().await.unwrap_or_default());
            }
        }
    }
    let auditor = app.demo("auditor").await;
    let r = auditor.get(app.url("/audit")).send().await.expect("audit");
    extra.insert(
        "/audit (auditor)".into(),
        r.text().await.unwrap_or_default(),
    );
    let mut shown = BTreeSet::new();
    for (path, body) in pages.iter().chain(extra.iter()) {
        if let Some(x) = raw_in(body) {
            panic!("{path} shows {x:?} unescaped");
        }
        for (k, s) in stored.iter().enumerate() {
            let tag = s
                .split('<')
                .next()
                .unwrap_or_default()
                .split('"')
                .next()
                .unwrap_or_default()
                .split('\'')
                .next()
                .unwrap_or_default();
            if body.contains(tag) {
                shown.insert(k);
            }
        }
    }
    // The test means something only if the stored values are shown somewhere.
    assert!(
        shown.len() >= stored.len() - 1,
        "only {} of {} stored values were found on the pages",
        shown.len(),
        stored.len()
    );
    eprintln!(
        "xss: {} payloads stored, {} found on {} pages, all escaped",
        stored.len(),
        shown.len(),
        pages.len() + extra.len()
    );
}

/// The attribute `name` of a tag's text (`<input name="x" …`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    tag.split(&key)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|v| v.replace("&amp;", "&").replace("&#x2F;", "/"))
}

/// A page's POST forms, filled in: every text field with a corpus entry (numbered from
/// `*next`), dates, numbers and choices with something valid, hidden fields as they are.
/// Forms that upload files or only sign out, switch language or change passwords are left
/// alone.
fn filled_forms(html: &str, next: &mut usize) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for chunk in html.split("<form").skip(1) {
        let head = chunk.split('>').next().unwrap_or_default();
        if !head.contains("method=\"post\"") || head.contains("multipart") {
            continue;
        }
        let Some(action) = attr(head, "action").filter(|a| a.starts_with('/')) else {
            continue;
        };
        if ["/logout", "/lang", "/password", "/login", "/account"]
            .iter()
            .any(|p| action.starts_with(p))
        {
            continue;
        }
        let body = chunk.split("</form>").next().unwrap_or_default();
        let mut fields = Vec::new();
        for input in body.split("<input").skip(1) {
            let tag = input.split('>').next().unwrap_or_default();
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            let value = match kind.as_str() {
                "hidden" => attr(tag, "value").unwrap_or_default(),
                "date" => "2099-12-31".into(),
                "number" => "1".into(),
                "email" => "xss@example.cn".into(),
                "checkbox" | "radio" | "file" | "submit" | "password" => continue,
                _ => {
                    *next += 1;
                    payload(*next)
                }
            };
            fields.push((name, value));
        }
        for ta in body.split("<textarea").skip(1) {
            let tag = ta.split('>').next().unwrap_or_default();
            if let Some(name) = attr(tag, "name") {
                *next += 1;
                fields.push((name, payload(*next)));
            }
        }
        for sel in body.split("<select").skip(1) {
            let tag = sel.split('>').next().unwrap_or_default();
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let first = sel
                .split("<option")
                .skip(1)
                .filter_map(|o| attr(o.split('>').next().unwrap_or_default(), "value"))
                .find(|v| !v.is_empty());
            if let Some(v) = first {
                fields.push((name, v));
            }
        }
        if fields.iter().any(|(_, v)| v.starts_with("XSS")) {
            out.push((action, fields));
        }
    }
    out
}

#[tokio::test]
async fn the_xss_corpus_typed_into_every_form_of_every_page_is_shown_escaped() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let mut n = 100;
    let (mut submitted, mut accepted) = (0, 0);
    for who in ["office", "liaison"] {
        let c = app.demo(who).await;
        let pages = crawl(&app, &c, 150).await;
        let mut done = BTreeSet::new();
        for body in pages.values() {
            for (action, fields) in filled_forms(body, &mut n) {
                // One of each form (its action's shape), so ids of many rows do not repeat it.
                let shape: String = action
                    .split('/')
                    .map(|s| {
                        if s.chars().all(|c| c.is_ascii_digit()) {
                            "{id}"
                        } else {
                            s
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                if !done.insert(shape) {
                    continue;
                }
                let r = c
                    .post(app.url(&action))
                    .header("Origin", app.base.clone())
                    .form(&fields)
                    .send()
                    .await
                    .expect("post");
                assert!(
                    !r.status().is_server_error(),
                    "POST {action}: {}",
                    r.status()
                );
                submitted += 1;
                if r.status().is_success() || r.status().is_redirection() {
                    accepted += 1;
                }
            }
        }
    }
    // Everything shown to anyone, afterwards: escaped, never raw.
    let mut shown = BTreeSet::new();
    let mut seen_pages = 0;
    for who in ["office", "liaison", "supervisor", "auditor"] {
        let c = app.demo(who).await;
        let pages = crawl(&app, &c, 250).await;
        seen_pages += pages.len();
        for (path, body) in &pages {
            if let Some(x) = raw_in(body) {
                panic!("{who} sees {x:?} unescaped on {path}");
            }
            for part in body.split("XSS").skip(1) {
                let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
                if !digits.is_empty() {
                    shown.insert(digits);
                }
            }
        }
    }
    eprintln!(
        "xss forms: {submitted} forms filled ({accepted} accepted), {} corpus entries typed, {} shown on {seen_pages} pages, all escaped",
        n - 100,
        shown.len()
    );
    assert!(submitted >= 15, "{submitted} forms");
    assert!(
        shown.len() >= 10,
        "only {} stored entries were shown",
        shown.len()
    );
}
