//! Bulk loading, for the province generator (`luodi gen`) and for imports: many rows per
//! statement with ids chosen by the caller, so that many rows go in at the speed of the
//! database rather than of one round trip per row. Index and statistics maintenance here
//! (`drop_indexes`, `analyze`) is for the generator only.

use crate::db::{self, Backend, Conn};
use crate::error::StoreResult;
use crate::sql::{Arg, Sql};

/// Bound values per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_ARGS: usize = 30_000;

/// Statements that insert rows, made ready by [`prepare`] (which may run on another thread
/// while the database is busy with the previous ones) and run by [`run`].
pub struct Prepared(Vec<Sql>);

/// Inserts `rows` (each with one value per column, in order) into `table`, many rows per
/// statement. `table` and `columns` are the caller's constants.
pub async fn insert(
    c: Conn<'_>,
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Arg>>,
) -> StoreResult<u64> {
    let backend = c.backend();
    run(c, prepare(backend, table, columns, rows)).await
}

/// The statements that insert `rows` into `table` on `backend`: every full statement has the
/// same text, so the driver prepares it once.
///
/// SQLite gets anonymous `?` placeholders: it looks numbered ones (`$7`) up by name in a list,
/// which makes a statement with thousands of them quadratic. PostgreSQL gets `$n`.
pub fn prepare(
    backend: Backend,
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Arg>>,
) -> Prepared {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let anonymous = backend == Backend::Sqlite;
    let per = (MAX_ARGS / columns.len().max(1)).clamp(1, 500);
    let mut rows = rows.into_iter().peekable();
    let mut out = Vec::new();
    while rows.peek().is_some() {
        let mut s = Sql::default();
        s.text.push_str(&head);
        for (i, row) in rows.by_ref().take(per).enumerate() {
            debug_assert_eq!(row.len(), columns.len(), "{table}: row width");
            s.add(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    s.add(", ");
                }
                if anonymous {
                    s.args.push(v);
                    s.text.push('?');
                } else {
                    s.bind(v);
                }
            }
            s.add(")");
        }
        out.push(s);
    }
    Prepared(out)
}

/// Runs prepared statements; returns the rows inserted.
pub async fn run(mut c: Conn<'_>, p: Prepared) -> StoreResult<u64> {
    let mut n = 0;
    for s in p.0 {
        n += db::execute(c.re(), s).await?;
    }
    Ok(n)
}

/// Reserves `n` new ids of `table` (a caller's constant, with an `id` identity column) for
/// rows the caller will insert with explicit ids. PostgreSQL draws them from the sequence, so
/// concurrent writers never collide; on SQLite the caller holds the one writer, and ids go on
/// from the highest ever given (AUTOINCREMENT's own rule).
pub async fn reserve_ids(c: Conn<'_>, table: &'static str, n: usize) -> StoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match c.backend() {
        Backend::Postgres => {
            let mut s = text(format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, "
            ));
            s.bind(n as i64);
            s.add(")");
            let ids: Vec<(i64,)> = db::fetch_all(c, s).await?;
            Ok(ids.into_iter().map(|(id,)| id).collect())
        }
        Backend::Sqlite => {
            let s = text(format!(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0))"
            ));
            let last = db::scalar_i64(c, s).await?;
            Ok((last + 1..=last + n as i64).collect())
        }
    }
}

/// After rows were inserted with explicit ids: moves PostgreSQL's identity sequences past the
/// largest id, so that the application's own inserts do not collide. (SQLite's AUTOINCREMENT
/// follows explicit ids by itself.)
pub async fn reset_ids(mut c: Conn<'_>, tables: &[&'static str]) -> StoreResult<()> {
    if c.backend() != Backend::Postgres {
        return Ok(());
    }
    for table in tables {
        let s = text(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ));
        db::execute(c.re(), s).await?;
    }
    Ok(())
}

