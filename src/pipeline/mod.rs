//! The pipeline runner: the jobs of `lockgate.yaml` as a graph, run in
//! parallel with a content-addressed cache, secret masking and every step
//! recorded in the ledger.

pub mod cache;
pub mod executor;
pub mod files;
pub mod history;
pub mod mask;
pub mod progress;
pub mod run;
