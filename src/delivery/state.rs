//! Delivery as recorded in the ledger: which version is stable where,
//! which instances run, and the state of each rollout. The controller
//! rebuilds itself from this projection after a restart; the CLI reads
//! it when no controller is running; DORA metrics are computed from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ledger::Event;
use crate::ledger::projection::Projection;

pub const SERVE_STARTED: &str = "serve.started";
pub const SERVE_STOPPED: &str = "serve.stopped";
pub const SERVE_RECOVERED: &str = "serve.recovered";
pub const INSTANCE_STARTED: &str = "instance.started";
pub const INSTANCE_READY: &str = "instance.ready";
pub const INSTANCE_EXITED: &str = "instance.exited";
pub const INSTANCE_STOPPED: &str = "instance.stopped";
pub const ROLLOUT_STARTED: &str = "rollout.started";
pub const ROLLOUT_STEP: &str = "rollout.step";
pub const ROLLOUT_ANALYSIS: &str = "rollout.analysis";
pub const ROLLOUT_PAUSED: &str = "rollout.paused";
pub const ROLLOUT_RESUMED: &str = "rollout.resumed";
/// A restarted controller took over a rollout under way (state unchanged).
pub const ROLLOUT_RECOVERED: &str = "rollout.recovered";
pub const ROLLOUT_PROMOTED: &str = "rollout.promoted";
pub const ROLLOUT_ABORTED: &str = "rollout.aborted";
pub const ROLLOUT_COMPLETED: &str = "rollout.completed";
pub const ROLLED_BACK: &str = "rollout.rolled_back";
pub const DEPLOY_REFUSED: &str = "deploy.refused";
pub const WARM_RELEASED: &str = "rollout.warm_released";

/// The ledger subject of a service in an environment.
pub fn subject(service: &str, env: &str) -> String {
    format!("service/{service}/{env}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Progressing,
    Paused,
    Aborted,
    Completed,
}

/// An instance the ledger says is running.
#[derive(Clone, Debug, Serialize)]
pub struct InstanceRec {
    pub id: String,
    pub version: String,
    pub port: u16,
    pub pid: u32,
    pub ready: bool,
}

/// A rollout as recorded.
#[derive(Clone, Debug, Serialize)]
pub struct RolloutRec {
    pub id: u64,
    pub strategy: String,
    pub from: Option<String>,
    pub to: String,
    pub phase: Phase,
    pub step: usize,
    pub weight: f64,
    pub reason: Option<String>,
    pub actor: String,
    pub started: jiff::Timestamp,
    pub ended: Option<jiff::Timestamp>,
}

/// One service in one environment.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UnitState {
    pub stable: Option<String>,
    /// The version replaced last, kept running for an instant rollback.
    pub warm: Option<String>,
    pub instances: BTreeMap<String, InstanceRec>,
    pub rollout: Option<RolloutRec>,
    /// Finished rollouts, oldest first (bounded).
    pub history: Vec<RolloutRec>,
    /// Variables each version was deployed with (`--set`).
    pub vars: BTreeMap<String, BTreeMap<String, String>>,
}

impl UnitState {
    /// The rollout still under way (progressing or paused).
    pub fn active(&self) -> Option<&RolloutRec> {
        self.rollout
            .as_ref()
            .filter(|r| matches!(r.phase, Phase::Progressing | Phase::Paused))
    }
}

/// All services in all environments, keyed by (service, env).
#[derive(Clone, Debug, Default)]
pub struct DeliveryState {
    pub units: BTreeMap<(String, String), UnitState>,
}

const HISTORY: usize = 50;

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

impl Projection for DeliveryState {
    fn apply(&mut self, e: &Event) {
        let kind = e.body.kind.as_str();
        if !(kind.starts_with("rollout.") || kind.starts_with("instance.")) {
            return;
        }
        let p = &e.body.payload;
        let (Some(service), Some(env)) = (s(p, "service"), s(p, "env")) else {
            return;
        };
        let u = self.units.entry((service, env)).or_default();
        let id = p
            .get("instance")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match kind {
            INSTANCE_STARTED => {
                u.instances.insert(
                    id.clone(),
                    InstanceRec {
                        id,
                        version: s(p, "version").unwrap_or_default(),
                        port: p.get("port").and_then(Value::as_u64).unwrap_or(0) as u16,
                        pid: p.get("pid").and_then(Value::as_u64).unwrap_or(0) as u32,
                        ready: false,
                    },
                );
            }
            INSTANCE_READY => {
                if let Some(i) = u.instances.get_mut(&id) {
                    i.ready = true;
                }
            }
            INSTANCE_EXITED | INSTANCE_STOPPED => {
                u.instances.remove(&id);
            }
            ROLLOUT_STARTED => {
                if let (Some(to), Some(Value::Object(vars))) = (s(p, "to"), p.get("vars")) {
                    let vars = vars
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect();
                    u.vars.insert(to, vars);
                }
                if let Some(old) = u.rollout.take() {
                    push_history(u, old);
                }
                u.rollout = Some(RolloutRec {
                    id: e.seq(),
                    strategy: s(p, "strategy").unwrap_or_default(),
                    from: s(p, "from"),
                    to: s(p, "to").unwrap_or_default(),
                    phase: Phase::Progressing,
                    step: 0,
                    weight: 0.0,
                    reason: None,
                    actor: e.body.actor.to_string(),
                    started: e.body.time,
                    ended: None,
                });
            }
            ROLLOUT_STEP => {
                if let Some(r) = &mut u.rollout {
                    r.step = p.get("step").and_then(Value::as_u64).unwrap_or(0) as usize;
                    r.weight = p.get("weight").and_then(Value::as_f64).unwrap_or(r.weight);
                    r.phase = Phase::Progressing;
                    r.reason = None;
                }
            }
            ROLLOUT_PAUSED => {
                if let Some(r) = &mut u.rollout {
                    r.phase = Phase::Paused;
                    r.reason = s(p, "reason");
                }
            }
            ROLLOUT_RESUMED | ROLLOUT_PROMOTED => {
                if let Some(r) = &mut u.rollout
                    && matches!(r.phase, Phase::Paused | Phase::Progressing)
                {
                    r.phase = Phase::Progressing;
                    r.reason = None;
                    // Where the rollout goes on from (a restarted controller enters this step).
                    if let Some(n) = p.get("next_step").and_then(Value::as_u64) {
                        r.step = n as usize;
                    }
                }
            }
            ROLLOUT_ABORTED => {
                if let Some(r) = &mut u.rollout {
                    r.phase = Phase::Aborted;
                    r.weight = 0.0;
                    r.reason = s(p, "reason");
                    r.ended = Some(e.body.time);
                }
            }
            ROLLOUT_COMPLETED => {
                if let Some(r) = &mut u.rollout {
                    r.phase = Phase::Completed;
                    r.weight = 100.0;
                    r.ended = Some(e.body.time);
                }
                let version = s(p, "version");
                let previous = std::mem::replace(&mut u.stable, version);
                u.warm = if p.get("warm").and_then(Value::as_bool).unwrap_or(false) {
                    previous
                } else {
                    None
                };
            }
            ROLLED_BACK => {
                u.stable = s(p, "to");
                u.warm = None;
            }
            WARM_RELEASED => {
                u.warm = None;
            }
            _ => {}
        }
    }
}

fn push_history(u: &mut UnitState, r: RolloutRec) {
    u.history.push(r);
    if u.history.len() > HISTORY {
        u.history.remove(0);
    }
}
