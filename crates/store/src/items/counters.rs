//! Roll-up counters: per org and bucket, bumped in the transaction that changes an item.

use super::*;
use crate::dialect;

/// The counter key of an item's bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, sqlx::FromRow)]
pub struct BucketKey {
    pub kind: String,
    pub phase: String,
    pub status: String,
    pub light: String,
    pub timeliness: String,
    pub due_so_far: bool,
}

/// One counter row of an org: how many items of its subtree are in a bucket.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Counter {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub key: BucketKey,
    pub n: i64,
    pub days_to_close_sum: i64,
}

/// A change to one counter: `n` items and `days` days to close in `key`'s bucket of `org_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub org_id: i64,
    pub campaign_id: i64,
    pub key: BucketKey,
    pub n: i64,
    pub days: i64,
}

impl CounterDelta {
    /// The same change in the counters of every org in `orgs` (an item's ancestors).
    pub fn for_each(
        orgs: &[i64],
        campaign_id: i64,
        key: &BucketKey,
        n: i64,
        days: i64,
    ) -> Vec<Self> {
        orgs.iter()
            .map(|org| CounterDelta {
                org_id: *org,
                campaign_id,
                key: key.clone(),
                n,
                days,
            })
            .collect()
    }
}

/// How many shards a counter is spread over on PostgreSQL (shard 0 is where they are folded).
pub const COUNTER_SHARDS: i64 = 8;

/// Adds `deltas` to the roll-up counters. Deltas to the same counter are summed first, and the
/// rows go in key order, so that two writers lock the counters they share in the same order
/// and cannot deadlock. `spread` (an item's id, say) picks the shard on PostgreSQL, where
/// writers to different shards of the province's counters do not wait for each other's COMMIT;
/// SQLite has one writer and keeps shard 0.
pub async fn bump(mut c: Conn<'_>, deltas: Vec<CounterDelta>, spread: i64) -> StoreResult<()> {
    type Key = (i64, i64, String, String, String, String, String, bool);
    let mut sum: std::collections::BTreeMap<Key, (i64, i64)> = std::collections::BTreeMap::new();
    for d in deltas {
        let k = d.key;
        let e = sum
            .entry((
                d.org_id,
                d.campaign_id,
                k.kind,
                k.phase,
                k.status,
                k.light,
                k.timeliness,
                k.due_so_far,
            ))
            .or_default();
        e.0 += d.n;
        e.1 += d.days;
    }
    let rows: Vec<(Key, (i64, i64))> = sum.into_iter().filter(|(_, v)| *v != (0, 0)).collect();
    let shard = dialect::counter_shard(c.backend(), spread, COUNTER_SHARDS);
    // 11 values a row: well under either backend's limit on bound parameters.
    for chunk in rows.chunks(500) {
        let mut s = Sql::new("INSERT INTO rollup_counters (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard, n, days_to_close_sum) VALUES ");
        for (i, ((org, campaign, kind, phase, status, light, timeliness, due), (n, days))) in
            chunk.iter().enumerate()
        {
            if i > 0 {
                s.add(", ");
            }
            s.add("(").bind(*org).add(", ").bind(*campaign);
            for v in [kind, phase, status, light, timeliness] {
                s.add(", ").bind(v.as_str());
            }
            s.add(", ").bind(*due).add(", ").bind(shard);
            s.add(", ").bind(*n).add(", ").bind(*days).add(")");
        }
        s.add(
            " ON CONFLICT (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) DO UPDATE SET \
             n = rollup_counters.n + excluded.n, days_to_close_sum = rollup_counters.days_to_close_sum + excluded.days_to_close_sum",
        );
        db::execute(c.re(), s).await?;
    }
    Ok(())
}

