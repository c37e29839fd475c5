//! The scheduler: jobs stored in the database and run by the server itself. Each instance ticks
//! every few seconds; a due job is claimed with a lease by exactly one instance, runs, and is
//! scheduled for its next tick after now — so a job missed while every instance was down runs
//! once, not once per missed tick. Every run is logged in `job_runs`.

use crate::{ServiceResult, Services};
use chrono::{DateTime, Duration, Utc};
use luodi_store::scheduler;

/// A built-in job and how often it runs.
pub struct JobSpec {
    pub name: &'static str,
    pub every: Duration,
}

/// The jobs every instance knows.
pub fn jobs() -> Vec<JobSpec> {
    vec![
        JobSpec {
            name: "rebucket_items",
            every: Duration::minutes(15),
        },
        JobSpec {
            name: "open_report_periods",
            every: Duration::minutes(15),
        },
        JobSpec {
            name: "compute_bulletins",
            every: Duration::minutes(15),
        },
        // Ticks align to UTC midnight: 08:00 in China, the start of the working day.
        JobSpec {
            name: "send_digests",
            every: Duration::hours(24),
        },
        JobSpec {
            name: "deliver_notices",
            every: Duration::minutes(1),
        },
        // Keeps each roll-up counter a handful of rows on PostgreSQL (see store::items::bump).
        JobSpec {
            name: "fold_counters",
            every: Duration::minutes(1),
        },
        JobSpec {
            name: "expire_sessions",
            every: Duration::hours(1),
        },
        JobSpec {
            name: "sweep_files",
            every: Duration::hours(24),
        },
    ]
}

/// How long a claim holds before another instance may take the job over (a crashed runner).
const LEASE: Duration = Duration::minutes(10);

/// The first tick of a job with period `every` strictly after `now` (ticks are aligned to the
/// epoch, so all instances agree on them).
pub fn next_tick(now: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    let step = every.num_seconds().max(1);
    let t = now.timestamp();
    let next = (t.div_euclid(step) + 1) * step;
    DateTime::from_timestamp(next, 0).unwrap_or(now + every)
}

/// Registers the jobs (idempotent); new jobs are due at once.
pub async fn register(svc: &Services) -> ServiceResult<()> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    for j in jobs() {
        scheduler::ensure(tx.conn(), j.name, j.every.num_seconds(), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn run(svc: &Services, name: &str) -> Result<String, String> {
    match name {
        "rebucket_items" => {
            let mut n = 0;
            loop {
                let k = crate::items::rebucket(svc, 5_000)
                    .await
                    .map_err(|e| e.to_string())?;
                n += k;
                if k < 5_000 {
                    break;
                }
            }
            Ok(format!("{n} items re-derived"))
        }
        "open_report_periods" => {
            let n = crate::reports::open_periods(svc)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{n} reports opened"))
        }
        "send_digests" => {
            let n = crate::reminders::send_digests(svc)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{n} digests queued"))
        }
        "compute_bulletins" => {
            let n = crate::bulletins::compute_due(svc)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{n} bulletins computed"))
        }
        "deliver_notices" => {
            let r = crate::notify::deliver_due(svc)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "{} sent, {} to retry, {} given up",
                r.sent, r.retrying, r.failed
            ))
        }
        "fold_counters" => {
            let mut tx = svc.db.begin().await.map_err(|e| e.to_string())?;
            let n = luodi_store::items::fold_counters(tx.conn())
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            Ok(format!("{n} counter rows folded"))
        }
        "expire_sessions" => {
            let mut tx = svc.db.begin().await.map_err(|e| e.to_string())?;
            let n = luodi_store::sessions::delete_expired(tx.conn(), svc.now())
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            Ok(format!("{n} sessions expired"))
        }
        "sweep_files" => {
            let r = crate::items::sweep_files(svc, std::time::Duration::from_secs(3600))
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{} files removed, {} kept", r.removed, r.kept))
        }
        other => Err(format!("unknown job {other}")),
    }
}

/// Runs every job that is due and that this instance wins; returns (job, outcome) for those.
pub async fn tick(svc: &Services, instance: &str) -> ServiceResult<Vec<(String, String)>> {
    let mut done = Vec::new();
    for j in jobs() {
        let now = svc.now();
        let won = {
            let mut tx = svc.db.begin().await?;
            let won = scheduler::claim(tx.conn(), j.name, instance, now, now + LEASE).await?;
            tx.commit().await?;
            won
        };
        if won.is_none() {
            continue;
        }
        let result = run(svc, j.name).await;
        let (outcome, detail) = match &result {
            Ok(d) => ("ok", d.clone()),
            Err(e) => ("failed", e.clone()),
        };
        if result.is_err() {
            tracing::error!(job = j.name, error = %detail, "scheduled job failed");
        }
        let end = svc.now();
        let mut tx = svc.db.begin().await?;
        scheduler::finish(
            tx.conn(),
            j.name,
            instance,
            now,
            end,
            next_tick(end, j.every),
            outcome,
            &detail,
        )
        .await?;
        tx.commit().await?;
        done.push((j.name.to_owned(), outcome.to_owned()));
    }
    Ok(done)
}

/// Ticks in the background for as long as the server runs.
pub fn spawn(svc: Services, instance: String, every: std::time::Duration) {
    tokio::spawn(async move {
        if let Err(e) = register(&svc).await {
            tracing::error!(error = %e, "could not register scheduled jobs");
        }
        let mut interval = tokio::time::interval(every);
        loop {
            interval.tick().await;
            if let Err(e) = tick(&svc, &instance).await {
                tracing::warn!(error = %e, "scheduler tick failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ticks_are_aligned_and_strictly_later() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 7, 30)
            .single()
            .expect("t");
        assert_eq!(
            next_tick(t, Duration::minutes(15)),
            Utc.with_ymd_and_hms(2026, 11, 26, 10, 15, 0)
                .single()
                .expect("t")
        );
        let on = Utc
            .with_ymd_and_hms(2026, 11, 26, 10, 15, 0)
            .single()
            .expect("t");
        assert_eq!(
            next_tick(on, Duration::minutes(15)),
            Utc.with_ymd_and_hms(2026, 11, 26, 10, 30, 0)
                .single()
                .expect("t")
        );
        assert_eq!(
            next_tick(t, Duration::hours(24)),
            Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0)
                .single()
                .expect("t")
        );
    }
}
