//! SQLite's one writer, with group commit.
//!
//! Every write transaction on SQLite goes through one connection, and with `synchronous=FULL`
//! each COMMIT waits for an `fsync` of the WAL. When writers queue up, that wait is shared:
//! the first transaction of a batch runs in the outer `BEGIN IMMEDIATE`, each later one inside
//! its own savepoint, and one COMMIT makes the whole batch durable. A transaction's `commit`
//! returns only after that COMMIT, so what a caller was told is stored is on disk.
//!
//! A member that fails or is dropped rolls back to its savepoint and leaves the others alone
//! (the first member, having no savepoint, takes the batch with it; nothing else is in it yet).
//! If SQLite itself aborts the transaction, every member not yet told is told it failed.
//! The steps after a member's work (release, commit) run in a spawned task, so a request
//! dropped half-way through cannot leave the batch half-closed; a watchdog commits a batch
//! whose last member handed over to a waiter that then went away.

use crate::error::{StoreError, StoreResult};
use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

/// At most this many transactions share one COMMIT, which bounds the first one's wait.
const MAX_MEMBERS: usize = 32;
/// A batch handed to a waiter is committed after this long even if the waiter never comes.
const WATCHDOG: Duration = Duration::from_millis(10);

/// The writer: the one-connection pool and the open batch.
pub struct Writer {
    pool: SqlitePool,
    batch: Arc<Mutex<Batch>>,
    /// Callers queued for the batch; a member that commits while one waits leaves the batch
    /// open for it.
    waiting: AtomicUsize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

type Outcome = Result<(), String>;

#[derive(Default)]
struct Batch {
    /// Held while a batch (an outer transaction) is open.
    conn: Option<PoolConnection<Sqlite>>,
    /// Members whose work is in the batch, waiting to hear how the COMMIT went.
    members: Vec<oneshot::Sender<Outcome>>,
    /// Counts closed batches, so a watchdog knows whether its batch is still the open one.
    epoch: u64,
    /// What the next holder must undo before going on.
    undo: Option<Undo>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Undo {
    /// A member inside a savepoint went away: roll back to it.
    Savepoint,
    /// The batch's first member went away, or the connection's state is unknown: roll back
    /// the batch and tell its members.
    Batch,
}

/// Counts a caller as waiting for as long as it is queued, also if it is dropped while queued.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Waiting(n)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Writer {
    pub fn new(pool: SqlitePool) -> Arc<Writer> {
        Arc::new(Writer {
            pool,
            batch: Arc::new(Mutex::new(Batch::default())),
            waiting: AtomicUsize::new(0),
        })
    }

    /// The writer's pool, for migrations and closing.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Joins the open batch, or opens one.
    pub async fn begin(self: &Arc<Self>) -> StoreResult<WriteTx> {
        let queued = Waiting::new(&self.waiting);
        let mut g = self.batch.clone().lock_owned().await;
        drop(queued);
        settle(&mut g).await;
        let savepoint = if g.conn.is_some() {
            // Until SAVEPOINT is known to have run, the connection's state is unknown.
            g.undo = Some(Undo::Batch);
            let saved = exec(&mut g, "SAVEPOINT member").await;
            g.undo = None;
            if let Err(e) = saved {
                abort(&mut g, &format!("SAVEPOINT failed: {e}"));
                return Err(e);
            }
            true
        } else {
            let conn = self.pool.acquire().await?;
            g.conn = Some(conn);
            g.undo = Some(Undo::Batch);
            let began = exec(&mut g, "BEGIN IMMEDIATE").await;
            g.undo = None;
            if let Err(e) = began {
                g.conn = None;
                return Err(e);
            }
            false
        };
        Ok(WriteTx {
            guard: Some(g),
            writer: self.clone(),
            savepoint,
        })
    }
}

/// One member's part of a batch. Dropped without `commit`, its work is undone.
pub struct WriteTx {
    guard: Option<OwnedMutexGuard<Batch>>,
    writer: Arc<Writer>,
    savepoint: bool,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        // The guard is taken only by `commit` and `drop`, which consume the transaction.
        let batch = self
            .guard
            .as_mut()
            .expect("an uncommitted WriteTx holds the batch");
        batch.conn.as_mut().expect("a member's batch is open")
    }

