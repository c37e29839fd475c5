//! Reminders leave luodi for real: e-mail to an SMTP server listening on loopback, and robot
//! messages to an HTTP receiver on loopback that checks DingTalk's signature as DingTalk does.
//! A receiver that answers 500 makes luodi retry later and record why; a notice that keeps
//! failing is given up, recorded, and can be sent again by hand.

use crate::helpers::{json, TestApp};
use axum::extract::{Query, State};
use axum::routing::post;
use axum::Json;
use base64::Engine;
use chrono::{Duration, TimeZone, Utc};
use hmac::{KeyInit, Mac};
use luodi::config::Layer;
use luodi_domain::FixedClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
struct Mail {
    rcpt: Vec<String>,
    data: String,
}

/// A minimal SMTP server: accepts every message, keeps it.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind smtp");
    let port = listener.local_addr().expect("addr").port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 loopback ESMTP test\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    let answer: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250-loopback\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("MAIL FROM") {
                        rcpt.clear();
                        b"250 OK\r\n"
                    } else if cmd.starts_with("RCPT TO") {
                        rcpt.push(
                            line[8..]
                                .trim()
                                .trim_matches(|c| c == '<' || c == '>')
                                .to_owned(),
                        );
                        b"250 OK\r\n"
                    } else if cmd == "DATA" {
                        let _ = w.write_all(b"354 end with .\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        kept.lock().expect("lock").push(Mail {
                            rcpt: rcpt.clone(),
                            data,
                        });
                        b"250 OK queued\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else if cmd.starts_with("RSET") || cmd.starts_with("NOOP") {
                        b"250 OK\r\n"
                    } else {
                        b"502 not implemented\r\n"
                    };
                    if w.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, mails)
}

/// The text of a received message's body (base64 or quoted-printable), after its headers.
fn mail_text(data: &str) -> String {
    let (headers, body) = data.split_once("\n\n").unwrap_or((data, ""));
    let headers = headers.to_ascii_lowercase();
    if headers.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .expect("base64 body"),
        )
        .expect("utf-8")
    } else if headers.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let bytes = soft.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("qp"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("utf-8")
    } else {
        body.to_owned()
    }
}

/// What the robot receiver saw and how it answers.
#[derive(Default)]
struct Receiver {
    /// Answer 500 to this many requests first.
    fail_next: AtomicUsize,
    /// (robot, text) of every accepted message.
    got: Mutex<Vec<(String, String)>>,
    /// Requests refused for a bad signature.
    bad_signatures: AtomicUsize,
}

const SECRET: &str = "SECloopback0123456789";

fn sign(secret: &str, ts: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{ts}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn dingtalk(
    State(r): State<Arc<Receiver>>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> (axum::http::StatusCode, Json<Value>) {
    if r.fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"errcode": -1, "errmsg": "system busy"})),
        );
    }
    let ts = q.get("timestamp").cloned().unwrap_or_default();
    if q.get("access_token").map(String::as_str) != Some("T1")
        || q.get("sign") != Some(&sign(SECRET, &ts))
    {
        r.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return (
            axum::http::StatusCode::OK,
            Json(json!({"errcode": 310000, "errmsg": "sign not match"})),
        );
    }
    r.got.lock().expect("lock").push((
        "dingtalk".into(),
        body["text"]["content"].as_str().unwrap_or("").to_owned(),
    ));
    (
        axum::http::StatusCode::OK,
        Json(json!({"errcode": 0, "errmsg": "ok"})),
    )
}

async fn wecom(
    State(r): State<Arc<Receiver>>,
    Query(q): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    if q.get("key").map(String::as_str) != Some("K1") || body["msgtype"] != "text" {
        return Json(json!({"errcode": 93000, "errmsg": "invalid webhook url"}));
    }
    r.got.lock().expect("lock").push((
        "wecom".into(),
        body["text"]["content"].as_str().unwrap_or("").to_owned(),
    ));
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

async fn robot_receiver() -> (u16, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    let app = axum::Router::new()
        .route("/robot/send", post(dingtalk))
        .route("/cgi-bin/webhook/send", post(wecom))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, r)
}

