//! The gate decisions recorded in the ledger, folded into state:
//! approvals, rejections, attestations, promotions.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::ledger::Event;
use crate::ledger::projection::Projection;

/// Event kinds written by gates.
pub const APPROVED: &str = "gate.approved";
pub const REJECTED: &str = "gate.rejected";
pub const ATTESTED: &str = "gate.attested";
pub const REFUSED: &str = "gate.refused";
pub const EVALUATED: &str = "gate.evaluated";
pub const PROMOTED: &str = "env.promoted";

#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub seq: u64,
    pub time: jiff::Timestamp,
    pub actor: String,
    pub commit: Option<String>,
    pub artifact: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub comment: Option<String>,
    pub break_glass: bool,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Attestation {
    pub seq: u64,
    pub time: jiff::Timestamp,
    pub actor: String,
    pub role: Option<String>,
    pub link: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Promotion {
    pub seq: u64,
    pub time: jiff::Timestamp,
    pub actor: String,
    pub commit: Option<String>,
    pub artifact: Option<String>,
    pub run: Option<u64>,
    pub break_glass: bool,
}

#[derive(Default, Debug, Serialize)]
pub struct GateState {
    pub approvals: BTreeMap<String, Vec<Decision>>,
    pub rejections: BTreeMap<String, Vec<Decision>>,
    /// (gate, item) → attestations, newest last.
    pub attestations: BTreeMap<(String, String), Vec<Attestation>>,
    pub promotions: BTreeMap<String, Vec<Promotion>>,
    /// Values each evidence reference had in recorded evaluations of items
    /// that passed, oldest first: the history `baseline(…)` compares with.
    #[serde(skip)]
    pub history: BTreeMap<String, Vec<crate::spec::criteria::Value>>,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

impl Projection for GateState {
    fn apply(&mut self, e: &Event) {
        let p = &e.body.payload;
        let decision = || Decision {
            seq: e.seq(),
            time: e.body.time,
            actor: e.body.actor.to_string(),
            commit: s(p, "commit"),
            artifact: s(p, "artifact"),
            role: s(p, "role"),
            team: s(p, "team"),
            comment: s(p, "comment"),
            break_glass: p.get("break_glass").and_then(Value::as_bool).unwrap_or(false),
            reason: s(p, "reason"),
        };
        match e.body.kind.as_str() {
            APPROVED => {
                if let Some(g) = s(p, "gate") {
                    self.approvals.entry(g).or_default().push(decision());
                }
            }
            REJECTED => {
                if let Some(g) = s(p, "gate") {
                    self.rejections.entry(g).or_default().push(decision());
                }
            }
            ATTESTED => {
                if let (Some(g), Some(i)) = (s(p, "gate"), s(p, "item")) {
                    self.attestations.entry((g, i)).or_default().push(Attestation {
                        seq: e.seq(),
                        time: e.body.time,
                        actor: e.body.actor.to_string(),
                        role: s(p, "role"),
                        link: s(p, "link"),
                        comment: s(p, "comment"),
                    });
                }
            }
            EVALUATED => {
                // Only items that passed feed the baseline.
                let passed = |i: &&Value| matches!(i.get("result").and_then(Value::as_str), Some("pass" | "warning"));
                for item in p
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(passed)
                {
                    for obs in item.get("observed").and_then(Value::as_array).into_iter().flatten() {
                        let Some((r, v)) = obs.as_str().and_then(|o| o.split_once(" = ")) else {
                            continue;
                        };
                        if r.starts_with("baseline of ") {
                            continue;
                        }
                        if let Some(v) = crate::spec::criteria::Value::parse_display(v) {
                            let h = self.history.entry(r.to_string()).or_default();
                            h.push(v);
                            if h.len() > 50 {
                                h.remove(0);
                            }
                        }
                    }
                }
            }
            PROMOTED => {
                if let Some(env) = s(p, "environment") {
                    self.promotions.entry(env).or_default().push(Promotion {
                        seq: e.seq(),
                        time: e.body.time,
                        actor: e.body.actor.to_string(),
                        commit: s(p, "commit"),
                        artifact: s(p, "artifact"),
                        run: p.get("run").and_then(Value::as_u64),
                        break_glass: p.get("break_glass").and_then(Value::as_bool).unwrap_or(false),
                    });
                }
            }
            _ => {}
        }
    }
}