    /// Makes this member's work part of the batch and waits until the batch is durable.
    pub async fn commit(mut self) -> StoreResult<()> {
        let Some(g) = self.guard.take() else {
            return Err(StoreError::Commit(
                "the transaction was already closed".into(),
            ));
        };
        let (tell, told) = oneshot::channel();
        let writer = self.writer.clone();
        let savepoint = self.savepoint;
        tokio::spawn(finish(writer, g, savepoint, tell));
        match told.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(StoreError::Commit(why)),
            Err(_) => Err(StoreError::Commit("the writer stopped".into())),
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(mut g) = self.guard.take() else {
            return;
        };
        g.undo = Some(if self.savepoint {
            Undo::Savepoint
        } else {
            Undo::Batch
        });
        let epoch = g.epoch;
        drop(g);
        // The members before this one may be waiting for it to commit the batch.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(close_if_idle(self.writer.clone(), epoch, Duration::ZERO));
        }
    }
}

/// The rest of a member's commit: release its savepoint, then commit the batch, or leave it
/// open for the next waiter.
async fn finish(
    writer: Arc<Writer>,
    mut g: OwnedMutexGuard<Batch>,
    savepoint: bool,
    tell: oneshot::Sender<Outcome>,
) {
    if savepoint {
        if let Err(e) = exec(&mut g, "RELEASE member").await {
            abort(&mut g, &format!("RELEASE failed: {e}"));
            let _ = tell.send(Err(e.to_string()));
            return;
        }
    }
    g.members.push(tell);
    if writer.waiting.load(Ordering::SeqCst) == 0 || g.members.len() >= MAX_MEMBERS {
        commit_batch(&mut g).await;
    } else {
        let epoch = g.epoch;
        drop(g);
        close_if_idle(writer, epoch, WATCHDOG).await;
    }
}

/// After `delay`, commits batch `epoch` if it is still open and nobody is queued to join it.
async fn close_if_idle(writer: Arc<Writer>, epoch: u64, delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut g = writer.batch.clone().lock_owned().await;
    if g.epoch != epoch {
        return;
    }
    settle(&mut g).await;
    if g.epoch == epoch && (delay > Duration::ZERO || writer.waiting.load(Ordering::SeqCst) == 0) {
        commit_batch(&mut g).await;
    }
}

/// Undoes what a member that went away left behind.
async fn settle(g: &mut Batch) {
    match g.undo.take() {
        None => {}
        Some(Undo::Savepoint) => {
            if let Err(e) = exec(g, "ROLLBACK TO member").await {
                abort(g, &format!("ROLLBACK TO failed: {e}"));
            } else if let Err(e) = exec(g, "RELEASE member").await {
                abort(g, &format!("RELEASE failed: {e}"));
            }
        }
        Some(Undo::Batch) => abort(g, "an earlier write in the same batch failed"),
    }
}

/// Commits the open batch and tells its members.
async fn commit_batch(g: &mut Batch) {
    if g.conn.is_none() {
        return;
    }
    match exec(g, "COMMIT").await {
        Ok(()) => {
            g.conn = None;
            g.epoch += 1;
            for m in g.members.drain(..) {
                let _ = m.send(Ok(()));
            }
        }
        Err(e) => abort(g, &format!("COMMIT failed: {e}")),
    }
}

/// Rolls the batch back (the connection goes back to the pool; SQLite rolls back what it
/// holds when it is next used or closed) and tells every member it failed.
fn abort(g: &mut Batch, why: &str) {
    if let Some(mut conn) = g.conn.take() {
        // Best effort: ROLLBACK after SQLite already rolled back is an error that changes nothing.
        tokio::spawn(async move {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        });
    }
    g.epoch += 1;
    for m in g.members.drain(..) {
        let _ = m.send(Err(why.to_owned()));
    }
}

async fn exec(g: &mut Batch, sql: &'static str) -> Result<(), StoreError> {
    let conn = g
        .conn
        .as_mut()
        .ok_or_else(|| StoreError::Commit("no open batch".into()))?;
    sqlx::raw_sql(sql).execute(&mut **conn).await?;
    Ok(())
}
