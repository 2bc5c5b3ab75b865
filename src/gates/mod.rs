//! Quality gates: checklists of automatic checks over evidence and
//! attestations signed by people, with approvals, segregation of duties,
//! freeze windows and scoring. Every evaluation and decision is an event.

pub mod eval;
pub mod freeze;
pub mod state;