/// Moves the counters' shards 1..8 into shard 0 (PostgreSQL; SQLite writes shard 0 only), so
/// that a counter is read from a handful of rows. One statement: the shard rows are deleted
/// and their sums added in the same snapshot, and they are locked in key order, as writers
/// lock them ([`bump`] sorts by bytes, hence `COLLATE "C"` whatever the database's collation).
/// Returns how many rows were folded.
pub async fn fold_counters(c: Conn<'_>) -> StoreResult<u64> {
    if !dialect::shards_counters(c.backend()) {
        return Ok(0);
    }
    let sql = Sql::new(
        "WITH moved AS (DELETE FROM rollup_counters \
           WHERE (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) IN \
           (SELECT org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard \
            FROM rollup_counters WHERE shard > 0 \
            ORDER BY org_id, campaign_id, kind COLLATE \"C\", phase COLLATE \"C\", status COLLATE \"C\", \
              light COLLATE \"C\", timeliness COLLATE \"C\", due_so_far, shard FOR UPDATE) \
           RETURNING org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum), \
         folded AS (INSERT INTO rollup_counters \
           (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard, n, days_to_close_sum) \
           SELECT org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, 0, SUM(n), SUM(days_to_close_sum) \
           FROM moved GROUP BY org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far \
           ON CONFLICT (org_id, campaign_id, kind, phase, status, light, timeliness, due_so_far, shard) DO UPDATE SET \
             n = rollup_counters.n + excluded.n, \
             days_to_close_sum = rollup_counters.days_to_close_sum + excluded.days_to_close_sum \
           RETURNING 1) \
         SELECT (SELECT COUNT(*) FROM moved) + 0 * (SELECT COUNT(*) FROM folded)",
    );
    Ok(db::scalar_i64(c, sql).await? as u64)
}

/// The counters of one org (its whole subtree), optionally of one campaign and kind.
pub async fn counters(
    c: Conn<'_>,
    org_id: i64,
    campaign_id: Option<i64>,
    kind: Option<&str>,
) -> StoreResult<Vec<Counter>> {
    let mut s = Sql::new(
        "SELECT kind, phase, status, light, timeliness, due_so_far, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(days_to_close_sum) AS BIGINT) AS days_to_close_sum \
         FROM rollup_counters WHERE org_id = ",
    )
    .arg(org_id);
    if let Some(cid) = campaign_id {
        s.add(" AND campaign_id = ").bind(cid);
    }
    if let Some(k) = kind {
        s.add(" AND kind = ").bind(k);
    }
    s.add(" GROUP BY kind, phase, status, light, timeliness, due_so_far HAVING SUM(n) <> 0");
    db::fetch_all(c, s).await
}

/// The counter rows of several orgs (each its subtree's figures), of one campaign or all, in
/// one query per 400 orgs.
pub async fn counters_of(
    mut c: Conn<'_>,
    org_ids: &[i64],
    campaign_id: Option<i64>,
) -> StoreResult<Vec<(i64, Counter)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        org_id: i64,
        #[sqlx(flatten)]
        counter: Counter,
    }
    let mut out = Vec::new();
    for chunk in org_ids.chunks(400) {
        let mut s = Sql::new("SELECT org_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum FROM rollup_counters WHERE n <> 0");
        if let Some(cid) = campaign_id {
            s.add(" AND campaign_id = ").bind(cid);
        }
        s.add(" AND org_id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                s.add(", ");
            }
            s.bind(*id);
        }
        s.add(")");
        let rows: Vec<Row> = db::fetch_all(c.re(), s).await?;
        out.extend(rows.into_iter().map(|r| (r.org_id, r.counter)));
    }
    Ok(out)
}

/// The counters of `org_id` with the ids of the orgs that hold them, for moving a subtree's
/// totals between ancestors.
pub async fn counters_by_campaign(c: Conn<'_>, org_id: i64) -> StoreResult<Vec<(i64, Counter)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        campaign_id: i64,
        #[sqlx(flatten)]
        counter: Counter,
    }
    let rows: Vec<Row> = db::fetch_all(
        c,
        Sql::new("SELECT campaign_id, kind, phase, status, light, timeliness, due_so_far, n, days_to_close_sum FROM rollup_counters WHERE n <> 0 AND org_id = ").arg(org_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.campaign_id, r.counter))
        .collect())
}
