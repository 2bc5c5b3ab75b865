//! Delivery insight: projections of the spec and the ledger for people —
//! DORA metrics, monitoring artifacts, generated documents, handovers.

pub mod docs;
pub mod dora;
pub mod mermaid;
pub mod monitoring;
