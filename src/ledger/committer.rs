//! Group commit: many threads append, one thread writes. Requests that
//! arrive while a transaction is being committed are committed together in
//! the next one, so one fsync acknowledges many events.

use std::sync::mpsc;
use std::thread::JoinHandle;

use super::{Ledger, LedgerError, NewEvent, Result};

struct Request {
    events: Vec<NewEvent>,
    reply: mpsc::SyncSender<Result<Vec<u64>, String>>,
}

/// The writer thread; dropping every [`Appender`] and calling
/// [`Committer::shutdown`] seals the tail and returns the ledger.
pub struct Committer {
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<Result<Ledger>>>,
}

/// A cheap, clonable handle for appending through the committer.
#[derive(Clone)]
pub struct Appender {
    tx: mpsc::Sender<Request>,
}

impl Committer {
    /// Starts the writer; a transaction takes at most `max_batch` events.
    pub fn start(mut ledger: Ledger, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                let mut count = batch[0].events.len();
                while count < max_batch {
                    match rx.try_recv() {
                        Ok(r) => {
                            count += r.events.len();
                            batch.push(r);
                        }
                        Err(_) => break,
                    }
                }
                let sizes: Vec<usize> = batch.iter().map(|r| r.events.len()).collect();
                let mut all = Vec::with_capacity(count);
                let mut replies = Vec::with_capacity(batch.len());
                for r in batch {
                    all.extend(r.events);
                    replies.push(r.reply);
                }
                match ledger.append_batch(all, false) {
                    Ok(events) => {
                        let mut it = events.into_iter();
                        for (reply, n) in replies.into_iter().zip(sizes) {
                            let seqs: Vec<u64> = it.by_ref().take(n).map(|e| e.seq()).collect();
                            let _ = reply.send(Ok(seqs));
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(msg.clone()));
                        }
                    }
                }
            }
            ledger.seal()?;
            Ok(ledger)
        });
        Committer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn appender(&self) -> Appender {
        Appender {
            tx: self.tx.clone().expect("committer is running"),
        }
    }

    /// Waits for pending appends, signs a final checkpoint, returns the ledger.
    pub fn shutdown(mut self) -> Result<Ledger> {
        drop(self.tx.take());
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            _ => Err(LedgerError::Invalid(
                "the ledger writer thread stopped unexpectedly".into(),
            )),
        }
    }
}

/// An append that was submitted without waiting; `wait` tells how it ended.
pub struct Pending(mpsc::Receiver<Result<Vec<u64>, String>>);

impl Pending {
    pub(crate) fn from_receiver(rx: mpsc::Receiver<Result<Vec<u64>, String>>) -> Self {
        Pending(rx)
    }

    pub fn wait(self) -> Result<Vec<u64>> {
        self.0
            .recv()
            .map_err(|_| LedgerError::Invalid("the ledger writer has stopped".into()))?
            .map_err(LedgerError::Invalid)
    }
}

impl Appender {
    /// Submits `events` without waiting for them to be durable. They are
    /// committed in order with whatever else is pending; keep the [`Pending`]
    /// and check it before reporting success.
    pub fn submit(&self, events: Vec<NewEvent>) -> Result<Pending> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.tx
            .send(Request { events, reply })
            .map_err(|_| LedgerError::Invalid("the ledger writer has stopped".into()))?;
        Ok(Pending(rx))
    }

    /// Appends `events` and waits until they are durable; returns their seqs.
    pub fn append(&self, events: Vec<NewEvent>) -> Result<Vec<u64>> {
        let (reply, rx) = mpsc::sync_channel(1);
        self.tx
            .send(Request { events, reply })
            .map_err(|_| LedgerError::Invalid("the ledger writer has stopped".into()))?;
        rx.recv()
            .map_err(|_| LedgerError::Invalid("the ledger writer has stopped".into()))?
            .map_err(LedgerError::Invalid)
    }
}
