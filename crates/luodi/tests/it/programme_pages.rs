//! The special programme pages: the list, a programme's page with its areas and the links to
//! their measures in the ledger, the form that sets one up, and readers outside the programme's
//! reach who see nothing.

use crate::helpers::{json, TestApp};
use reqwest::{Client, StatusCode};

const NAME: &str = "营商环境建设突出问题专项整治";
const AREAS: [&str; 4] = [
    "企业群众“办事难”",
    "企业负担重、制度性成本高",
    "审批环节多、时限长",
    "政务诚信和监管执法不规范",
];

async fn page(app: &TestApp, c: &Client, path: &str) -> (StatusCode, String) {
    let r = c.get(app.url(path)).send().await.expect("page");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

/// An attribute value as written in the page, with the escaped ampersands read back.
fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#38;", "&")
}

/// Every `href` of the page that starts with `prefix` (compared unescaped).
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .filter(|h| h.starts_with(prefix))
        .collect()
}

/// The value of `attr` on the element nearest before `needle`.
fn attr_before(html: &str, needle: &str, attr: &str) -> String {
    let at = html.find(needle).expect("needle in page");
    let key = format!("{attr}=\"");
    let start = html[..at].rfind(&key).expect("attribute before needle") + key.len();
    let len = html[start..].find('"').expect("end of attribute");
    html[start..start + len].to_owned()
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

#[tokio::test]
async fn programmes_show_their_areas_and_lead_to_their_measures() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;

    // The list, reached from the navigation.
    let (s, html) = page(&app, &office, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/programmes\""), "a nav link");
    let (s, html) = page(&app, &office, "/programmes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"programmes-table\""));
    assert!(html.contains(NAME));
    assert!(html.contains("210200-BIZENV") || html.contains("营商环境建设局"));
    assert!(
        html.contains("href=\"/programmes/new\""),
        "the office may set one up"
    );
    let pid: i64 = attr_before(&html, NAME, "data-programme-id")
        .parse()
        .expect("programme id");

    // The programme's page: the four areas, five measures each, and their links.
    let (s, html) = page(&app, &office, &format!("/programmes/{pid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"programme-areas\""));
    for a in AREAS {
        assert!(html.contains(a), "area {a} shown");
    }
    assert_eq!(html.matches("<tr data-area-id=").count(), 4);
    assert_eq!(
        html.matches("data-total=\"5\"").count(),
        4,
        "five measures each"
    );
    assert!(html.contains("id=\"programme-total\">20<"), "twenty in all");
    let ledger: Vec<String> = hrefs(&html, "/ledger?kind=task&programme_area_id=")
        .into_iter()
        .filter(|h| !h.contains("light="))
        .collect();
    assert_eq!(ledger.len(), 4, "one ledger link per area: {ledger:?}");
    let add = hrefs(&html, "/items/new?kind=task&programme_area_id=");
    assert_eq!(add.len(), 4, "the office may add measures");

    // The ledger filtered by the first area shows its five measures, and keeps the filter.
    let area = ledger[0].rsplit('=').next().expect("area id").to_owned();
    let (s, html) = page(&app, &office, &ledger[0]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(html.matches("<tr data-item-id=").count(), 5);
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"programme_area_id\" value=\"{area}\">"
    )));
    assert!(html.contains("推进100个高频事项"));
    assert!(!html.contains("全面清理涉企收费"), "another area's measure");
    let (_, all) = page(&app, &office, "/ledger?kind=task").await;
    assert!(
        all.matches("<tr data-item-id=").count() > 5,
        "unfiltered: more"
    );

    // "Add a measure": the item form carries the area, and the new item counts under it.
    let (s, html) = page(&app, &office, &add[0]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!(
        "<input type=\"hidden\" name=\"programme_area_id\" value=\"{area}\">"
    )));
    assert!(html.contains("id=\"item-form-area\""));
    let (_, p) = json(
        office
            .get(app.url(&format!("/api/v1/programmes/{pid}")))
            .send()
            .await
            .expect("programme"),
    )
    .await;
    let campaign = p["campaign_id"].to_string();
    assert!(
        html.contains(&format!("<option value=\"{campaign}\" selected>")),
        "the programme's campaign is chosen"
    );
    let r = post(
        &app,
        &office,
        "/items",
        &[
            ("campaign_id", campaign.as_str()),
            ("kind", "task"),
            ("title", "推行政务服务“好差评”制度"),
            ("phase", "rectification"),
            ("source", "superior_instruction"),
            ("item_type", "time_limited"),
            ("lead_org_code", "210200-BIZENV"),
            ("responsible_person", "郑敏"),
            ("due_on", "2099-06-30"),
            ("programme_area_id", area.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", location(&r));
    let (_, html) = page(&app, &office, &format!("/programmes/{pid}")).await;
    assert!(html.contains("data-total=\"6\""), "the new measure counts");
    let (_, html) = page(&app, &office, &ledger[0]).await;
    assert_eq!(html.matches("<tr data-item-id=").count(), 6);

    // Another city's office does not see Dalian's programme.
    let shenyang = app.demo("shenyang_office").await;
    let (s, _) = page(&app, &shenyang, &format!("/programmes/{pid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, html) = page(&app, &shenyang, "/programmes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains(NAME));
}

#[tokio::test]
async fn the_form_sets_up_a_programme_or_says_what_is_wrong() {
    let app = TestApp::spawn().await;
    luodi::tools::demo::seed_all(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let (_, campaigns) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns"),
    )
    .await;
    let campaign = campaigns["items"][0]["id"].to_string();

    let (s, html) = page(&app, &office, "/programmes/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"programme-form\""));
    assert!(
        html.contains("name=\"owner_org_code\" value=\"210000\""),
        "the scope's code by default"
    );

    // No areas: the form comes back with the error under the field.
    let r = post(
        &app,
        &office,
        "/programmes",
        &[
            ("campaign_id", campaign.as_str()),
            ("owner_org_code", "210000"),
            ("name", "交通运输领域突出问题专项整治"),
            ("goal", ""),
            ("areas", " \r\n "),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("id=\"form-errors\""));
    assert!(html.contains("<div class=\"field-error\">必填。</div>"));
    assert!(
        html.contains("交通运输领域突出问题专项整治"),
        "kept as typed"
    );

    // An unknown owner and a missing name are both named.
    let r = post(
        &app,
        &office,
        "/programmes",
        &[
            ("campaign_id", campaign.as_str()),
            ("owner_org_code", "NO-SUCH-ORG"),
            ("name", ""),
            ("areas", "超限超载"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert_eq!(html.matches("class=\"field-error\"").count(), 2, "{html}");

    // A good form sets it up and shows it.
    let r = post(
        &app,
        &office,
        "/programmes",
        &[
            ("campaign_id", campaign.as_str()),
            ("owner_org_code", "210000"),
            ("name", "交通运输领域突出问题专项整治"),
            ("goal", "群众出行更顺畅"),
            ("areas", "超限超载\r\n\r\n收费站拥堵\r\n"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(
        to.starts_with("/programmes/") && to.ends_with("?ok=created"),
        "{to}"
    );
    let (s, html) = page(&app, &office, &to).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已创建。"));
    assert!(html.contains("群众出行更顺畅"));
    assert_eq!(html.matches("<tr data-area-id=").count(), 2);
    assert!(html.contains("收费站拥堵"));
    let (_, html) = page(&app, &office, "/programmes").await;
    assert!(html.contains("交通运输领域突出问题专项整治"));

    // A liaison may read programmes but not set one up.
    let liaison = app.demo("dalian_liaison").await;
    let (s, html) = page(&app, &liaison, "/programmes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("href=\"/programmes/new\""));
    let (s, _) = page(&app, &liaison, "/programmes/new").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
