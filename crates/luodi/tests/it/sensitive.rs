//! Personal data on accounts: checked, stored encrypted (SM4-GCM), whole for the person and
//! their account managers, masked for every other reader, and nowhere in the database file in
//! the clear.

use crate::helpers::{backend_is_postgres, json, TestApp};
use reqwest::StatusCode;
use serde_json::json;

/// A mobile number no other test plants.
fn planted_phone() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 100_000_000)
        .unwrap_or(12_345_678);
    format!("139{n:08}")
}

const ID_CARD: &str = "11010519491231002X";

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(p.display().to_string());
                }
            }
        }
    }
    hits
}

#[tokio::test]
async fn phone_and_id_card_are_encrypted_at_rest_and_masked_for_other_readers() {
    let app = TestApp::seeded().await;
    let phone = planted_phone();
    let office = app.user_id("office").await;
    let sys = app.demo("sysadmin").await;

    // Checked first: nothing stored when a field is wrong.
    let (s, v) = json(
        sys.put(app.url(&format!("/api/v1/users/{office}/contact")))
            .json(&json!({"phone": "12345", "id_card": "110105194912310021"}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let fields: Vec<&str> = v["details"]["fields"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["field"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        fields.contains(&"phone") && fields.contains(&"id_card"),
        "{v}"
    );

    // The system administrator, who manages the account, stores and reads them whole.
    let (s, v) = json(
        sys.put(app.url(&format!("/api/v1/users/{office}/contact")))
            .json(&json!({"phone": phone, "id_card": "11010519491231002x"}))
            .send()
            .await
            .expect("put"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["phone"], phone.as_str());
    assert_eq!(v["id_card"], ID_CARD);
    assert_eq!(v["contact_masked"], false);

    // The person sees them whole; the other administrators see them masked.
    let (_, me) = json(
        app.demo("office")
            .await
            .get(app.url(&format!("/api/v1/users/{office}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(me["phone"], phone.as_str(), "{me}");
    let masked_phone = format!("139****{}", &phone[7..]);
    for who in ["secadmin", "auditor"] {
        let c = app.demo(who).await;
        let (s, v) = json(
            c.get(app.url(&format!("/api/v1/users/{office}")))
                .send()
                .await
                .expect("get"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{who}: {v}");
        assert_eq!(v["phone"], masked_phone.as_str(), "{who}");
        assert_eq!(v["id_card"], "110105**********2X", "{who}");
        assert_eq!(v["contact_masked"], true, "{who}");
        // And on the account's page.
        let page = c
            .get(app.url(&format!("/admin/users/{office}")))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("text");
        assert!(
            page.contains(&masked_phone) && !page.contains(&phone),
            "{who}"
        );
    }
    // Someone else's numbers are not theirs to change.
    let r = app
        .demo("secadmin")
        .await
        .put(app.url(&format!("/api/v1/users/{office}/contact")))
        .json(&json!({"phone": "13800000000"}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The audit trail records the change masked.
    let (_, audit) = json(
        app.demo("auditor")
            .await
            .get(app.url("/api/v1/audit?action=user.set_contact"))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let after = &audit["items"][0]["after"];
    assert_eq!(after["phone"], masked_phone.as_str(), "{audit}");

    // Nowhere in the data directory (the database, its WAL, keys aside) in the clear.
    if !backend_is_postgres() {
        // …nor in a backup of it.
        let backups = tempfile::tempdir().expect("tempdir");
        let to = backups.path().join("b");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_luodi"))
            .args(["backup", "--to"])
            .arg(&to)
            .arg("--data-dir")
            .arg(app.dir.path())
            .env_remove("LUODI_DATABASE_URL")
            .output()
            .expect("backup");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        app.svc.db().close().await;
        for dir in [app.dir.path(), to.as_path()] {
            let hits = files_holding(dir, phone.as_bytes());
            assert!(hits.is_empty(), "the phone number is in {hits:?}");
            let hits = files_holding(dir, ID_CARD.as_bytes());
            assert!(hits.is_empty(), "the ID-card number is in {hits:?}");
        }
        assert!(!files_holding(&to, b"user.set_contact").is_empty());
        // …while the file does hold what was stored next to them (the grep can find things).
        assert!(!files_holding(app.dir.path(), b"user.set_contact").is_empty());
    } else {
        let mut c = app.svc.db().read().await.expect("read");
        let n = luodi_store::db::scalar_i64(
            c.conn(),
            luodi_store::Sql::new(
                "SELECT COUNT(*) FROM users WHERE phone_enc LIKE '%139%' OR id_card_enc LIKE '%110105%'",
            ),
        )
        .await
        .expect("count");
        assert_eq!(n, 0);
    }
}
