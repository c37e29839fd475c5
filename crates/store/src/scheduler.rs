//! Scheduled jobs and their runs. A job is claimed by one atomic conditional update (due, and no
//! live lease), so that exactly one instance runs each due job.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ScheduledJob {
    pub name: String,
    pub every_seconds: i64,
    pub next_run_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobRun {
    pub id: i64,
    pub name: String,
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    pub detail: String,
}

const COLS: &str =
    "name, every_seconds, next_run_at, lease_owner, lease_until, last_run_at, last_outcome";

/// Registers a job if it is not there yet (first run at `first_run_at`); an existing job keeps
/// its schedule but takes the new interval.
pub async fn ensure(
    c: Conn<'_>,
    name: &str,
    every_seconds: i64,
    first_run_at: DateTime<Utc>,
) -> StoreResult<()> {
    db::execute(
        c,
        Sql::new("INSERT INTO scheduled_jobs (name, every_seconds, next_run_at) VALUES (")
            .values([
                Arg::from(name),
                Arg::from(every_seconds),
                Arg::from(first_run_at),
            ])
            .push(") ON CONFLICT (name) DO UPDATE SET every_seconds = excluded.every_seconds"),
    )
    .await?;
    Ok(())
}

/// Claims `name` for `instance` until `lease_until` if it is due at `now` and nobody holds a
/// live lease; returns the job when this instance won it.
pub async fn claim(
    c: Conn<'_>,
    name: &str,
    instance: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> StoreResult<Option<ScheduledJob>> {
    let mut s = Sql::new("UPDATE scheduled_jobs SET lease_owner = ")
        .arg(instance)
        .push(", lease_until = ")
        .arg(lease_until);
    s.add(" WHERE name = ")
        .bind(name)
        .add(" AND next_run_at <= ")
        .bind(now);
    s.add(" AND (lease_until IS NULL OR lease_until < ")
        .bind(now)
        .add(") RETURNING ")
        .add(COLS);
    db::fetch_optional(c, s).await
}

/// Ends a run: the next run is the first tick after `now` (missed ticks collapse into this one),
/// the lease is released, and the run is logged.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    mut c: Conn<'_>,
    name: &str,
    instance: &str,
    started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    next_run_at: DateTime<Utc>,
    outcome: &str,
    detail: &str,
) -> StoreResult<()> {
    db::execute(
        c.re(),
        Sql::new("UPDATE scheduled_jobs SET next_run_at = ")
            .arg(next_run_at)
            .push(", lease_owner = NULL, lease_until = NULL, last_run_at = ")
            .arg(now)
            .push(", last_outcome = ")
            .arg(outcome)
            .push(" WHERE name = ")
            .arg(name)
            .push(" AND lease_owner = ")
            .arg(instance),
    )
    .await?;
    db::execute(
        c,
        Sql::new("INSERT INTO job_runs (name, instance, started_at, finished_at, outcome, detail) VALUES (")
            .values([Arg::from(name), Arg::from(instance), Arg::from(started_at), Arg::from(now), Arg::from(outcome), Arg::from(detail)])
            .push(")"),
    )
    .await?;
    Ok(())
}

pub async fn jobs(c: Conn<'_>) -> StoreResult<Vec<ScheduledJob>> {
    let mut s = Sql::default();
    s.add("SELECT ")
        .add(COLS)
        .add(" FROM scheduled_jobs ORDER BY name");
    db::fetch_all(c, s).await
}

pub async fn runs(c: Conn<'_>, name: &str, limit: i64) -> StoreResult<Vec<JobRun>> {
    db::fetch_all(
        c,
        Sql::new("SELECT id, name, instance, started_at, finished_at, outcome, detail FROM job_runs WHERE name = ").arg(name).push(" ORDER BY id DESC LIMIT ").arg(limit),
    )
    .await
}
