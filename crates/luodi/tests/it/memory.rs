//! An import cannot exhaust the server's memory: a small workbook whose every cell repeats one
//! long shared string (2 MB on disk, hundreds of MB once read, yet no zip bomb) is refused
//! once its text passes the budget, who may import is settled before the file is read, an
//! account runs one import at a time and the instance a few; four such uploads at once leave
//! the real server's peak memory (VmHWM) under 150 MB above idle. Linux only (/proc).

use crate::crash::{login, start};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Peak and current resident memory of a process, in bytes.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kb = |key: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .expect("field")
    };
    (kb("VmHWM:") * 1024, kb("VmRSS:") * 1024)
}

/// 200,000 rows whose cells all hold the same 1,000-character string.
fn hostile_xlsx() -> Vec<u8> {
    let text = "整改".repeat(500);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for r in 0..200_000u32 {
        ws.write_string(r, 0, &text).expect("write");
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn upload(c: &Client, url: String, bytes: Vec<u8>) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name("台账.xlsx"));
    let r = c.post(url).multipart(form).send().await.expect("upload");
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_hostile_workbook_cannot_exhaust_memory() {
    if crate::helpers::backend_is_postgres() {
        return; // One run is enough: memory is the server's, not the database's.
    }
    let dir = tempfile::tempdir().expect("dir");
    // The first start seeds the demo; the measured one only serves.
    let (mut child, _) = start(dir.path()).await;
    let _ = child.kill();
    let _ = child.wait();
    let (mut child, base) = start(dir.path()).await;
    let bytes = hostile_xlsx();
    assert!(bytes.len() < 4 * 1024 * 1024, "{} bytes", bytes.len());
    let office = login(&base, "office").await;
    let (_, camps) = (
        (),
        office
            .get(format!("{base}/api/v1/campaigns"))
            .send()
            .await
            .expect("campaigns")
            .json::<Value>()
            .await
            .expect("json"),
    );
    let cid = camps["items"][0]["id"].as_i64().expect("campaign");
    let url = |background: bool| {
        format!("{base}/api/v1/items/import?campaign_id={cid}&async={background}")
    };
    let (_, idle) = memory(child.id());

    // The read-only leader is refused before the file is read (a server that does not read
    // the body may close before a large one is sent: a small one shows the answer).
    let leader = login(&base, "leader").await;
    let (s, v) = upload(&leader, url(false), bytes[..1024].to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = upload(
        &leader,
        format!("{base}/api/v1/orgs/import"),
        bytes[..1024].to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // The org import reads sheets the same way.
    let (s, v) = upload(&office, format!("{base}/api/v1/orgs/import"), bytes.clone()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_much_text")),
        "{v}"
    );

    // One account, one import: a second one at once is refused.
    let (s, v) = upload(&office, url(true), bytes.clone()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let job = v["job_id"].as_u64().expect("job");
    let again = login(&base, "office").await;
    let (s, v) = upload(&again, url(false), bytes[..1024].to_vec()).await;
    assert!(
        s == StatusCode::CONFLICT || s == StatusCode::UNPROCESSABLE_ENTITY,
        "refused while the first runs (or unreadable, after it failed): {s} {v}"
    );
    // (A connection the server closed without reading its body is not reused.)
    let office = login(&base, "office").await;
    loop {
        let j: Value = office
            .get(format!("{base}/api/v1/jobs/{job}"))
            .send()
            .await
            .expect("job")
            .json()
            .await
            .expect("json");
        if j["phase"] == "failed" || j["phase"] == "done" {
            assert_eq!(j["phase"], "failed", "{j}");
            assert!(j.to_string().contains("too_much_text"), "{j}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Four accounts at once.
    let mut tasks = Vec::new();
    for who in ["office", "supervisor", "liaison", "dalian_liaison"] {
        let c = login(&base, who).await;
        let (u, b) = (url(false), bytes.clone());
        tasks.push(tokio::spawn(async move { upload(&c, u, b).await }));
    }
    for t in tasks {
        let (s, v) = t.await.expect("task");
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
        assert_eq!(v["code"], "too_much_text", "{v}");
    }
    let (peak, now) = memory(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "memory: idle {:.0} MiB, peak {:.0} MiB (+{:.0}), after {:.0} MiB",
        mib(idle),
        mib(peak),
        mib(peak.saturating_sub(idle)),
        mib(now)
    );
    assert!(
        peak.saturating_sub(idle) < 150 * 1024 * 1024,
        "peak {:.0} MiB over idle {:.0} MiB",
        mib(peak),
        mib(idle)
    );
}
