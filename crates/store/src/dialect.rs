//! The few query fragments that differ between SQLite and PostgreSQL outside connection setup
//! (`db`), full-text matching (`search`) and bulk loading (`bulk`): planner hints, row locks,
//! the roll-up counters' shards and the audit sealer's snapshot horizon. Every other query is
//! written once for both.

use crate::Backend;

/// The FROM-clause hint and the scope column for the ledger's deadline walk. SQLite's planner
/// does not weigh the LIMIT against the sort, so it is told: INDEXED BY, and a unary `+` that
/// keeps the scope's range from being used to seek. PostgreSQL's planner weighs the LIMIT
/// itself.
pub(crate) fn deadline_walk(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        Backend::Sqlite => ("INDEXED BY items_campaign_light ", "+i.lead_org_path"),
        Backend::Postgres => ("", "i.lead_org_path"),
    }
}

/// Whether roll-up counters are written to shards that are folded later. PostgreSQL's
/// concurrent writers would otherwise queue on the same counter rows; SQLite has one writer.
pub(crate) fn shards_counters(backend: Backend) -> bool {
    backend == Backend::Postgres
}

/// The shard a writer's counter deltas go to: spread over 1..=`shards` where counters are
/// sharded, 0 (the folded shard) where they are not.
pub(crate) fn counter_shard(backend: Backend, spread: i64, shards: i64) -> i64 {
    if shards_counters(backend) {
        1 + spread.rem_euclid(shards)
    } else {
        0
    }
}

/// What locks a row read for the rest of the transaction: `FOR UPDATE` on PostgreSQL; nothing
/// on SQLite, whose one writer already keeps writers apart.
pub(crate) fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// A condition that holds for audit records whose transaction is older than every running one
/// (PostgreSQL), so that no record can commit before them any more. SQLite commits one
/// transaction at a time: every committed record qualifies.
pub(crate) fn committed_before_running(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(" AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_sharded_only_where_writers_run_at_once() {
        assert_eq!(counter_shard(Backend::Sqlite, 5, 8), 0);
        for spread in [-9, -1, 0, 7, 8, 1_000_003] {
            let s = counter_shard(Backend::Postgres, spread, 8);
            assert!((1..=8).contains(&s), "{spread} → {s}");
        }
    }

    /// Only the modules that say so name a backend: everything else is one query for both.
    #[test]
    fn only_the_dialect_modules_name_a_backend() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let allowed = ["db.rs", "dialect.rs", "search.rs", "bulk.rs", "lib.rs"];
        let mut named = Vec::new();
        let mut dirs = vec![src.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let rel = path.strip_prefix(&src).expect("under src");
                if allowed.iter().any(|a| rel == std::path::Path::new(a)) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                if text.contains("Backend::") {
                    named.push(rel.display().to_string());
                }
            }
        }
        named.sort();
        assert!(
            named.is_empty(),
            "backend-specific code outside the dialect modules: {named:?}"
        );
    }
}