/// A statement of the loader's own making (names from the caller's constants or from the
/// database's catalogue), with nothing bound.
fn text(sql: String) -> Sql {
    Sql {
        text: sql,
        args: Vec::new(),
    }
}

/// Refreshes the planner's statistics after a bulk load. PostgreSQL is also vacuumed: right
/// after a load its visibility map is empty, so it would read the table behind every index
/// entry (the province dashboard took a sequential scan instead). VACUUM runs outside any
/// transaction, as a simple-protocol statement.
pub async fn analyze(database: &db::Db) -> StoreResult<()> {
    match database {
        db::Db::Sqlite { .. } => {
            let mut tx = database.begin().await?;
            db::execute(tx.conn(), Sql::new("ANALYZE")).await?;
            tx.commit().await?;
        }
        db::Db::Postgres(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe("VACUUM (ANALYZE)"))
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

/// Drops the secondary indexes of `tables` (not primary keys or unique constraints) and
/// returns the statements that recreate them: a load into unindexed tables followed by one
/// sorted build per index is many times faster than keeping the indexes current row by row.
/// The definitions are read from the database itself, so they are the migrations' own.
pub async fn drop_indexes(mut c: Conn<'_>, tables: &[&'static str]) -> StoreResult<Vec<String>> {
    let mut recreate = Vec::new();
    for table in tables {
        let rows: Vec<(String, String)> = match c.backend() {
            Backend::Sqlite => {
                db::fetch_all(
                    c.re(),
                    Sql::new("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = ")
                        .arg(*table),
                )
                .await?
            }
            Backend::Postgres => {
                db::fetch_all(
                    c.re(),
                    Sql::new(
                        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = ",
                    )
                    .arg(*table)
                    .push(" AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"),
                )
                .await?
            }
        };
        for (name, sql) in rows {
            db::execute(c.re(), text(format!("DROP INDEX {name}"))).await?;
            recreate.push(sql);
        }
    }
    Ok(recreate)
}

/// SQLite: stops keeping the full-text index current row by row (drops the insert trigger of
/// `search_docs`) and returns the statements that restore the trigger and build the index from
/// every stored document at once. Nothing to do on PostgreSQL, whose search index is one of
/// [`drop_indexes`]'.
pub async fn defer_search_index(mut c: Conn<'_>) -> StoreResult<Vec<String>> {
    if c.backend() != Backend::Sqlite {
        return Ok(Vec::new());
    }
    let trigger: Option<(String,)> = db::fetch_optional(
        c.re(),
        Sql::new(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_docs_ai'",
        ),
    )
    .await?;
    let Some((create,)) = trigger else {
        return Ok(Vec::new());
    };
    db::execute(c.re(), Sql::new("DROP TRIGGER search_docs_ai")).await?;
    // FTS5 writes a segment each time its pending terms pass `hashsize` (1 MiB by default)
    // and merges them later; 256 MiB for the build halves its time at province scale (35 s →
    // 19 s). The setting is stored in the index, so it is put back for everyday writes.
    Ok(vec![
        create,
        "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 268435456)".to_owned(),
        "INSERT INTO search_fts (search_fts) VALUES ('rebuild')".to_owned(),
        "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576)".to_owned(),
    ])
}

/// Runs the statements [`drop_indexes`] returned.
pub async fn create_indexes(mut c: Conn<'_>, statements: &[String]) -> StoreResult<()> {
    for sql in statements {
        db::execute(c.re(), text(sql.clone())).await?;
    }
    Ok(())
}

/// A large page cache for the rest of this connection's life (SQLite; a bulk load into
/// big indexes otherwise spends its time re-reading pages). PostgreSQL sizes its own.
pub async fn large_cache(c: Conn<'_>) -> StoreResult<()> {
    if c.backend() == Backend::Sqlite {
        // In KiB: one GiB, taken only as pages are touched.
        db::execute(c, Sql::new("PRAGMA cache_size = -1048576")).await?;
    }
    Ok(())
}
