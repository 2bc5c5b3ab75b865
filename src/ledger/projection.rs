//! Projections: current state folded from events.
//!
//! A projection is a value that applies events in order. [`Projected`]
//! remembers how far it got, so `catch_up` only reads new events: a server
//! keeps one in memory and calls `catch_up` before answering; a CLI command
//! builds one from scratch. Features never keep state in tables of their
//! own; they add a projection.
//!
//! ```
//! use lockgate::ledger::{Event, projection::{Projected, Projection}};
//! #[derive(Default)]
//! struct Notes(Vec<String>);
//! impl Projection for Notes {
//!     fn apply(&mut self, e: &Event) {
//!         if e.body.kind == "audit.note" {
//!             self.0.push(e.body.payload["message"].as_str().unwrap_or_default().to_string());
//!         }
//!     }
//! }
//! let notes: Projected<Notes> = Projected::default();
//! assert_eq!(notes.position(), 0);
//! ```

use std::collections::BTreeMap;

use super::{Event, Ledger, Result};

pub trait Projection {
    /// Applies one event. Events arrive once each, in sequence order.
    fn apply(&mut self, event: &Event);
}

/// A projection and the sequence number it has applied up to.
#[derive(Default, Debug, Clone)]
pub struct Projected<P> {
    pub state: P,
    position: u64,
}

impl<P: Projection> Projected<P> {
    pub fn new(state: P) -> Self {
        Projected { state, position: 0 }
    }

    /// The last sequence number applied (0 when none).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Applies every event after `position`; returns how many were applied.
    pub fn catch_up(&mut self, ledger: &Ledger) -> Result<u64> {
        let mut applied = 0;
        let start = self.position + 1;
        let state = &mut self.state;
        let position = &mut self.position;
        ledger.scan(start, &mut |e| {
            state.apply(&e);
            *position = e.seq();
            applied += 1;
            Ok(true)
        })?;
        Ok(applied)
    }
}

/// Events per kind and per actor (used by `lockgate audit log --summary`).
#[derive(Default, Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub by_kind: BTreeMap<String, u64>,
    pub by_actor: BTreeMap<String, u64>,
    pub first: Option<jiff::Timestamp>,
    pub last: Option<jiff::Timestamp>,
}

impl Projection for Summary {
    fn apply(&mut self, e: &Event) {
        *self.by_kind.entry(e.body.kind.clone()).or_default() += 1;
        *self.by_actor.entry(e.body.actor.to_string()).or_default() += 1;
        self.first.get_or_insert(e.body.time);
        self.last = Some(e.body.time);
    }
}
