//! Evaluating a gate: which run is under review, every item's result with
//! the values it saw, approvals with segregation of duties, freeze windows,
//! scoring, and the question the gate is waiting on with next actions.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use super::freeze;
use super::state::{Decision, GateState};
use crate::evidence::{self, Facts as EvFacts};
use crate::pipeline::history::{RunHistory, RunInfo};
use crate::spec::criteria::{self, Ref, Value};
use crate::spec::{self, Approvals, Gate, Spec};

/// The repository state under review.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Head {
    pub commit: Option<String>,
    pub dirty: bool,
    /// The commit's author (`user:<email>`), who may not approve it.
    pub author: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    Open,
    Failed,
    Waiting,
    Blocked,
}

impl GateStatus {
    pub fn exit(self) -> crate::exit::Exit {
        match self {
            GateStatus::Open => crate::exit::Exit::Ok,
            GateStatus::Failed => crate::exit::Exit::GateFailed,
            GateStatus::Waiting | GateStatus::Blocked => crate::exit::Exit::Blocked,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    Pass,
    Warning,
    Fail,
    /// Evidence missing, or an attestation not yet given.
    Waiting,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    pub id: String,
    pub title: String,
    /// `check` or `attest`.
    pub kind: &'static str,
    pub result: ItemResult,
    pub key: bool,
    pub weight: f64,
    /// The condition (checks) or the roles that may attest.
    pub expects: String,
    /// What was observed: `ref = value` (checks) or who attested.
    pub observed: Vec<String>,
    /// Ledger events the result is based on.
    pub evidence: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ApprovalReport {
    pub required: u32,
    pub roles: Vec<String>,
    pub valid: Vec<String>,
    pub rejected_by: Vec<String>,
    pub break_glass: Option<String>,
    pub expired: Vec<String>,
    /// Rules not met although enough people approved (e.g. two teams).
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    pub text: String,
    pub command: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct GateReport {
    pub gate: String,
    pub title: String,
    pub environment: Option<String>,
    pub status: GateStatus,
    pub score: Option<f64>,
    pub run: Option<u64>,
    pub commit: Option<String>,
    pub artifact: Option<String>,
    pub items: Vec<ItemReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<ApprovalReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_until: Option<Timestamp>,
    pub waiting_on_gates: Vec<String>,
    /// Why the gate is not open, in one line.
    pub reasons: Vec<String>,
    /// The question the gate is waiting on.
    pub question: String,
    pub suggestions: Vec<Suggestion>,
}

/// Everything an evaluation reads.
pub struct Context<'a> {
    pub spec: &'a Spec,
    pub history: &'a RunHistory,
    pub state: &'a GateState,
    pub head: Head,
    pub now: Timestamp,
    /// Result of `audit verify` for `audit.verified` (None: not checked).
    pub audit_verified: Option<bool>,
    /// Rollouts as recorded, for `deploy("env").status`.
    pub delivery: &'a crate::delivery::state::DeliveryState,
    /// The running controller's units (`GET /api/v1/rollouts`), for `metric(...)`.
    pub live: Option<&'a serde_json::Value>,
}

/// The run whose evidence a gate judges: the newest finished run of the
/// commit under review (from a clean tree when the commit is known).
pub fn run_under_review<'a>(history: &'a RunHistory, head: &Head) -> Option<&'a RunInfo> {
    history
        .runs
        .values()
        .rev()
        .filter(|r| r.status != "unfinished")
        .find(|r| r.commit == head.commit && (head.commit.is_none() || r.dirty == head.dirty))
}

/// The approval rules of a gate: its own `approvals:`; else, for the first
/// gate (in file order) that guards an environment, that environment's. An
/// environment's approvals are thus collected once, not at every gate.
pub fn approval_rules<'a>(spec: &'a Spec, gate: &'a Gate) -> Option<&'a Approvals> {
    if let Some(own) = &gate.approvals {
        return Some(own);
    }
    let env = gate.environment.as_ref()?;
    let first = spec
        .gates
        .iter()
        .find(|(_, g)| g.environment.as_ref().is_some_and(|e| e.value == env.value))
        .map(|(_, g)| &g.0)?;
    if !std::ptr::eq(first, gate) {
        return None;
    }
    spec.environments.get(&env.value).and_then(|e| e.approvals.as_ref())
}

/// Roles held by `actor` (`user:alice@…`) according to `people:`.
pub fn roles_of<'a>(spec: &'a Spec, actor: &str) -> (Vec<&'a str>, Option<&'a str>) {
    let id = actor.split_once(':').map_or(actor, |(_, id)| id);
    match spec.people.get(id) {
        Some(p) => (p.roles.iter().map(|r| r.as_str()).collect(), p.team.as_deref()),
        None => (Vec::new(), None),
    }
}