async fn records(app: &TestApp, who: &reqwest::Client, query: &str) -> Vec<Value> {
    let (s, v) = json(
        who.get(app.url(&format!("/api/v1/deliveries{query}")))
            .send()
            .await
            .expect("deliveries"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn email_and_robots_are_sent_retried_and_recorded() {
    let (smtp_port, mails) = smtp_server().await;
    let (http_port, receiver) = robot_receiver().await;
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with(
        clock.clone(),
        Layer {
            smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
            mail_from: Some("落地 <luodi@luodi.test>".into()),
            // The robots' receiver listens on loopback, as an intranet gateway would.
            outbound_allow: Some(vec!["127.0.0.1".into()]),
            public_url: Some("http://luodi.test/".into()),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&app.svc).await.expect("seed");
    let office = app.demo("office").await;
    let owner = app.demo("owner").await;

    // A person sets where their e-mail goes; a malformed address is refused where it is wrong.
    let (s, v) = json(
        owner
            .put(app.url("/api/v1/me/email"))
            .json(&json!({"email": "sun wei@luodi"}))
            .send()
            .await
            .expect("email"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["details"]["fields"][0]["field"], "email", "{v}");
    let (s, v) = json(
        owner
            .put(app.url("/api/v1/me/email"))
            .json(&json!({"email": "sunwei@jtt.luodi.test"}))
            .send()
            .await
            .expect("email"),
    )
    .await;
    assert_eq!(
        (s, v["email"].as_str()),
        (StatusCode::OK, Some("sunwei@jtt.luodi.test"))
    );

    // The office registers the department's group robots; the token and secret stay hidden.
    let transport = app.org_id("D-TRANSPORT").await;
    let base = format!("http://127.0.0.1:{http_port}");
    let mut robot_ids = HashMap::new();
    for (name, kind, url, secret) in [
        (
            "交通运输厅专班群",
            "dingtalk",
            format!("{base}/robot/send?access_token=T1"),
            SECRET,
        ),
        (
            "签名配错的群",
            "dingtalk",
            format!("{base}/robot/send?access_token=T1"),
            "SECwrong",
        ),
        (
            "企业微信工作群",
            "wecom",
            format!("{base}/cgi-bin/webhook/send?key=K1"),
            "",
        ),
    ] {
        let (s, v) = json(
            office
                .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks")))
                .json(&json!({"kind": kind, "name": name, "url": url, "secret": secret}))
                .send()
                .await
                .expect("robot"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert!(!v["url"].as_str().unwrap_or("").contains("T1"), "{v}");
        assert_eq!(v["has_secret"], !secret.is_empty());
        robot_ids.insert(name, v["id"].as_i64().expect("id"));
    }
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks")))
            .json(&json!({"kind": "fax", "name": "", "url": "ftp://x"}))
            .send()
            .await
            .expect("robot"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["details"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["kind", "name", "url"], "{v}");
    // Robots are the org managers' business: a liaison is refused, an outsider sees nothing.
    let liaison = app.demo("liaison").await;
    let r = liaison
        .get(app.url(&format!("/api/v1/orgs/{transport}/webhooks")))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let outsider = app.demo("shenyang_office").await;
    for r in [
        outsider
            .get(app.url(&format!("/api/v1/orgs/{transport}/webhooks")))
            .send()
            .await
            .expect("list"),
        outsider
            .post(app.url(&format!("/api/v1/orgs/{transport}/urge")))
            .json(&json!({}))
            .send()
            .await
            .expect("urge"),
    ] {
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    // An item three days from its deadline puts the owner in today's digest, by e-mail too.
    let (_, camps) = json(
        office
            .get(app.url("/api/v1/campaigns"))
            .send()
            .await
            .expect("c"),
    )
    .await;
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let body = json!({"campaign_id": cid, "kind": "task", "title": "高速公路服务区整改", "phase": "rectification", "source": "inspection", "item_type": "time_limited",
        "lead_org_id": app.org_id("D-TRANSPORT-HWY").await, "responsible_person": "孙伟", "responsible_user_id": app.user_id("owner").await, "due_on": "2026-11-26", "issue": true});
    let (s, v) = json(
        office
            .post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("item"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        luodi_service::reminders::send_digests(&app.svc)
            .await
            .expect("digests"),
        1
    );
    // The office urges the department: its liaison (inbox) and its three robots.
    receiver.fail_next.store(1, Ordering::SeqCst);
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/orgs/{transport}/urge")))
            .json(&json!({"note": "请于本周五前报送整改进展"}))
            .send()
            .await
            .expect("urge"),
    )
    .await;
    assert_eq!((s, v["reached"].as_i64()), (StatusCode::OK, Some(4)), "{v}");
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/orgs/{transport}/urge")))
            .json(&json!({}))
            .send()
            .await
            .expect("urge"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_urged_today"))
    );

    // The sender runs: the mail and the WeCom message arrive; the first DingTalk request meets
    // a 500 and the badly signed robot is refused; both wait for their retry.
    let sent = luodi_service::notify::deliver_due(&app.svc)
        .await
        .expect("deliver");
    assert_eq!(
        (sent.sent, sent.retrying, sent.failed),
        (2, 2, 0),
        "{sent:?}"
    );
    {
        let mails = mails.lock().expect("lock");
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].rcpt, ["sunwei@jtt.luodi.test"]);
        let text = mail_text(&mails[0].data);
        assert!(
            text.contains("高速公路服务区整改（截止 2026-11-26，还有 3 天到期）"),
            "{text}"
        );
        assert!(text.contains("http://luodi.test/"), "{text}");
        assert!(
            mails[0].data.contains("luodi@luodi.test"),
            "{}",
            mails[0].data
        );
    }
    let failed = records(&app, &office, "?channel=dingtalk").await;
    assert_eq!(failed.len(), 2);
    assert!(failed
        .iter()
        .all(|d| d["status"] == "queued" && d["attempts"] == 1));
    let errors: Vec<&str> = failed
        .iter()
        .filter_map(|d| d["last_error"].as_str())
        .collect();
    assert!(errors.iter().any(|e| e.contains("500")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("310000")), "{errors:?}");
    assert!(
        errors.iter().all(|e| !e.contains("T1")),
        "no token in errors"
    );
    // Nothing is due again until the wait has passed.
    let again = luodi_service::notify::deliver_due(&app.svc)
        .await
        .expect("deliver");
    assert_eq!(again.sent + again.retrying + again.failed, 0);
    clock.advance(Duration::minutes(2));
    let again = luodi_service::notify::deliver_due(&app.svc)
        .await
        .expect("deliver");
    assert_eq!((again.sent, again.retrying), (1, 1), "{again:?}");
    {
        let got = receiver.got.lock().expect("lock");
        let kinds: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["wecom", "dingtalk"]);
        assert!(got
            .iter()
            .all(|(_, t)| t.contains("督办提醒") && t.contains("请于本周五前报送整改进展")));
    }
    assert!(receiver.bad_signatures.load(Ordering::SeqCst) >= 2);

    // The badly signed robot keeps failing until luodi gives up and records it as failed.
    for _ in 0..10 {
        clock.advance(Duration::hours(13));
        luodi_service::notify::deliver_due(&app.svc)
            .await
            .expect("deliver");
    }
    // (Sessions end after half an hour idle; sign in again.)
    let office = app.demo("office").await;
    let liaison = app.demo("liaison").await;
    let given_up = records(&app, &office, "?status=failed").await;
    assert_eq!(given_up.len(), 1, "{given_up:?}");
    assert_eq!(given_up[0]["attempts"], 8);
    // Recorded in luodi's words with the robot's code, never the robot's own text.
    assert!(given_up[0]["last_error"]
        .as_str()
        .is_some_and(|e| e.contains("signature")
            && e.contains("310000")
            && !e.contains("sign not match")));
    // Sent again by hand, after the secret is fixed by re-registering… here: just re-queued.
    let id = given_up[0]["id"].as_i64().expect("id");
    let r = liaison
        .post(app.url(&format!("/api/v1/deliveries/{id}/retry")))
        .send()
        .await
        .expect("retry");
    assert!(matches!(
        r.status(),
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));
    let r = office
        .post(app.url(&format!("/api/v1/deliveries/{id}/retry")))
        .send()
        .await
        .expect("retry");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(records(&app, &office, "?status=failed").await.len(), 0);
    // Every delivery outside the inbox is on record: 1 mail, 3 robots.
    assert_eq!(records(&app, &office, "").await.len(), 4);
    // A unit liaison sees no records of the province's sending.
    let r = liaison
        .get(app.url("/api/v1/deliveries"))
        .send()
        .await
        .expect("records");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A test message to a robot.
    let wid = robot_ids["企业微信工作群"];
    let r = office
        .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks/{wid}/test")))
        .send()
        .await
        .expect("test");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    luodi_service::notify::deliver_due(&app.svc)
        .await
        .expect("deliver");
    assert!(receiver
        .got
        .lock()
        .expect("lock")
        .iter()
        .any(|(k, t)| k == "wecom" && t.contains("测试消息")));
}

/// An internal service a forged robot URL could reach: it answers with a secret, and with a
/// redirect to another internal path.
#[derive(Default)]
struct Internal {
    hits: Mutex<Vec<String>>,
}

async fn internal_service() -> (u16, Arc<Internal>) {
    let state = Arc::new(Internal::default());
    let secret = |State(s): State<Arc<Internal>>| async move {
        s.hits.lock().expect("lock").push("secret".into());
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL-SECRET db password = hunter2",
        )
    };
    let jump = |State(s): State<Arc<Internal>>| async move {
        s.hits.lock().expect("lock").push("jump".into());
        (
            axum::http::StatusCode::FOUND,
            [(axum::http::header::LOCATION, "/internal/secret")],
        )
    };
    let app = axum::Router::new()
        .route("/internal/secret", post(secret).get(secret))
        .route("/internal/jump", post(jump))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, state)
}

/// A robot URL cannot reach this server or the intranet (SSRF): loopback, private,
/// link-local and metadata addresses, by address or by name, are refused when saved, and a
/// stored one is refused again when sent, without a request; an intranet gateway the operator
/// lists in `outbound_allow` is reached, but no redirect is followed and nothing of its answer
/// is kept or shown. The test action is limited to once a minute per robot.
#[tokio::test]
async fn robot_urls_cannot_reach_internal_addresses() {
    let (port, internal) = internal_service().await;
    let app = TestApp::seeded().await;
    let office = app.demo("office").await;
    let transport = app.org_id("D-TRANSPORT").await;
    let save = |url: String| {
        let r = office
            .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks")))
            .json(&json!({"kind": "wecom", "name": "群", "url": url}))
            .send();
        async move { json(r.await.expect("save")).await }
    };
    for url in [
        format!("http://127.0.0.1:{port}/internal/secret"),
        format!("http://localhost:{port}/internal/secret"),
        format!("http://[::1]:{port}/internal/secret"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.20.30.40/hook".to_owned(),
        "http://0.0.0.0:80/".to_owned(),
    ] {
        let (s, v) = save(url.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {v}");
        assert_eq!(
            v["details"]["fields"][0]["code"], "url_internal",
            "{url}: {v}"
        );
    }
    // One stored before the rule (or whose name now resolves elsewhere) is refused at sending.
    let (s, v) = save("https://203.0.113.10/cgi-bin/webhook/send?key=K".into()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let wid = v["id"].as_i64().expect("id");
    let mut c = app.svc.db().begin().await.expect("tx");
    luodi_store::db::execute(
        c.conn(),
        luodi_store::Sql::new("UPDATE org_webhooks SET url = ")
            .arg(format!("http://127.0.0.1:{port}/internal/secret"))
            .push(" WHERE id = ")
            .arg(wid),
    )
    .await
    .expect("update");
    c.commit().await.expect("commit");
    let r = office
        .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks/{wid}/test")))
        .send()
        .await
        .expect("test");
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // The test action: once a minute per robot.
    let (s, v) = json(
        office
            .post(app.url(&format!("/api/v1/orgs/{transport}/webhooks/{wid}/test")))
            .send()
            .await
            .expect("test"),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("robot_test_too_soon"))
    );
    luodi_service::notify::deliver_due(&app.svc)
        .await
        .expect("deliver");
    assert!(
        internal.hits.lock().expect("lock").is_empty(),
        "no request left"
    );
    let errors: Vec<String> = records(&app, &office, "?channel=wecom")
        .await
        .iter()
        .filter_map(|d| d["last_error"].as_str().map(str::to_owned))
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("internal address")),
        "{errors:?}"
    );

    // An intranet gateway the operator allows is reached; its answer is not kept, and its
    // redirect is not followed.
    let gateway = TestApp::spawn_with(
        Arc::new(luodi_domain::SystemClock),
        Layer {
            outbound_allow: Some(vec!["127.0.0.1/32".into()]),
            ..Default::default()
        },
    )
    .await;
    luodi::tools::demo::seed(&gateway.svc).await.expect("seed");
    let office = gateway.demo("office").await;
    let transport = gateway.org_id("D-TRANSPORT").await;
    for path in ["/internal/jump", "/internal/secret"] {
        let (s, v) = json(
            office
                .post(gateway.url(&format!("/api/v1/orgs/{transport}/webhooks")))
                .json(&json!({"kind": "wecom", "name": path, "url": format!("http://127.0.0.1:{port}{path}")}))
                .send()
                .await
                .expect("save"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let wid = v["id"].as_i64().expect("id");
        let r = office
            .post(gateway.url(&format!("/api/v1/orgs/{transport}/webhooks/{wid}/test")))
            .send()
            .await
            .expect("test");
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    luodi_service::notify::deliver_due(&gateway.svc)
        .await
        .expect("deliver");
    assert_eq!(
        *internal.hits.lock().expect("lock"),
        ["jump", "secret"],
        "each robot's own address once: the redirect was not followed"
    );
    let shown = records(&gateway, &office, "?channel=wecom").await;
    let errors: Vec<&str> = shown
        .iter()
        .filter_map(|d| d["last_error"].as_str())
        .collect();
    assert!(errors.iter().any(|e| e.contains("302")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("500")), "{errors:?}");
    let page = office
        .get(gateway.url("/deliveries"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    for text in [serde_json::to_string(&shown).expect("json"), page] {
        assert!(
            !text.contains("INTERNAL-SECRET") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
