//! The database handle. SQLite gets a pool of readers and a single writer connection (writes are
//! serialised and start with `BEGIN IMMEDIATE`, so a read-then-write transaction never fails on a
//! lock upgrade; transactions that queue for it share one COMMIT, see [`crate::writer`]);
//! PostgreSQL gets one pool. Everything backend-specific is in this file.

use crate::error::{StoreError, StoreResult};
use crate::sql::{Arg, Sql};
use crate::writer::{WriteTx, Writer};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{
    AssertSqlSafe, FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool,
    Transaction,
};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: std::sync::Arc<Writer>,
    },
    Postgres(PgPool),
}

/// A borrowed connection of either backend, for repository functions.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    /// A shorter borrow, to run several statements through one connection.
    pub fn re(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A pooled connection for reads.
pub enum Pooled {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(WriteTx),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t.conn()),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Connection settings that are not part of the URL.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub busy_timeout: Duration,
    /// PostgreSQL `search_path`, used by tests to isolate each in its own schema.
    pub pg_schema: Option<String>,
    /// How long to wait for a connection (including the first) before giving up.
    pub acquire_timeout: Duration,
    /// SQLite only: a fresh file filled by one process (`luodi gen`), written once, without the
    /// WAL (the journal in memory) and without waiting for the disk. A crash leaves a file to
    /// delete and generate again. The next ordinary open turns the WAL back on.
    pub bulk_load: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            busy_timeout: Duration::from_secs(10),
            pg_schema: None,
            acquire_timeout: Duration::from_secs(30),
            bulk_load: false,
        }
    }
}

