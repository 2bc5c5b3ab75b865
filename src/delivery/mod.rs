//! Progressive delivery: targets that run instances, the weighted proxy
//! in front of them, analysis, and the rollout controller of `lockgate
//! serve` that drives rolling, blue-green and canary rollouts as a state
//! machine recorded in the ledger.

pub mod analysis;
pub mod client;
pub mod controller;
pub mod load;
pub mod metrics;
pub mod prometheus;
pub mod proxy;
pub mod serve;
pub mod state;
pub mod target;
