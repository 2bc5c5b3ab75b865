//! Full verification of a ledger (or an exported bundle): every entry is
//! re-hashed, the hash chain and sequence checked, the Merkle tree rebuilt,
//! every checkpoint's signature checked against a *pinned* key, its root
//! compared with the rebuilt tree, and consecutive checkpoints proven
//! consistent. The first problem names the sequence number and what is wrong.

use serde::Serialize;

use super::event::Body;
use super::merkle::{self, Hash, MemTree};
use super::note::{Checkpoint, VerifierKey};
use super::store::{Store, StoreError};
use super::{LedgerError, Result};

/// At most this many problems are listed (the first one matters most).
const MAX_PROBLEMS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub events: u64,
    pub checkpoints: usize,
    /// The largest checkpoint size that verified (signature, root, consistency).
    pub verified_up_to: Option<u64>,
    /// Events after the latest checkpoint: hashed and chained, not yet signed.
    pub unsigned_tail: u64,
    /// Root of the whole log as rebuilt from its entries (hex).
    pub root: String,
    pub key: String,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks entries one by one; feed it every entry in stored order.
pub struct Verifier {
    tree: MemTree,
    prev: Hash,
    problems: Vec<Problem>,
    nodes_beyond_end: bool,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    pub fn new() -> Self {
        Verifier {
            tree: MemTree::new(),
            prev: [0u8; 32],
            problems: Vec::new(),
            nodes_beyond_end: false,
        }
    }