struct RunFacts<'a> {
    run: Option<&'a RunInfo>,
    cx: &'a Context<'a>,
}

impl RunFacts<'_> {
    fn merged(&self, kind: &str) -> (Option<EvFacts>, Vec<u64>) {
        let Some(run) = self.run else { return (None, vec![]) };
        let items: Vec<_> = run.evidence.iter().filter(|e| e.kind == kind).collect();
        if items.is_empty() || items.iter().any(|e| !e.valid) {
            return (None, items.iter().map(|e| e.seq).collect());
        }
        let facts: Vec<EvFacts> = items
            .iter()
            .filter_map(|e| serde_json::from_value(e.detail.clone()).ok())
            .collect();
        (evidence::merge(facts), items.iter().map(|e| e.seq).collect())
    }
}

impl criteria::Facts for RunFacts<'_> {
    fn value(&self, r: &Ref) -> Option<Value> {
        match r {
            Ref::Path(p) => {
                let (group, field) = p.split_once('.')?;
                match group {
                    "tests" => match self.merged("junit").0? {
                        EvFacts::Tests(t) => Some(Value::Num(match field {
                            "failed" => t.failed,
                            "passed" => t.passed,
                            "skipped" => t.skipped,
                            _ => t.total,
                        } as f64)),
                        _ => None,
                    },
                    "coverage" => match self.merged("coverage").0? {
                        EvFacts::Coverage(c) => match field {
                            "lines" => Some(Value::Pct(c.lines)),
                            _ => c.branches.map(Value::Pct),
                        },
                        _ => None,
                    },
                    "sarif" | "policy" => match self.merged("sarif").0? {
                        EvFacts::Sarif(s) => Some(Value::Num(match field {
                            "errors" => s.errors,
                            "warnings" => s.warnings,
                            "notes" => s.notes,
                            "failed" => s.results,
                            _ => s.results,
                        } as f64)),
                        _ => None,
                    },
                    "audit" => self.cx.audit_verified.map(Value::Bool),
                    "run" => self.run.map(|r| Value::Status(r.status.clone())),
                    _ => None,
                }
            }
            Ref::Findings { at_least } => match self.merged("sarif").0? {
                EvFacts::Sarif(s) => {
                    let floor = criteria::SEVERITIES.iter().position(|x| x == at_least).unwrap_or(0);
                    let n: u64 = criteria::SEVERITIES[floor..]
                        .iter()
                        .map(|sev| s.severity.get(*sev).copied().unwrap_or(0))
                        .sum();
                    Some(Value::Num(n as f64))
                }
                _ => None,
            },
            Ref::JobStatus(job) => self.run?.results.get(job).map(|j| Value::Status(j.conclusion.clone())),
            Ref::DeployStatus(env) => {
                // The newest rollout in the environment decides while it runs
                // or when it was aborted; otherwise the promotion of this
                // change's artifact into the environment is its deployment.
                let newest = self
                    .cx
                    .delivery
                    .units
                    .iter()
                    .filter(|((_, e), _)| e == env)
                    .filter_map(|(_, u)| u.rollout.as_ref())
                    .max_by_key(|r| r.id);
                match newest.map(|r| r.phase) {
                    Some(crate::delivery::state::Phase::Aborted) => return Some(Value::Status("failed".into())),
                    Some(crate::delivery::state::Phase::Progressing | crate::delivery::state::Phase::Paused) => {
                        return Some(Value::Status("running".into()));
                    }
                    _ => {}
                }
                let run = self.run?;
                self.cx
                    .state
                    .promotions
                    .get(env)?
                    .iter()
                    .rev()
                    .find(|p| p.artifact == run.artifact)?;
                Some(Value::Status("succeeded".into()))
            }
            Ref::EvidenceAge(name) => {
                // The newest successful run of a job with that name, or an
                // attestation of an item with that id.
                let job_time = self
                    .cx
                    .history
                    .runs
                    .values()
                    .rev()
                    .find(|r| {
                        r.results
                            .get(name)
                            .is_some_and(|j| j.conclusion == "success" && !j.cached)
                    })
                    .map(|r| r.started);
                let attest_time = self
                    .cx
                    .state
                    .attestations
                    .iter()
                    .filter(|((_, item), _)| item == name)
                    .filter_map(|(_, v)| v.last())
                    .map(|a| a.time)
                    .max();
                let t = job_time.into_iter().chain(attest_time).max()?;
                let secs = self.cx.now.duration_since(t).as_secs().max(0) as u64;
                Some(Value::Dur(std::time::Duration::from_secs(secs)))
            }
            Ref::Metric { name, env } => live_metric(self.cx.live?, name, env.as_deref()),
        }
    }

    fn history(&self, r: &Ref) -> Vec<Value> {
        self.cx.state.history.get(&r.to_string()).cloned().unwrap_or_default()
    }
}

