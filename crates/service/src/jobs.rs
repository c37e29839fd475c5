//! Long work (imports) runs in the background and reports its progress here, so the page that
//! started it can show how far it got. Jobs live in memory in the instance that runs them, for
//! their owner only; a finished job is kept for an hour.

use crate::ServiceError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where a job stands.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub id: u64,
    pub kind: &'static str,
    /// parsing, checking, writing, done, failed
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

struct Job {
    owner: i64,
    progress: Progress,
    outcome: Option<Arc<Result<serde_json::Value, ServiceError>>>,
}

/// The registry of this instance's jobs.
#[derive(Clone, Default)]
pub struct Jobs {
    next: Arc<AtomicU64>,
    map: Arc<Mutex<HashMap<u64, Job>>>,
}

/// A running job's handle, to report progress.
#[derive(Clone)]
pub struct Reporter {
    jobs: Jobs,
    id: u64,
}

impl Reporter {
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn set(&self, phase: &'static str, done: u64, total: u64) {
        if let Ok(mut m) = self.jobs.map.lock() {
            if let Some(j) = m.get_mut(&self.id) {
                j.progress.phase = phase;
                j.progress.done = done;
                j.progress.total = total;
            }
        }
    }
}

impl Jobs {
    /// Registers a job of `owner` and returns its reporter.
    pub fn start(&self, owner: i64, kind: &'static str, now: DateTime<Utc>) -> Reporter {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        if let Ok(mut m) = self.map.lock() {
            // Forget jobs finished more than an hour ago.
            m.retain(|_, j| {
                j.progress
                    .finished_at
                    .is_none_or(|f| now - f < chrono::Duration::hours(1))
            });
            m.insert(
                id,
                Job {
                    owner,
                    progress: Progress {
                        id,
                        kind,
                        phase: "parsing",
                        done: 0,
                        total: 0,
                        started_at: now,
                        finished_at: None,
                    },
                    outcome: None,
                },
            );
        }
        Reporter {
            jobs: self.clone(),
            id,
        }
    }

    pub fn finish(
        &self,
        r: &Reporter,
        outcome: Result<serde_json::Value, ServiceError>,
        now: DateTime<Utc>,
    ) {
        if let Ok(mut m) = self.map.lock() {
            if let Some(j) = m.get_mut(&r.id) {
                j.progress.phase = if outcome.is_ok() { "done" } else { "failed" };
                j.progress.finished_at = Some(now);
                j.outcome = Some(Arc::new(outcome));
            }
        }
    }

    /// A job of `owner`: its progress and, once finished, its outcome.
    #[allow(clippy::type_complexity)]
    pub fn get(
        &self,
        owner: i64,
        id: u64,
    ) -> Option<(
        Progress,
        Option<Arc<Result<serde_json::Value, ServiceError>>>,
    )> {
        let m = self.map.lock().ok()?;
        let j = m.get(&id).filter(|j| j.owner == owner)?;
        Some((j.progress.clone(), j.outcome.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_report_and_belong_to_their_owner() {
        let jobs = Jobs::default();
        let now = Utc::now();
        let r = jobs.start(7, "ledger_import", now);
        r.set("writing", 500, 1000);
        let (p, o) = jobs.get(7, r.id).expect("job");
        assert_eq!(
            (p.phase, p.done, p.total, o.is_none()),
            ("writing", 500, 1000, true)
        );
        assert!(jobs.get(8, r.id).is_none(), "another user sees nothing");
        jobs.finish(&r, Ok(serde_json::json!({ "created": 1000 })), now);
        let (p, o) = jobs.get(7, r.id).expect("job");
        assert_eq!(p.phase, "done");
        assert!(o.is_some_and(|o| o.is_ok()));
    }
}