    fn problem(&mut self, seq: Option<u64>, checkpoint: Option<u64>, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                seq,
                checkpoint,
                message,
            });
        }
    }

    /// `position` is the 1-based place of the entry in the log (its row);
    /// `stored_leaf` is the hash the store recorded with it, if any.
    pub fn entry(&mut self, position: u64, entry: &[u8], stored_leaf: Option<Hash>) {
        let expected = self.tree.len() + 1;
        if position != expected {
            if position > expected {
                let what = if position == expected + 1 {
                    format!("event {expected} is missing")
                } else {
                    format!("events {expected}–{} are missing", position - 1)
                };
                self.problem(Some(expected), None, format!("{what} (deleted from the log)"));
            } else {
                self.problem(
                    Some(position),
                    None,
                    format!("event {position} appears twice or out of order"),
                );
            }
        }
        let leaf = merkle::leaf_hash(entry);
        if let Some(stored) = stored_leaf
            && stored != leaf
        {
            self.problem(
                Some(position),
                None,
                format!(
                    "event {position} was changed after it was recorded: its contents no longer match its recorded hash"
                ),
            );
        }
        match serde_json::from_slice::<Body>(entry) {
            Ok(body) => {
                if body.seq != position {
                    self.problem(
                        Some(position),
                        None,
                        format!("the event stored at position {position} says it is event {} (events were reordered or renumbered)", body.seq),
                    );
                } else if body.prev != hex::encode(self.prev) {
                    self.problem(
                        Some(position),
                        None,
                        format!(
                            "hash chain broken at event {position}: its `prev` is not the hash of event {} (event {} was altered, removed or reordered)",
                            position - 1,
                            position - 1
                        ),
                    );
                }
            }
            Err(e) => self.problem(
                Some(position),
                None,
                format!("event {position} is not a valid event: {e}"),
            ),
        }
        self.tree.push(leaf);
        self.prev = leaf;
    }

    /// Compares a stored perfect-subtree node with the rebuilt tree.
    pub fn stored_node(&mut self, level: u32, index: u64, hash: Hash) {
        let first = index << level;
        if first + (1 << level) > self.tree.len() {
            if !self.nodes_beyond_end {
                self.nodes_beyond_end = true;
                let n = self.tree.len();
                self.problem(
                    Some(n + 1),
                    None,
                    format!("the store holds tree hashes for events after the last one ({n}): events from {} on were removed", n + 1),
                );
            }
            return;
        }
        let want = merkle::range_hash(&self.tree, first, first + (1 << level)).unwrap_or_else(|never| match never {});
        if want != hash {
            self.problem(
                Some(first + 1),
                None,
                format!(
                    "the stored tree hash over events {}–{} does not match them (proofs served from this store would be wrong)",
                    first + 1,
                    first + (1 << level)
                ),
            );
        }
    }

    /// Checks the checkpoints (any order) and finishes the report.
    pub fn finish(mut self, notes: &[String], key: &VerifierKey) -> Report {
        let n = self.tree.len();
        let mut cps: Vec<Checkpoint> = Vec::new();
        for text in notes {
            match Checkpoint::parse(text) {
                Ok(cp) => cps.push(cp),
                Err(e) => self.problem(None, None, format!("a stored checkpoint is unreadable: {e}")),
            }
        }
        cps.sort_by_key(|c| c.size);
        let mut verified_up_to = None;
        let mut last_good: Option<(u64, Hash)> = None;
        for cp in &cps {
            let size = cp.size;
            let mut good = true;
            if cp.origin != key.name() {
                self.problem(
                    None,
                    Some(size),
                    format!(
                        "checkpoint at size {size} is for log `{}`, not `{}`",
                        cp.origin,
                        key.name()
                    ),
                );
                good = false;
            }
            if let Err(e) = cp.verify(key) {
                self.problem(
                    None,
                    Some(size),
                    format!("checkpoint at size {size}: {e} (pinned key {})", key.encode()),
                );
                good = false;
            }
            if size > n {
                self.problem(
                    Some(n + 1),
                    Some(size),
                    format!(
                        "the log was truncated: a checkpoint signed {size} events but the log has {n}; {} gone",
                        if size == n + 1 {
                            format!("event {size} is")
                        } else {
                            format!("events {}–{size} are", n + 1)
                        }
                    ),
                );
                continue;
            }
            if self.tree.root_at(size) != cp.root {
                self.problem(
                    None,
                    Some(size),
                    format!("checkpoint at size {size}: the first {size} events do not hash to the signed root (an event at or before {size} was altered)"),
                );
                good = false;
            }
            if let Some((prev_size, prev_root)) = last_good {
                let proof: Vec<Vec<u8>> = merkle::consistency_proof(&self.tree, prev_size, size)
                    .unwrap_or_else(|never| match never {})
                    .iter()
                    .map(|h| h.to_vec())
                    .collect();
                if merkle::verify_consistency(prev_size, size, &prev_root, &cp.root, &proof).is_err() {
                    self.problem(
                        None,
                        Some(size),
                        format!("checkpoints at sizes {prev_size} and {size} are not consistent: history between them was rewritten"),
                    );
                    good = false;
                }
            }
            if good {
                verified_up_to = Some(size);
                last_good = Some((size, cp.root));
            }
        }
        let latest = cps.last().map_or(0, |c| c.size.min(n));
        Report {
            events: n,
            checkpoints: cps.len(),
            verified_up_to,
            unsigned_tail: n - latest,
            root: hex::encode(self.tree.root()),
            key: key.encode(),
            problems: {
                let mut p = self.problems;
                if cps.is_empty() && n > 0 {
                    p.push(Problem {
                        seq: None,
                        checkpoint: None,
                        message: "the log has no signed checkpoint".into(),
                    });
                }
                p
            },
        }
    }
}

/// Verifies everything in `store` against the pinned `key`.
pub fn verify_store(store: &dyn Store, key: &VerifierKey) -> Result<Report> {
    let mut v = Verifier::new();
    store.scan(1, &mut |e| {
        // A row's seq is its position in the log; a deleted row shows as a jump.
        v.entry(e.seq, &e.entry, Some(e.leaf));
        Ok(true)
    })?;
    store.all_nodes(&mut |level, index, hash| {
        v.stored_node(level, index, hash);
        Ok(())
    })?;
    let notes: Vec<String> = store.checkpoints()?.into_iter().map(|c| c.note).collect();
    Ok(v.finish(&notes, key))
}

impl From<std::convert::Infallible> for LedgerError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem {
            seq: None,
            checkpoint: None,
            message: e.to_string(),
        }
    }
}
