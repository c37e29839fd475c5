//! The scheduler across instances: two luodi instances on one database tick at once, and every
//! job runs exactly once per due tick; after an outage, a missed job runs once, not once per
//! missed tick.

use crate::helpers::TestApp;
use chrono::{Duration, TimeZone, Utc};
use luodi_domain::FixedClock;
use luodi_service::scheduler;
use std::sync::Arc;

async fn runs(app: &TestApp, name: &str) -> usize {
    let mut c = app.svc.db().read().await.expect("read");
    luodi_store::scheduler::runs(c.conn(), name, 10_000)
        .await
        .expect("runs")
        .len()
}

async fn tick_both(a: &luodi_service::Services, b: &luodi_service::Services, rounds: usize) {
    let mut handles = Vec::new();
    for i in 0..rounds {
        for (svc, who) in [(a.clone(), "instance-a"), (b.clone(), "instance-b")] {
            handles.push(tokio::spawn(async move {
                scheduler::tick(&svc, &format!("{who}-{i}"))
                    .await
                    .expect("tick")
            }));
        }
    }
    for h in handles {
        h.await.expect("join");
    }
}

#[tokio::test]
async fn every_job_runs_once_across_instances() {
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = TestApp::spawn_with_clock(clock.clone()).await;
    let other = app.second_instance(clock.clone()).await;
    scheduler::register(&app.svc).await.expect("register");
    scheduler::register(&other)
        .await
        .expect("register twice is harmless");

    // Ten rounds of ticks from both instances at the same instant: each job runs once.
    tick_both(&app.svc, &other, 10).await;
    for j in scheduler::jobs() {
        assert_eq!(runs(&app, j.name).await, 1, "{} ran once", j.name);
    }

    // Down for three days (hundreds of missed 15-minute ticks): each job runs once more.
    clock.advance(Duration::days(3));
    tick_both(&app.svc, &other, 10).await;
    for j in scheduler::jobs() {
        assert_eq!(
            runs(&app, j.name).await,
            2,
            "{} ran once after the outage",
            j.name
        );
    }
    // Not yet due again: nothing runs.
    clock.advance(Duration::minutes(1));
    tick_both(&app.svc, &other, 3).await;
    assert_eq!(runs(&app, "rebucket_items").await, 2);
    // Every run is logged with its outcome.
    let mut c = app.svc.db().read().await.expect("read");
    let jobs = luodi_store::scheduler::jobs(c.conn()).await.expect("jobs");
    assert!(
        jobs.iter()
            .all(|j| j.last_outcome.as_deref() == Some("ok") && j.lease_owner.is_none()),
        "{jobs:?}"
    );
    assert!(jobs.iter().all(|j| j.next_run_at > clock_now(&clock)));
}

fn clock_now(c: &FixedClock) -> chrono::DateTime<Utc> {
    use luodi_domain::Clock;
    c.now()
}