/// Approvals of this gate that count: for the artifact and commit under
/// review, not expired, one per person (the newest). Expired ones are listed.
fn valid_approvals(
    cx: &Context,
    gate_name: &str,
    rules: &Approvals,
    run: Option<&RunInfo>,
) -> (Vec<Decision>, Vec<String>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut valid = Vec::new();
    let mut expired = Vec::new();
    let ttl = jiff::SignedDuration::try_from(rules.expires.as_std()).unwrap_or(jiff::SignedDuration::MAX);
    for d in cx.state.approvals.get(gate_name).into_iter().flatten().rev() {
        if d.break_glass || run.is_none_or(|r| d.artifact != r.artifact || d.commit != r.commit) {
            continue; // an override, or an approval of another artifact (superseded)
        }
        if !seen.insert(d.actor.clone()) {
            continue; // one person counts once
        }
        if d.time.checked_add(ttl).is_ok_and(|t| t <= cx.now) {
            expired.push(format!("{} (approved {})", d.actor, d.time.strftime("%Y-%m-%d")));
            continue;
        }
        valid.push(d.clone());
    }
    valid.reverse();
    (valid, expired)
}

/// Which evidence kinds a check's references read.
fn kinds_of(observed: &[(String, Option<String>)]) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    for (r, _) in observed {
        let k = if r.starts_with("tests.") {
            "junit"
        } else if r.starts_with("coverage.") {
            "coverage"
        } else if r.starts_with("sarif.") || r.starts_with("policy.") || r.starts_with("findings") {
            "sarif"
        } else {
            continue;
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds
}

/// Evaluates gate `name`.
pub fn evaluate(cx: &Context, name: &str) -> Option<GateReport> {
    let gate = &cx.spec.gates.get(name)?.0;
    let run = run_under_review(cx.history, &cx.head);
    let facts = RunFacts { run, cx };
    let mut items = Vec::new();
    let mut reasons = Vec::new();
    for item in &gate.items {
        let it = &item.value.0;
        let id = spec::item_id(it);
        let title = it.title.as_ref().map(|t| t.to_string()).unwrap_or_else(|| id.clone());
        if let Some(check) = &it.check {
            let (result, observed, evidence) = match criteria::parse(&check.value) {
                Ok(expr) => {
                    let out = criteria::eval(&expr, &facts);
                    let result = match out.pass {
                        Some(true) => ItemResult::Pass,
                        Some(false) => {
                            let warn = it
                                .warning
                                .as_ref()
                                .and_then(|w| criteria::parse(&w.value).ok())
                                .and_then(|w| criteria::eval(&w, &facts).pass);
                            if warn == Some(true) {
                                ItemResult::Warning
                            } else {
                                ItemResult::Fail
                            }
                        }
                        None => ItemResult::Waiting,
                    };
                    let observed: Vec<String> = out
                        .observed
                        .iter()
                        .map(|(r, v)| format!("{r} = {}", v.clone().unwrap_or_else(|| "no evidence".into())))
                        .collect();
                    let kinds = kinds_of(&out.observed);
                    let evidence = run
                        .map(|r| {
                            r.evidence
                                .iter()
                                .filter(|e| kinds.contains(&e.kind.as_str()))
                                .map(|e| e.seq)
                                .collect()
                        })
                        .unwrap_or_default();
                    (result, observed, evidence)
                }
                Err(e) => (ItemResult::Fail, vec![format!("invalid check: {}", e.message)], vec![]),
            };
            if result == ItemResult::Fail {
                reasons.push(format!("{title}: {} ({})", check.value, observed.join(", ")));
            }
            items.push(ItemReport {
                id,
                title,
                kind: "check",
                result,
                key: it.key,
                weight: it.weight,
                expects: check.value.to_string(),
                observed,
                evidence,
                link: None,
            });
        } else {
            let roles: Vec<String> = it.attest.iter().map(|r| r.value.to_string()).collect();
            let found = cx
                .state
                .attestations
                .get(&(name.to_string(), id.clone()))
                .and_then(|v| v.last())
                .cloned();
            let (result, observed, evidence, link) = match found {
                Some(a) => (
                    ItemResult::Pass,
                    vec![format!("attested by {} ({})", a.actor, a.time.strftime("%Y-%m-%d"))],
                    vec![a.seq],
                    a.link,
                ),
                None => (ItemResult::Waiting, vec![], vec![], None),
            };
            items.push(ItemReport {
                id,
                title,
                kind: "attest",
                result,
                key: it.key,
                weight: it.weight,
                expects: roles.join(" or "),
                observed,
                evidence,
                link,
            });
        }
    }
    // Score.
    let score = gate.scoring.as_ref().map(|_| {
        let total: f64 = items.iter().map(|i| i.weight).sum();
        let got: f64 = items
            .iter()
            .map(|i| {
                i.weight
                    * match i.result {
                        ItemResult::Pass => 1.0,
                        ItemResult::Warning => 0.5,
                        _ => 0.0,
                    }
            })
            .sum();
        if total > 0.0 {
            (got / total * 10_000.0).round() / 100.0
        } else {
            100.0
        }
    });
    let key_failed = items.iter().any(|i| i.key && i.result == ItemResult::Fail);
    let checks_failed = match (&gate.scoring, score) {
        (Some(s), Some(score)) => key_failed || score < s.warning.0,
        _ => items.iter().any(|i| i.result == ItemResult::Fail),
    };
    // Approvals.
    let approvals = approval_rules(cx.spec, gate).map(|rules| {
        let mut problems = Vec::new();
        let (valid, expired) = valid_approvals(cx, name, rules, run);
        let rejected_by: Vec<String> = cx
            .state
            .rejections
            .get(name)
            .map(|v| {
                v.iter()
                    .filter(|d| run.is_some_and(|r| d.artifact == r.artifact && d.commit == r.commit))
                    .map(|d| format!("{}: {}", d.actor, d.comment.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let break_glass = cx
            .state
            .approvals
            .get(name)
            .and_then(|v| {
                v.iter()
                    .rev()
                    .find(|d| d.break_glass && run.is_some_and(|r| d.artifact == r.artifact && d.commit == r.commit))
            })
            .map(|d| format!("{}: {}", d.actor, d.reason.clone().unwrap_or_default()));
        let mut teams: BTreeSet<String> = BTreeSet::new();
        for d in &valid {
            if let Some(t) = &d.team {
                teams.insert(t.clone());
            }
        }
        if rules.distinct_teams && valid.len() >= rules.required as usize && teams.len() < 2 {
            problems.push("approvals must come from two different teams".into());
        }
        ApprovalReport {
            required: rules.required,
            roles: rules.roles.iter().map(|r| r.value.to_string()).collect(),
            valid: valid.iter().map(|d| d.actor.clone()).collect(),
            rejected_by,
            break_glass,
            expired,
            problems,
        }
    });
    // Earlier phases.
    let waiting_on_gates: Vec<String> = gate
        .after
        .iter()
        .filter(|a| evaluate(cx, &a.value).is_none_or(|r| r.status != GateStatus::Open))
        .map(|a| a.value.clone())
        .collect();
    // Freeze windows of the environment this gate guards.
    let frozen_until = gate
        .environment
        .as_ref()
        .and_then(|e| cx.spec.environments.get(&e.value))
        .and_then(|env| {
            env.freeze
                .iter()
                .filter_map(|w| freeze::active_until(&w.value, cx.now))
                .max()
        });
    let break_glass = approvals.as_ref().and_then(|a| a.break_glass.clone());
    let attest_missing = items
        .iter()
        .any(|i| i.kind == "attest" && i.result == ItemResult::Waiting);
    let evidence_missing = items
        .iter()
        .any(|i| i.kind == "check" && i.result == ItemResult::Waiting);
    let approvals_missing = approvals
        .as_ref()
        .is_some_and(|a| a.valid.len() < a.required as usize || !a.problems.is_empty());
    let rejected = approvals.as_ref().is_some_and(|a| !a.rejected_by.is_empty());
    // Precedence: an override opens; a failed check or a rejection fails;
    // then earlier phases, the freeze window, and missing evidence,
    // attestations or approvals make it wait.
    let status = if break_glass.is_some() {
        GateStatus::Open
    } else if checks_failed || rejected {
        GateStatus::Failed
    } else if !waiting_on_gates.is_empty() {
        GateStatus::Waiting
    } else if frozen_until.is_some() {
        GateStatus::Blocked
    } else if evidence_missing || attest_missing || approvals_missing {
        GateStatus::Waiting
    } else {
        GateStatus::Open
    };
    if rejected {
        for r in approvals.as_ref().map(|a| a.rejected_by.clone()).unwrap_or_default() {
            reasons.push(format!("rejected by {r}"));
        }
    }
    let mut report = GateReport {
        gate: name.to_string(),
        title: gate
            .title
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| name.to_string()),
        environment: gate.environment.as_ref().map(|e| e.value.clone()),
        status,
        score,
        run: run.map(|r| r.run),
        commit: cx.head.commit.clone(),
        artifact: run.and_then(|r| r.artifact.clone()),
        items,
        approvals,
        frozen_until,
        waiting_on_gates,
        reasons,
        question: String::new(),
        suggestions: Vec::new(),
    };
    next_actions(cx, &mut report, run);
    Some(report)
}

fn cmd(text: impl Into<String>, command: impl Into<String>) -> Suggestion {
    Suggestion {
        text: text.into(),
        command: command.into(),
    }
}

/// The question the gate is waiting on and 2–4 concrete next commands.
fn next_actions(cx: &Context, r: &mut GateReport, run: Option<&RunInfo>) {
    let g = r.gate.clone();
    let mut s = Vec::new();
    let question;
    if let Some(bg) = r.approvals.as_ref().and_then(|a| a.break_glass.clone()) {
        question = format!("Opened by a break-glass override ({bg}). Review it afterwards?");
        s.push(cmd(
            "see the override in the audit trail",
            format!("lockgate audit log --kind gate.approved --subject gate/{g}"),
        ));
    } else if run.is_none() {
        question = match &cx.head.commit {
            Some(c) => format!(
                "No pipeline run for commit {} yet. Run the pipeline?",
                &c[..c.len().min(10)]
            ),
            None => "No pipeline run yet. Run the pipeline?".to_string(),
        };
        s.push(cmd("run the pipeline to produce evidence", "lockgate run"));
        if cx.head.dirty {
            s.push(cmd(
                "commit your changes first: evidence from an uncommitted tree belongs to no commit",
                "git commit -a",
            ));
        }
    } else if r.status == GateStatus::Failed {
        question = format!("{} failed. Fix it and run the pipeline again?", r.title);
        if let Some(run) = run {
            for (job, j) in &run.results {
                if j.conclusion == "failure" {
                    s.push(cmd(
                        format!("see why `{job}` failed"),
                        format!("lockgate logs {} {job}", run.run),
                    ));
                }
            }
            s.push(cmd(
                "see the evidence the gate judged",
                format!("lockgate evidence {}", run.run),
            ));
        }
        s.push(cmd("run the pipeline again after fixing", "lockgate run"));
    } else if !r.waiting_on_gates.is_empty() {
        let first = &r.waiting_on_gates[0];
        question = format!("Waiting for the earlier phase `{first}` to open. Look at it?");
        s.push(cmd(
            format!("see what `{first}` is waiting on"),
            format!("lockgate gate status {first}"),
        ));
    } else if let Some(until) = r.frozen_until {
        question = format!("Changes are frozen until {until}. Wait, or override with break-glass?");
        s.push(cmd(
            "override in an emergency (recorded and flagged)",
            format!("lockgate approve {g} --break-glass --reason \"…\""),
        ));
        s.push(cmd("check again after the window", format!("lockgate gate status {g}")));
    } else {
        let missing_evidence: Vec<&ItemReport> = r
            .items
            .iter()
            .filter(|i| i.kind == "check" && i.result == ItemResult::Waiting)
            .collect();
        let missing_attest: Vec<&ItemReport> = r
            .items
            .iter()
            .filter(|i| i.kind == "attest" && i.result == ItemResult::Waiting)
            .collect();
        let approvals_short = r
            .approvals
            .as_ref()
            .map(|a| a.required as usize - a.valid.len().min(a.required as usize))
            .unwrap_or(0);
        if !missing_evidence.is_empty() {
            question = format!(
                "Waiting for evidence: {}. Produce it?",
                missing_evidence
                    .iter()
                    .map(|i| i.title.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            s.push(cmd("run the pipeline (tests, coverage, scan)", "lockgate run"));
            for i in missing_evidence.iter().take(2) {
                if let Some(job) = i.expects.split("evidence(\"").nth(1).and_then(|x| x.split('"').next()) {
                    s.push(cmd(format!("run the `{job}` job"), format!("lockgate run {job}")));
                }
            }
        } else if !missing_attest.is_empty() {
            let i = missing_attest[0];
            question = format!("Waiting for {} to attest \"{}\". Ask them?", i.expects, i.title);
            for i in missing_attest.iter().take(3) {
                s.push(cmd(
                    format!("{} attests \"{}\"", i.expects, i.title),
                    format!("lockgate attest {g} {} --link <ticket or document>", i.id),
                ));
            }
        } else if approvals_short > 0 {
            let roles = r.approvals.as_ref().map(|a| a.roles.join(" or ")).unwrap_or_default();
            let who = if roles.is_empty() {
                "someone other than the author".to_string()
            } else {
                format!("role {roles}")
            };
            question = format!("Waiting for {approvals_short} more approval(s) from {who}. Request a review?");
            s.push(cmd(
                format!("an approver ({who}) approves"),
                format!("lockgate approve {g} --comment \"…\""),
            ));
            s.push(cmd(
                "or rejects, with a reason",
                format!("lockgate reject {g} --comment \"…\""),
            ));
            s.push(cmd(
                "see the checklist an approver will see",
                format!("lockgate gate status {g}"),
            ));
        } else if let Some(env) = &r.environment {
            let already = run.is_some_and(|run| {
                cx.state
                    .promotions
                    .get(env)
                    .into_iter()
                    .flatten()
                    .any(|p| p.artifact == run.artifact && p.commit == run.commit)
            });
            if already {
                question = format!("{} is open; this artifact is already in {env}.", r.title);
                s.push(cmd(
                    format!("see what {env} received, and from whom"),
                    format!("lockgate audit log --subject env/{env}"),
                ));
            } else {
                question = format!("{} is open. Promote to {env}?", r.title);
                s.push(cmd(
                    format!("promote the artifact to {env}"),
                    format!("lockgate promote {env}"),
                ));
            }
        } else {
            question = format!("{} is open.", r.title);
        }
    }
    s.truncate(4);
    r.question = question;
    r.suggestions = s;
}

/// `metric(NAME, env=ENV)` from the controller's proxies: the stable
/// versions of every service in ENV (or everywhere), counted since the
/// controller started. `error_rate`, `request_count`, `p99_latency`.
fn live_metric(units: &serde_json::Value, name: &str, env: Option<&str>) -> Option<Value> {
    let mut requests = 0u64;
    let mut errors = 0u64;
    let mut p99: Option<f64> = None;
    for u in units["units"].as_array()? {
        if env.is_some_and(|e| u["env"] != e) {
            continue;
        }
        let Some(stable) = u["stable"].as_str() else { continue };
        let t = &u["traffic"][stable];
        requests += t["requests"].as_u64().unwrap_or(0);
        errors += t["errors"].as_u64().unwrap_or(0);
        if let Some(ms) = t["p99_ms"].as_f64() {
            p99 = Some(p99.map_or(ms, |m: f64| m.max(ms)));
        }
    }
    match name {
        "error_rate" => (requests > 0).then(|| Value::Pct(errors as f64 * 100.0 / requests as f64)),
        "request_count" => Some(Value::Num(requests as f64)),
        "p99_latency" => p99.map(|ms| Value::Dur(std::time::Duration::from_secs_f64(ms / 1000.0))),
        _ => None,
    }
}
