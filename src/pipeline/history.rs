//! Projections of pipeline events: runs with their jobs and evidence.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::ledger::Event;
use crate::ledger::projection::Projection;

#[derive(Clone, Debug, Serialize)]
pub struct JobInfo {
    pub outcome: String,
    pub conclusion: String,
    pub cached: bool,
    pub attempts: u64,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvidenceItem {
    pub seq: u64,
    pub job: String,
    pub kind: String,
    pub valid: bool,
    /// The facts (valid) or the errors (invalid).
    pub detail: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub run: u64,
    pub started: jiff::Timestamp,
    pub trigger: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub dirty: bool,
    pub jobs: Vec<String>,
    /// `succeeded`, `failed`, `cancelled`, or `unfinished` (no run.finished: still running, or the process died).
    pub status: String,
    pub duration_ms: Option<u64>,
    pub artifact: Option<String>,
    pub results: BTreeMap<String, JobInfo>,
    pub evidence: Vec<EvidenceItem>,
}

/// Every run, by id (the sequence number of its `run.started` event).
#[derive(Default, Debug, Serialize)]
pub struct RunHistory {
    pub runs: BTreeMap<u64, RunInfo>,
}

fn run_of(e: &Event) -> Option<u64> {
    e.body.payload.get("run").and_then(Value::as_u64)
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

impl Projection for RunHistory {
    fn apply(&mut self, e: &Event) {
        let p = &e.body.payload;
        match e.body.kind.as_str() {
            "run.started" => {
                self.runs.insert(
                    e.seq(),
                    RunInfo {
                        run: e.seq(),
                        started: e.body.time,
                        trigger: e.body.actor.to_string(),
                        commit: s(p, "commit"),
                        branch: s(p, "branch"),
                        dirty: p.get("dirty").and_then(Value::as_bool).unwrap_or(false),
                        jobs: p
                            .get("jobs")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().filter_map(|j| j.as_str().map(str::to_string)).collect())
                            .unwrap_or_default(),
                        status: "unfinished".into(),
                        duration_ms: None,
                        artifact: None,
                        results: BTreeMap::new(),
                        evidence: Vec::new(),
                    },
                );
            }
            "job.finished" | "job.skipped" => {
                let Some(run) = run_of(e).and_then(|r| self.runs.get_mut(&r)) else {
                    return;
                };
                let Some(job) = s(p, "job") else { return };
                let skipped = e.body.kind == "job.skipped";
                run.results.insert(
                    job,
                    JobInfo {
                        outcome: if skipped {
                            "skipped".into()
                        } else {
                            s(p, "outcome").unwrap_or_default()
                        },
                        conclusion: if skipped {
                            "skipped".into()
                        } else {
                            s(p, "conclusion").unwrap_or_default()
                        },
                        cached: p.get("cached").and_then(Value::as_bool).unwrap_or(false),
                        attempts: p.get("attempts").and_then(Value::as_u64).unwrap_or(0),
                        duration_ms: p.get("duration_ms").and_then(Value::as_u64).unwrap_or(0),
                        reason: s(p, "reason"),
                        artifact: s(p, "artifact"),
                    },
                );
            }
            "evidence.recorded" | "evidence.invalid" => {
                let Some(run) = run_of(e).and_then(|r| self.runs.get_mut(&r)) else {
                    return;
                };
                let valid = e.body.kind == "evidence.recorded";
                run.evidence.push(EvidenceItem {
                    seq: e.seq(),
                    job: s(p, "job").unwrap_or_default(),
                    kind: s(p, "kind").unwrap_or_default(),
                    valid,
                    detail: if valid {
                        p.get("facts").cloned().unwrap_or_default()
                    } else {
                        p.get("errors").cloned().unwrap_or_default()
                    },
                });
            }
            "run.finished" => {
                let Some(run) = run_of(e).and_then(|r| self.runs.get_mut(&r)) else {
                    return;
                };
                run.status = s(p, "status").unwrap_or_else(|| "unknown".into());
                run.duration_ms = p.get("duration_ms").and_then(Value::as_u64);
                run.artifact = s(p, "artifact");
            }
            _ => {}
        }
    }
}