impl Db {
    /// Opens the database named by `url` (`sqlite://…` or `postgres://…`), creating a SQLite
    /// file if it is missing.
    pub async fn connect(url: &str, opts: &DbOptions) -> StoreResult<Db> {
        if url.starts_with("sqlite:") {
            let (journal, sync) = if opts.bulk_load {
                (SqliteJournalMode::Memory, SqliteSynchronous::Off)
            } else {
                (SqliteJournalMode::Wal, SqliteSynchronous::Full)
            };
            let base = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(journal)
                .synchronous(sync)
                .foreign_keys(true)
                .busy_timeout(opts.busy_timeout);
            // The writer is opened first so that it creates the file and switches it to WAL.
            // The writer keeps the pages of the indexes it inserts into: with SQLite's default
            // 2 MiB a large import spilled dirty pages mid-transaction and re-read the rest.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .connect_with(base.clone().pragma("cache_size", "-262144"))
                .await?;
            // Readers map the file and keep a larger page cache: at province scale a page
            // read through `pread` per B-tree step made system calls and copies most of a
            // ledger request's cost under load. Both are virtual until pages are touched.
            // A SQLite connection cannot go stale, so it is not pinged before each use (the
            // ping is one more trip through the connection's thread, ~a statement's cost).
            let read = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .test_before_acquire(false)
                .connect_with(
                    base.read_only(true)
                        .pragma("mmap_size", "2147418112")
                        .pragma("cache_size", "-65536"),
                )
                .await?;
            Ok(Db::Sqlite {
                read,
                write: Writer::new(write),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // Plans are made for each statement's own values: a ledger page's best plan
            // depends on how much of the province its scope's path range holds, and the
            // generic plan PostgreSQL switches to after five runs of a prepared statement sorted
            // a province's red items for a unit's page too (100 ms instead of 1.5 ms).
            let mut o = PgConnectOptions::from_str(url)?
                .options([("plan_cache_mode", "force_custom_plan")]);
            if let Some(schema) = &opts.pg_schema {
                o = o.options([("search_path", schema.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .connect_with(o)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::BadUrl(redact_url(url)))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Writes a consistent copy of a SQLite database to `path` (`VACUUM INTO`, from one read
    /// snapshot), while others go on reading and writing. Not for PostgreSQL (use `pg_dump`).
    pub async fn vacuum_into(&self, path: &std::path::Path) -> StoreResult<()> {
        let Db::Sqlite { read, .. } = self else {
            return Err(StoreError::Unsupported("VACUUM INTO is SQLite's"));
        };
        let mut c = read.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&mut *c)
            .await?;
        Ok(())
    }

    /// The newest migration applied.
    pub async fn schema_version(&self) -> StoreResult<i64> {
        let mut c = self.read().await?;
        scalar_i64(
            c.conn(),
            Sql::new("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations"),
        )
        .await
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite { write, .. } => SQLITE_MIGRATOR.run(write.pool()).await?,
            Db::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        Ok(())
    }

    /// A connection for reading.
    pub async fn read(&self) -> StoreResult<Pooled> {
        Ok(match self {
            Db::Sqlite { read, .. } => Pooled::Sqlite(read.acquire().await?),
            Db::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        match self.read().await {
            Ok(mut c) => scalar_i64(c.conn(), Sql::new("SELECT CAST(1 AS BIGINT)"))
                .await
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Table name → sorted column names, for the test that both schemas match.
    pub async fn schema(&self) -> StoreResult<std::collections::BTreeMap<String, Vec<String>>> {
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite { read, .. } => {
                sqlx::query_as(
                    // Ordinary tables only: the full-text index (a virtual table and its
                    // shadow tables) is SQLite's own way to do what PostgreSQL does with an index.
                    "SELECT t.name, p.name FROM pragma_table_list t, pragma_table_info(t.name) p \
                     WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(read)
                .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?
            }
        };
        let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (t, c) in rows {
            out.entry(t).or_default().push(c);
        }
        for cols in out.values_mut() {
            cols.sort();
        }
        Ok(out)
    }

    /// Closes every pool.
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.pool().close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// The URL with any password replaced, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Binds every argument of `$sql` to the query `$q`, for the backend the arm is compiled for.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::F64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Time(v) => q.bind(v),
                Arg::Date(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Rows that decode on both backends.
pub trait Row: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}
impl<T> Row for T where T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{}

pub async fn fetch_all<T: Row>(c: Conn<'_>, sql: Sql) -> StoreResult<Vec<T>> {
    Ok(match c {
        Conn::Sqlite(c) => {
            bind_args!(
                sqlx::query_as::<Sqlite, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_all(c)
            .await?
        }
        Conn::Postgres(c) => {
            bind_args!(
                sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_all(c)
            .await?
        }
    })
}

pub async fn fetch_optional<T: Row>(c: Conn<'_>, sql: Sql) -> StoreResult<Option<T>> {
    Ok(match c {
        Conn::Sqlite(c) => {
            bind_args!(
                sqlx::query_as::<Sqlite, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_optional(c)
            .await?
        }
        Conn::Postgres(c) => {
            bind_args!(
                sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_optional(c)
            .await?
        }
    })
}

pub async fn fetch_one<T: Row>(c: Conn<'_>, sql: Sql) -> StoreResult<T> {
    Ok(match c {
        Conn::Sqlite(c) => {
            bind_args!(
                sqlx::query_as::<Sqlite, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_one(c)
            .await?
        }
        Conn::Postgres(c) => {
            bind_args!(
                sqlx::query_as::<Postgres, T>(AssertSqlSafe(sql.text)),
                sql.args
            )
            .fetch_one(c)
            .await?
        }
    })
}

/// One page of `select` (its ORDER BY given; LIMIT and OFFSET added here) and the `count` of
/// every row matching, for the paged lists of every repository.
pub async fn fetch_page<T: Row>(
    mut c: Conn<'_>,
    count: Sql,
    select: Sql,
    page: crate::Page,
) -> StoreResult<crate::Paged<T>> {
    let total = scalar_i64(c.re(), count).await?;
    fetch_page_of(c, total, select, page).await
}

/// One page of `select` when the total is already known (e.g. from the roll-up counters).
pub async fn fetch_page_of<T: Row>(
    c: Conn<'_>,
    total: i64,
    select: Sql,
    page: crate::Page,
) -> StoreResult<crate::Paged<T>> {
    let items = fetch_all(c, select.page(page)).await?;
    Ok(crate::Paged {
        items,
        total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// A single `BIGINT` (a count, an id).
pub async fn scalar_i64(c: Conn<'_>, sql: Sql) -> StoreResult<i64> {
    let (v,): (i64,) = fetch_one(c, sql).await?;
    Ok(v)
}

/// Runs a statement; returns the number of rows it touched.
pub async fn execute(c: Conn<'_>, sql: Sql) -> StoreResult<u64> {
    Ok(match c {
        Conn::Sqlite(c) => bind_args!(sqlx::query(AssertSqlSafe(sql.text)), sql.args)
            .execute(c)
            .await?
            .rows_affected(),
        Conn::Postgres(c) => bind_args!(sqlx::query(AssertSqlSafe(sql.text)), sql.args)
            .execute(c)
            .await?
            .rows_affected(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact_url("sqlite://data/luodi.db"),
            "sqlite://data/luodi.db"
        );
    }
}
