//! A spreadsheet import is the heaviest thing a user can start: the whole sheet is read and
//! checked before anything is written. So who may import is checked before the file is read,
//! an account runs one import at a time, and an instance runs `imports_at_once` of them; the
//! rest wait their turn (a background job shows "queued" meanwhile). Sheets are read on the
//! gate's own threads, one per slot: the allocator keeps what a thread freed for that thread,
//! so reading every import on the same few threads reuses that memory instead of adding the
//! next import's on top.

use crate::{ServiceError, ServiceResult};
use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Work = Box<dyn FnOnce() + Send>;

/// The imports of this instance: who has one, the slots to run them in, and the threads that
/// read their sheets (started at the first import).
#[derive(Clone)]
pub struct ImportGate {
    slots: Arc<Semaphore>,
    owners: Arc<Mutex<HashSet<i64>>>,
    at_once: usize,
    readers: Arc<OnceLock<mpsc::Sender<Work>>>,
}

impl ImportGate {
    pub fn new(at_once: usize) -> Self {
        ImportGate {
            slots: Arc::new(Semaphore::new(at_once.max(1))),
            owners: Arc::default(),
            at_once: at_once.max(1),
            readers: Arc::default(),
        }
    }

    /// Runs `f` (reading a sheet) on one of the gate's threads.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let sender = self.readers.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Work>();
            let rx = Arc::new(Mutex::new(rx));
            for i in 0..self.at_once {
                let rx = rx.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("luodi-import-{i}"))
                    .spawn(move || loop {
                        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match next {
                            Ok(work) => work(),
                            // The gate is gone: so is this thread.
                            Err(_) => return,
                        }
                    });
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "could not start an import thread");
                }
            }
            tx
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let work: Work = Box::new(move || {
            let _ = tx.send(f());
        });
        sender
            .send(work)
            .map_err(|_| ServiceError::Internal("the import threads are gone".into()))?;
        rx.await
            .map_err(|_| ServiceError::Internal("an import thread failed".into()))
    }

    /// Takes the account's one import; refused while it has another running or waiting.
    /// `owner` 0 (the operator's command line) is never refused.
    pub(crate) fn reserve(&self, owner: i64) -> ServiceResult<Ticket> {
        if owner != 0 {
            let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
            if !owners.insert(owner) {
                return Err(ServiceError::Conflict("import_in_progress"));
            }
        }
        Ok(Ticket {
            owner,
            gate: self.clone(),
        })
    }
}

/// An account's import, from the permission check until it has finished (or failed).
pub struct Ticket {
    owner: i64,
    gate: ImportGate,
}

impl Ticket {
    /// Waits for a slot to run in; `on_wait` is told when the import has to wait for one.
    pub(crate) async fn slot(&self, on_wait: impl FnOnce()) -> ServiceResult<OwnedSemaphorePermit> {
        let slots = self.gate.slots.clone();
        match slots.clone().try_acquire_owned() {
            Ok(p) => Ok(p),
            Err(_) => {
                on_wait();
                slots
                    .acquire_owned()
                    .await
                    .map_err(|e| ServiceError::Internal(e.to_string()))
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.owner != 0 {
            self.gate
                .owners
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&self.owner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_import_per_account_and_the_rest_wait() {
        let gate = ImportGate::new(1);
        let a = gate.reserve(7).expect("first");
        assert!(matches!(
            gate.reserve(7),
            Err(ServiceError::Conflict("import_in_progress"))
        ));
        let b = gate.reserve(8).expect("another account");
        let slot = a.slot(|| panic!("a free slot")).await.expect("slot");
        let waited = std::sync::atomic::AtomicBool::new(false);
        let second = b.slot(|| waited.store(true, std::sync::atomic::Ordering::Relaxed));
        tokio::pin!(second);
        // Polled once while the first holds the slot: it waits.
        let first_poll = std::future::poll_fn(|cx| {
            use std::future::Future;
            std::task::Poll::Ready(second.as_mut().poll(cx).is_pending())
        })
        .await;
        assert!(first_poll, "the second waits for the slot");
        drop(slot);
        let _slot = second.await.expect("slot after the first");
        assert!(
            waited.load(std::sync::atomic::Ordering::Relaxed),
            "the second was told it waits"
        );
        drop(a);
        assert!(gate.reserve(7).is_ok(), "free again once finished");
        assert!(
            gate.reserve(0).is_ok() && gate.reserve(0).is_ok(),
            "the command line"
        );
        let name = gate
            .read(|| std::thread::current().name().map(str::to_owned))
            .await
            .expect("read");
        assert_eq!(name.as_deref(), Some("luodi-import-0"));
    }
}
