//! Grouped reads behind a scope's dashboard that the roll-up counters do not hold: items by the
//! day of their original deadline, and reports by period. Each is one grouped query over the
//! scope's range and a window of weeks, never a query per org.

use crate::db::{self, Conn};
use crate::error::StoreResult;
use crate::sql::Sql;
use chrono::{DateTime, NaiveDate, Utc};
use luodi_domain::dashboard::{DueDay, PeriodPunctuality};

/// Items of `scopes` whose original deadline lies in `[from, to]`, counted per day.
pub async fn due_days(
    c: Conn<'_>,
    scopes: &[String],
    campaign_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<DueDay>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        day: NaiveDate,
        timeliness: String,
        due_so_far: bool,
        n: i64,
    }
    let mut s = Sql::new(
        "SELECT original_due_on AS day, timeliness, due_so_far, CAST(COUNT(*) AS BIGINT) AS n FROM items WHERE ",
    );
    s.in_subtrees("lead_org_path", scopes);
    // Out of play (draft, suspended, withdrawn) items have no timeliness and count nowhere.
    s.add(" AND timeliness <> '' AND original_due_on >= ")
        .bind(from)
        .add(" AND original_due_on <= ")
        .bind(to);
    if let Some(cid) = campaign_id {
        s.add(" AND campaign_id = ").bind(cid);
    }
    s.add(" GROUP BY original_due_on, timeliness, due_so_far");
    let rows: Vec<Row> = db::fetch_all(c, s).await?;
    let mut out: Vec<DueDay> = Vec::new();
    for r in rows {
        let i = match out.iter().position(|d| d.day == r.day) {
            Some(i) => i,
            None => {
                out.push(DueDay {
                    day: r.day,
                    ..Default::default()
                });
                out.len() - 1
            }
        };
        let d = &mut out[i];
        match r.timeliness.as_str() {
            "closed_on_time" => d.on_time += r.n,
            "closed_late" => d.late += r.n,
            _ if r.due_so_far => d.overdue += r.n,
            _ => d.pending += r.n,
        }
    }
    out.sort_by_key(|d| d.day);
    Ok(out)
}

/// Reports of `scopes` whose cut-off lies in `[from, now)`, per period, oldest first.
pub async fn report_periods(
    c: Conn<'_>,
    scopes: &[String],
    campaign_id: Option<i64>,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<PeriodPunctuality>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        period_key: String,
        on_time: i64,
        late: i64,
        missing: i64,
    }
    let mut s = Sql::new(
        "SELECT p.period_key, \
         CAST(SUM(CASE WHEN p.submitted_at IS NOT NULL AND p.submitted_at <= p.due_at THEN 1 ELSE 0 END) AS BIGINT) AS on_time, \
         CAST(SUM(CASE WHEN p.submitted_at > p.due_at THEN 1 ELSE 0 END) AS BIGINT) AS late, \
         CAST(SUM(CASE WHEN p.submitted_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS missing \
         FROM reports p JOIN work_rules r ON r.id = p.rule_id WHERE ",
    );
    s.in_subtrees("p.org_path", scopes);
    s.add(" AND p.due_at >= ")
        .bind(from)
        .add(" AND p.due_at < ")
        .bind(now);
    if let Some(cid) = campaign_id {
        s.add(" AND r.campaign_id = ").bind(cid);
    }
    s.add(" GROUP BY p.period_key ORDER BY MIN(p.due_at), p.period_key");
    let rows: Vec<Row> = db::fetch_all(c, s).await?;
    Ok(rows
        .into_iter()
        .map(|r| PeriodPunctuality::new(r.period_key, r.on_time, r.late, r.missing))
        .collect())
}
