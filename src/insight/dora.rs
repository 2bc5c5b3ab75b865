//! DORA's four keys and the success metrics platform teams report, computed
//! from the ledger: a pure function of the events, the parameters and the
//! clock, so every definition is tested on constructed ledgers with known
//! answers. The exact definitions (and the known bugs of other tools they
//! avoid) are in `docs/metrics.md`; keep the two in step.
//!
//! Incidents are ledger events too ([`incident_open_event`],
//! [`incident_resolve_event`]); the CLI (`lockgate incident`) and the
//! server's Alertmanager webhook emit the same ones, and [`Incidents`] folds
//! them so that an incident re-opened while open is an update, never a
//! second failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};

use crate::ledger::projection::Projection;
use crate::ledger::{Actor, Event, NewEvent};

/// Which published thresholds the bands follow.
pub const BANDS: &str = "DORA 2023";

pub const INCIDENT_OPENED: &str = "incident.opened";
pub const INCIDENT_RESOLVED: &str = "incident.resolved";

/// An incident attributed to no version counts against the deployment of
/// its service and environment completed at most this long before it opened.
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;
const MONTH: i64 = 30 * DAY;

// ---- incidents ----------------------------------------------------------

/// The ledger subject of a service's incidents in an environment.
pub fn incident_subject(service: &str, env: &str) -> String {
    format!("incident/{service}/{env}")
}

/// The event that opens an incident, or updates the one already open for
/// (`service`, `env`): emitters need no state, the projection decides.
/// `source` says who noticed (`cli`, `alertmanager`, …).
pub fn incident_open_event(
    actor: Actor,
    service: &str,
    env: &str,
    caused_by: Option<&str>,
    title: Option<&str>,
    source: &str,
) -> NewEvent {
    NewEvent::json(
        actor,
        INCIDENT_OPENED,
        incident_subject(service, env),
        json!({ "service": service, "env": env, "caused_by": caused_by, "title": title, "source": source }),
    )
}

/// The event that resolves incident `id`, or (without an id) the one open
/// for (`service`, `env`). Resolving what is not open changes nothing.
pub fn incident_resolve_event(actor: Actor, service: &str, env: &str, id: Option<u64>, source: &str) -> NewEvent {
    NewEvent::json(
        actor,
        INCIDENT_RESOLVED,
        incident_subject(service, env),
        json!({ "service": service, "env": env, "incident": id, "source": source }),
    )
}

#[derive(Clone, Debug, Serialize)]
pub struct Incident {
    /// The sequence number of the event that opened it.
    pub id: u64,
    pub service: String,
    pub env: String,
    pub title: Option<String>,
    pub caused_by: Option<String>,
    pub source: String,
    pub opened: Timestamp,
    pub opened_by: String,
    pub resolved: Option<Timestamp>,
    pub resolved_by: Option<String>,
    /// `incident.opened` events that arrived while it was open (alert
    /// repeats, edits): they update it and are never counted again.
    pub updates: u32,
}

/// Every incident by id, and the open one of each (service, env).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Incidents {
    pub all: BTreeMap<u64, Incident>,
    #[serde(skip)]
    pub open: BTreeMap<(String, String), u64>,
}

impl Incidents {
    pub fn open_for(&self, service: &str, env: &str) -> Option<&Incident> {
        self.open
            .get(&(service.to_string(), env.to_string()))
            .and_then(|id| self.all.get(id))
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

impl Projection for Incidents {
    fn apply(&mut self, e: &Event) {
        let p = &e.body.payload;
        let (Some(service), Some(env)) = (s(p, "service"), s(p, "env")) else {
            return;
        };
        match e.body.kind.as_str() {
            INCIDENT_OPENED => {
                let key = (service.clone(), env.clone());
                if let Some(i) = self.open.get(&key).and_then(|id| self.all.get_mut(id)) {
                    i.updates += 1;
                    if let Some(c) = s(p, "caused_by") {
                        i.caused_by = Some(c);
                    }
                    if let Some(t) = s(p, "title") {
                        i.title = Some(t);
                    }
                    return;
                }
                self.open.insert(key, e.seq());
                self.all.insert(
                    e.seq(),
                    Incident {
                        id: e.seq(),
                        service,
                        env,
                        title: s(p, "title"),
                        caused_by: s(p, "caused_by"),
                        source: s(p, "source").unwrap_or_else(|| "cli".into()),
                        opened: e.body.time,
                        opened_by: e.body.actor.to_string(),
                        resolved: None,
                        resolved_by: None,
                        updates: 0,
                    },
                );
            }
            INCIDENT_RESOLVED => {
                let key = (service, env);
                let id = match p.get("incident").and_then(Value::as_u64) {
                    Some(id) => id,
                    None => match self.open.get(&key) {
                        Some(id) => *id,
                        None => return,
                    },
                };
                let Some(i) = self.all.get_mut(&id).filter(|i| i.resolved.is_none()) else {
                    return;
                };
                i.resolved = Some(e.body.time);
                i.resolved_by = Some(e.body.actor.to_string());
                let k = (i.service.clone(), i.env.clone());
                if self.open.get(&k) == Some(&id) {
                    self.open.remove(&k);
                }
            }
            _ => {}
        }
    }
}

// ---- commit times -------------------------------------------------------

/// The committer time of `commit` in the git repository at `root`.
///
/// The committer date, not the author date: a squashed, rebased or amended
/// commit keeps its oldest author date, which would stretch lead time by
/// the life of the branch (the Four Keys squash-merge bug).
pub fn git_committer_time(root: &Path, commit: &str) -> Option<Timestamp> {
    if commit.is_empty() || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let out = std::process::Command::new("git")
        .args(["log", "-1", "--format=%cI", commit, "--"])
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

// ---- parameters and report ----------------------------------------------

/// What to measure.
#[derive(Clone, Debug)]
pub struct Params {
    /// The environment whose deployments count (normally production).
    pub env: String,
    pub service: Option<String>,
    /// The length of the period; it ends at `now`, the previous period is
    /// the same length just before it.
    pub period: SignedDuration,
    pub now: Timestamp,
    /// Gates guarding `env`: their evaluations and approvals count.
    pub gates: Vec<String>,
    /// Whether `env` has gates or approvals at all. Without, a change that
    /// went through a successful pipeline run is fully automated.
    pub guarded: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Low,
    Medium,
    High,
    Elite,
}

impl std::fmt::Display for Band {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Elite => "elite",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
    Flat,
}

/// How a value moved against the previous period.
#[derive(Clone, Debug, Serialize)]
pub struct Trend {
    pub direction: Direction,
    /// Relative change in percent (none when the previous value was 0).
    pub change_pct: Option<f64>,
    /// Whether the move is an improvement for this metric (none when flat).
    pub better: Option<bool>,
}

/// One metric: its value in this period and the previous one.
#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    pub value: Option<f64>,
    pub unit: &'static str,
    pub previous: Option<f64>,
    /// Why `value` is null (nothing to measure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Period {
    pub start: Timestamp,
    pub end: Timestamp,
    pub days: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Frequency {
    pub deployments: u64,
    pub deployment_days: u64,
    pub previous_deployments: u64,
    pub previous_deployment_days: u64,
    /// Deployments per week (the banded value).
    pub per_week: Metric,
}

#[derive(Clone, Debug, Serialize)]
pub struct LeadTime {
    /// Deployments whose change start is known.
    pub measured: u64,
    pub median: Metric,
    pub p90: Metric,
    /// Medians of the three segments (they need not add up to the median).
    pub pipeline: Metric,
    pub approval_wait: Metric,
    pub rollout: Metric,
}

#[derive(Clone, Debug, Serialize)]
pub struct FailureRate {
    pub changes: u64,
    pub failed: u64,
    pub aborted: u64,
    pub rolled_back: u64,
    pub with_incident: u64,
    pub rate: Metric,
}

#[derive(Clone, Debug, Serialize)]
pub struct Restore {
    pub restored: u64,
    /// Failures not restored yet (open incidents): not in the median.
    pub unrestored: u64,
    pub median: Metric,
    pub p90: Metric,
}

#[derive(Clone, Debug, Serialize)]
pub struct Success {
    pub deployment_success_rate: Metric,
    pub change_success_rate: Metric,
    pub rollback_count: u64,
    pub previous_rollback_count: u64,
    pub gate_pass_rate: Metric,
    pub mean_approval_wait: Metric,
    pub automation_coverage: Metric,
}

/// One change attempt (a rollout into the environment), for transparency.
#[derive(Clone, Debug, Serialize)]
pub struct Deployment {
    pub rollout: u64,
    pub service: String,
    pub version: String,
    pub strategy: String,
    pub started: Timestamp,
    pub ended: Option<Timestamp>,
    /// `completed`, `aborted` or `in_progress`.
    pub outcome: &'static str,
    pub failed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    pub run: Option<u64>,
    pub commit: Option<String>,
    /// When the change started: the commit's committer time, else the run's start.
    pub change_time: Option<Timestamp>,
    pub change_time_source: Option<&'static str>,
    pub lead_time_s: Option<i64>,
    pub pipeline_s: Option<i64>,
    pub approval_wait_s: Option<i64>,
    pub rollout_s: Option<i64>,
    pub automated: bool,
    pub break_glass: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub bands: &'static str,
    pub env: String,
    pub service: Option<String>,
    pub period: Period,
    pub previous_period: Period,
    pub deployment_frequency: Frequency,
    pub lead_time: LeadTime,
    pub change_failure_rate: FailureRate,
    pub time_to_restore: Restore,
    /// The lowest band of the four keys that have one.
    pub overall: Option<Band>,
    pub success: Success,
    /// Change attempts of this period, oldest first.
    pub deployments: Vec<Deployment>,
    /// Incidents opened in this period.
    pub incidents: Vec<Incident>,
    pub warnings: Vec<String>,
}

// ---- folding the ledger -------------------------------------------------

#[derive(Clone, Debug)]
struct Run {
    started: Timestamp,
    commit: Option<String>,
    finished: Option<Timestamp>,
    succeeded: bool,
}

#[derive(Clone, Debug)]
struct Promotion {
    run: Option<u64>,
    commit: Option<String>,
    break_glass: bool,
}

#[derive(Clone, Debug)]
struct Attempt {
    d: Deployment,
    /// Rollback redeploys restore service; they are not changes.
    remediation: bool,
    first_failed_analysis: Option<Timestamp>,
    /// (failure detected, service healthy again) from the rollout itself.
    restore: Option<(Timestamp, Timestamp)>,
    incident: Option<u64>,
}

struct Facts {
    attempts: Vec<Attempt>,
    incidents: Incidents,
    evaluations: Vec<(Timestamp, bool)>,
    /// (approved at, waited in seconds)
    approvals: Vec<(Timestamp, i64)>,
    warnings: Vec<String>,
}

fn secs(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs()
}

/// A segment's length; a negative one (clock skew) is 0 with a warning.
fn span(from: Timestamp, to: Timestamp, what: &str, warnings: &mut Vec<String>) -> i64 {
    let d = secs(from, to);
    if d < 0 {
        warnings.push(format!(
            "clock skew: {what} ends ({to}) before it starts ({from}); counted as 0s"
        ));
        0
    } else {
        d
    }
}

fn looks_like_commit(v: &str) -> bool {
    v.len() >= 7 && v.chars().all(|c| c.is_ascii_hexdigit())
}

fn collect(events: &[Event], p: &Params, commit_time: &dyn Fn(&str) -> Option<Timestamp>) -> Facts {
    let mut runs: BTreeMap<u64, Run> = BTreeMap::new();
    let mut promotions: Vec<Promotion> = Vec::new();
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut active: BTreeMap<String, usize> = BTreeMap::new();
    let mut incidents = Incidents::default();
    let mut evaluations = Vec::new();
    let mut approvals = Vec::new();
    let mut warnings = Vec::new();
    let gate_counts = |g: Option<String>| g.is_some_and(|g| p.gates.contains(&g));
    let in_scope = |pl: &Value| {
        s(pl, "env").as_deref() == Some(p.env.as_str())
            && p.service.as_ref().is_none_or(|x| s(pl, "service").as_ref() == Some(x))
    };
    for e in events {
        let pl = &e.body.payload;
        let t = e.body.time;
        match e.body.kind.as_str() {
            "run.started" => {
                runs.insert(
                    e.seq(),
                    Run {
                        started: t,
                        commit: s(pl, "commit"),
                        finished: None,
                        succeeded: false,
                    },
                );
            }
            "run.finished" => {
                if let Some(r) = pl.get("run").and_then(Value::as_u64).and_then(|r| runs.get_mut(&r)) {
                    r.finished = Some(t);
                    r.succeeded = s(pl, "status").as_deref() == Some("succeeded");
                }
            }
            "env.promoted" if s(pl, "environment").as_deref() == Some(p.env.as_str()) => {
                promotions.push(Promotion {
                    run: pl.get("run").and_then(Value::as_u64),
                    commit: s(pl, "commit"),
                    break_glass: pl.get("break_glass").and_then(Value::as_bool).unwrap_or(false),
                });
            }
            "gate.evaluated" if gate_counts(s(pl, "gate")) => {
                evaluations.push((t, s(pl, "status").as_deref() == Some("open")));
            }
            "gate.approved" if gate_counts(s(pl, "gate")) => {
                let brk = pl.get("break_glass").and_then(Value::as_bool).unwrap_or(false);
                let finished = pl
                    .get("run")
                    .and_then(Value::as_u64)
                    .and_then(|r| runs.get(&r))
                    .and_then(|r| r.finished);
                if let (false, Some(f)) = (brk, finished) {
                    approvals.push((t, span(f, t, &format!("approval {}", e.seq()), &mut warnings)));
                }
            }
            INCIDENT_OPENED | INCIDENT_RESOLVED if in_scope(pl) => incidents.apply(e),
            "rollout.started" if in_scope(pl) => {
                let service = s(pl, "service").unwrap_or_default();
                let version = s(pl, "to").unwrap_or_default();
                let strategy = s(pl, "strategy").unwrap_or_default();
                // The change behind the version: its commit if the rollout
                // names one or the version is a commit prefix of a run;
                // else the run promoted into the environment last.
                let commit = s(pl, "commit").or_else(|| looks_like_commit(&version).then(|| version.clone()));
                let by_commit = commit.as_ref().and_then(|c| {
                    runs.iter()
                        .rev()
                        .find(|(_, r)| r.succeeded && r.commit.as_ref().is_some_and(|rc| rc.starts_with(c.as_str())))
                        .map(|(id, _)| *id)
                });
                let promotion = match by_commit {
                    Some(run) => promotions.iter().rev().find(|x| x.run == Some(run)),
                    None => promotions.last(),
                };
                let run = by_commit.or_else(|| promotion.and_then(|x| x.run));
                let r = run.and_then(|id| runs.get(&id));
                let full_commit = r
                    .and_then(|r| r.commit.clone())
                    .or_else(|| promotion.and_then(|x| x.commit.clone()))
                    .or(commit);
                let (change_time, source) = match full_commit.as_deref().and_then(commit_time) {
                    Some(ct) => (Some(ct), Some("commit")),
                    None => match r {
                        Some(r) => (Some(r.started), Some("run start")),
                        None => (None, None),
                    },
                };
                let break_glass = promotion.is_some_and(|x| x.break_glass);
                let automated = r.is_some_and(|r| r.succeeded) && !break_glass && (promotion.is_some() || !p.guarded);
                let d = Deployment {
                    rollout: e.seq(),
                    service: service.clone(),
                    version,
                    strategy: strategy.clone(),
                    started: t,
                    ended: None,
                    outcome: "in_progress",
                    failed: false,
                    failure: None,
                    run,
                    commit: full_commit,
                    change_time,
                    change_time_source: source,
                    lead_time_s: None,
                    pipeline_s: None,
                    approval_wait_s: None,
                    rollout_s: None,
                    automated,
                    break_glass,
                };
                active.insert(service, attempts.len());
                attempts.push(Attempt {
                    d,
                    remediation: strategy == "rollback",
                    first_failed_analysis: None,
                    restore: None,
                    incident: None,
                });
            }
            "rollout.analysis" if in_scope(pl) => {
                if let Some(a) = s(pl, "service").and_then(|x| active.get(&x)).map(|i| &mut attempts[*i])
                    && matches!(s(pl, "outcome").as_deref(), Some("failed" | "error"))
                {
                    a.first_failed_analysis.get_or_insert(t);
                }
            }
            "rollout.aborted" if in_scope(pl) => {
                let Some(service) = s(pl, "service") else { continue };
                if let Some(i) = active.remove(&service) {
                    let a = &mut attempts[i];
                    a.d.outcome = "aborted";
                    a.d.ended = Some(t);
                    if !a.remediation {
                        a.d.failed = true;
                        a.d.failure = Some(format!(
                            "aborted: {}",
                            s(pl, "reason").unwrap_or_else(|| "no reason recorded".into())
                        ));
                        let detected = a.first_failed_analysis.unwrap_or(a.d.started);
                        a.restore = Some((detected, t));
                    }
                }
            }
            "rollout.completed" if in_scope(pl) => {
                let Some(service) = s(pl, "service") else { continue };
                if let Some(i) = active.remove(&service) {
                    let a = &mut attempts[i];
                    a.d.outcome = "completed";
                    a.d.ended = Some(t);
                    let what = format!("rollout {}", a.d.rollout);
                    a.d.rollout_s = Some(span(a.d.started, t, &what, &mut warnings));
                    if let Some(ct) = a.d.change_time {
                        a.d.lead_time_s = Some(span(ct, t, &format!("the lead time of {what}"), &mut warnings));
                        let finished = a.d.run.and_then(|r| runs.get(&r)).and_then(|r| r.finished);
                        if let Some(f) = finished {
                            a.d.pipeline_s = Some(span(ct, f, &format!("the pipeline of {what}"), &mut warnings));
                            a.d.approval_wait_s =
                                Some(span(f, a.d.started, &format!("the wait before {what}"), &mut warnings));
                        }
                    }
                    // A rollback redeploy restores the version it replaces.
                    if a.remediation {
                        let (restored, bad) = (t, a.d.started);
                        let from = s(pl, "previous");
                        mark_rolled_back(&mut attempts, &service, from.as_deref(), bad, Some(restored), i);
                    }
                }
            }
            "rollout.rolled_back" if in_scope(pl) => {
                let Some(service) = s(pl, "service") else { continue };
                let from = s(pl, "from");
                mark_rolled_back(&mut attempts, &service, from.as_deref(), t, Some(t), usize::MAX);
            }
            _ => {}
        }
    }
    Facts {
        attempts,
        incidents,
        evaluations,
        approvals,
        warnings,
    }
}

/// Marks the latest completed change of `service` to `version` as rolled
/// back (at most once: a failure is counted once however it is remedied).
fn mark_rolled_back(
    attempts: &mut [Attempt],
    service: &str,
    version: Option<&str>,
    detected: Timestamp,
    restored: Option<Timestamp>,
    before: usize,
) {
    let Some(version) = version else { return };
    let Some(a) = attempts
        .iter_mut()
        .take(before)
        .rev()
        .find(|a| a.d.service == service && a.d.version == version && !a.remediation)
    else {
        return;
    };
    // An instant rollback of a rollout under way follows its abort: already failed.
    if a.d.failed || a.d.outcome != "completed" {
        return;
    }
    a.d.failed = true;
    a.d.failure = Some(format!("rolled back at {detected}"));
    if let Some(r) = restored {
        a.restore = Some((detected, r));
    }
}

/// Attributes each incident to the deployment that caused it: the one of
/// `caused_by` when given, else the last completed one of its service at
/// most [`FAILURE_WINDOW`] before the incident opened. A deployment fails
/// once however many incidents point at it.
fn attribute(f: &mut Facts) {
    for i in f.incidents.all.values() {
        let target = f.attempts.iter_mut().rev().find(|a| {
            !a.remediation
                && a.d.service == i.service
                && a.d.outcome == "completed"
                && a.d.ended.is_some_and(|end| end <= i.opened || i.caused_by.is_some())
                && match &i.caused_by {
                    Some(v) => {
                        &a.d.version == v
                            || (looks_like_commit(v) && a.d.commit.as_ref().is_some_and(|c| c.starts_with(v.as_str())))
                    }
                    None => {
                        a.d.ended
                            .is_some_and(|end| i.opened.duration_since(end) <= FAILURE_WINDOW)
                    }
                }
        });
        if let Some(a) = target {
            if a.incident.is_none() {
                a.incident = Some(i.id);
            }
            if !a.d.failed {
                a.d.failed = true;
                a.d.failure = Some(format!("incident {}", i.id));
            }
        }
    }
}

// ---- statistics ---------------------------------------------------------

/// The median: the middle value, or the mean of the two middle ones.
pub fn median(v: &[i64]) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2] as f64),
        _ => Some((v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0),
    }
}

/// The nearest-rank percentile (`q` in 0..=100): a value that occurred.
pub fn percentile(v: &[i64], q: f64) -> Option<f64> {
    let mut v = v.to_vec();
    v.sort_unstable();
    if v.is_empty() {
        return None;
    }
    let rank = ((q / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    Some(v[rank.min(v.len()) - 1] as f64)
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn trend(cur: Option<f64>, prev: Option<f64>, higher_is_better: bool) -> Option<Trend> {
    let (c, p) = (cur?, prev?);
    let change_pct = (p != 0.0).then(|| (c - p) / p.abs() * 100.0);
    let flat = (c - p).abs() < f64::EPSILON || change_pct.is_some_and(|x| x.abs() < 5.0);
    let direction = if flat {
        Direction::Flat
    } else if c > p {
        Direction::Up
    } else {
        Direction::Down
    };
    let better = match direction {
        Direction::Flat => None,
        Direction::Up => Some(higher_is_better),
        Direction::Down => Some(!higher_is_better),
    };
    Some(Trend {
        direction,
        change_pct,
        better,
    })
}

fn metric(unit: &'static str, cur: Option<f64>, prev: Option<f64>, reason: &str, higher_is_better: bool) -> Metric {
    Metric {
        value: cur,
        unit,
        previous: prev,
        reason: cur.is_none().then(|| reason.to_string()),
        band: None,
        trend: trend(cur, prev, higher_is_better),
    }
}

/// Deployment frequency band from deployments per week.
pub fn frequency_band(per_week: f64) -> Band {
    if per_week >= 7.0 {
        Band::Elite
    } else if per_week >= 1.0 {
        Band::High
    } else if per_week * (MONTH as f64 / WEEK as f64) >= 1.0 {
        Band::Medium
    } else {
        Band::Low
    }
}

/// Lead time band from the median in seconds.
pub fn lead_time_band(median_s: f64) -> Band {
    if median_s < DAY as f64 {
        Band::Elite
    } else if median_s < WEEK as f64 {
        Band::High
    } else if median_s < MONTH as f64 {
        Band::Medium
    } else {
        Band::Low
    }
}

/// Change failure rate band from the rate (0..=1).
pub fn failure_rate_band(rate: f64) -> Band {
    if rate <= 0.05 {
        Band::Elite
    } else if rate <= 0.10 {
        Band::High
    } else if rate <= 0.15 {
        Band::Medium
    } else {
        Band::Low
    }
}

/// Time to restore band from the median in seconds.
pub fn restore_band(median_s: f64) -> Band {
    if median_s < 3_600.0 {
        Band::Elite
    } else if median_s < DAY as f64 {
        Band::High
    } else if median_s < WEEK as f64 {
        Band::Medium
    } else {
        Band::Low
    }
}

/// The UTC calendar day of a timestamp.
pub fn utc_day(t: Timestamp) -> jiff::civil::Date {
    t.to_zoned(jiff::tz::TimeZone::UTC).date()
}

// ---- the report ---------------------------------------------------------

struct Window {
    start: Timestamp,
    /// `None`: open-ended (the current period also takes events stamped
    /// after `now`: a skewed clock never hides a deployment).
    end: Option<Timestamp>,
}

impl Window {
    fn has(&self, t: Timestamp) -> bool {
        t > self.start && self.end.is_none_or(|e| t <= e)
    }
}

struct Values {
    changes: u64,
    failed: u64,
    aborted: u64,
    rolled_back: u64,
    with_incident: u64,
    deployments: u64,
    days: u64,
    lead: Vec<i64>,
    pipeline: Vec<i64>,
    approval: Vec<i64>,
    rollout: Vec<i64>,
    restore: Vec<i64>,
    unrestored: u64,
    finished: u64,
    completed: u64,
    automated: u64,
    evaluations: u64,
    passed: u64,
    approval_waits: Vec<i64>,
}

fn values(f: &Facts, w: &Window, warnings: &mut Vec<String>) -> Values {
    let changes: Vec<&Attempt> = f
        .attempts
        .iter()
        .filter(|a| !a.remediation && w.has(a.d.started))
        .collect();
    let deployed: Vec<&Attempt> = f
        .attempts
        .iter()
        .filter(|a| !a.remediation && a.d.outcome == "completed" && a.d.ended.is_some_and(|t| w.has(t)))
        .collect();
    let days: BTreeSet<_> = deployed.iter().filter_map(|a| a.d.ended).map(utc_day).collect();
    let mut restore = Vec::new();
    let mut unrestored = 0;
    for i in f.incidents.all.values().filter(|i| w.has(i.opened)) {
        match i.resolved {
            Some(r) => restore.push(span(i.opened, r, &format!("incident {}", i.id), warnings)),
            None => unrestored += 1,
        }
    }
    for a in &changes {
        // A failure with an incident is restored when the incident is resolved.
        if !a.d.failed || a.incident.is_some() {
            continue;
        }
        if let Some((d, r)) = a.restore {
            restore.push(span(
                d,
                r,
                &format!("the restore after rollout {}", a.d.rollout),
                warnings,
            ));
        }
    }
    let all = |g: &dyn Fn(&Deployment) -> Option<i64>| deployed.iter().filter_map(|a| g(&a.d)).collect::<Vec<_>>();
    let evaluations: Vec<_> = f.evaluations.iter().filter(|(t, _)| w.has(*t)).collect();
    Values {
        changes: changes.len() as u64,
        failed: changes.iter().filter(|a| a.d.failed).count() as u64,
        aborted: changes.iter().filter(|a| a.d.outcome == "aborted").count() as u64,
        rolled_back: changes
            .iter()
            .filter(|a| a.d.failure.as_deref().is_some_and(|x| x.starts_with("rolled back")))
            .count() as u64,
        with_incident: changes.iter().filter(|a| a.incident.is_some()).count() as u64,
        deployments: deployed.len() as u64,
        days: days.len() as u64,
        lead: all(&|d| d.lead_time_s),
        pipeline: all(&|d| d.pipeline_s),
        approval: all(&|d| d.approval_wait_s),
        rollout: all(&|d| d.rollout_s),
        restore,
        unrestored,
        finished: changes.iter().filter(|a| a.d.outcome != "in_progress").count() as u64,
        completed: changes.iter().filter(|a| a.d.outcome == "completed").count() as u64,
        automated: changes.iter().filter(|a| a.d.automated).count() as u64,
        evaluations: evaluations.len() as u64,
        passed: evaluations.iter().filter(|(_, ok)| *ok).count() as u64,
        approval_waits: f.approvals.iter().filter(|(t, _)| w.has(*t)).map(|(_, s)| *s).collect(),
    }
}

fn mean(v: &[i64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64)
}

/// Computes the report from every event of the ledger, in ledger order.
/// `commit_time` gives a commit's committer time when it is known.
pub fn report(events: &[Event], p: &Params, commit_time: &dyn Fn(&str) -> Option<Timestamp>) -> Report {
    let mut f = collect(events, p, commit_time);
    attribute(&mut f);
    let mut warnings = std::mem::take(&mut f.warnings);
    let start = p.now - p.period;
    let prev_start = start - p.period;
    let cur_w = Window { start, end: None };
    let prev_w = Window {
        start: prev_start,
        end: Some(start),
    };
    if let Some(e) = events
        .iter()
        .filter(|e| e.body.time > p.now)
        .max_by_key(|e| e.body.time)
    {
        warnings.push(format!(
            "events up to {} are stamped after now ({}): counted in this period",
            e.body.time, p.now
        ));
    }
    let cur = values(&f, &cur_w, &mut warnings);
    let prev = values(&f, &prev_w, &mut Vec::new());
    let weeks = p.period.as_secs_f64() / WEEK as f64;
    let per_week = |v: &Values| (weeks > 0.0).then(|| v.deployments as f64 / weeks);

    let mut freq = metric("per week", per_week(&cur), per_week(&prev), "the period is empty", true);
    freq.band = freq.value.map(frequency_band);

    let no_lead = if cur.deployments == 0 {
        "no deployments in the period"
    } else {
        "no deployment in the period can be traced to a pipeline run"
    };
    let mut lead_median = metric("seconds", median(&cur.lead), median(&prev.lead), no_lead, false);
    lead_median.band = lead_median.value.map(lead_time_band);
    let lead = LeadTime {
        measured: cur.lead.len() as u64,
        median: lead_median,
        p90: metric(
            "seconds",
            percentile(&cur.lead, 90.0),
            percentile(&prev.lead, 90.0),
            no_lead,
            false,
        ),
        pipeline: metric("seconds", median(&cur.pipeline), median(&prev.pipeline), no_lead, false),
        approval_wait: metric("seconds", median(&cur.approval), median(&prev.approval), no_lead, false),
        rollout: metric("seconds", median(&cur.rollout), median(&prev.rollout), no_lead, false),
    };

    let no_changes = "no changes reached the environment in the period";
    let mut rate = metric(
        "ratio",
        ratio(cur.failed, cur.changes),
        ratio(prev.failed, prev.changes),
        no_changes,
        false,
    );
    rate.band = rate.value.map(failure_rate_band);
    let cfr = FailureRate {
        changes: cur.changes,
        failed: cur.failed,
        aborted: cur.aborted,
        rolled_back: cur.rolled_back,
        with_incident: cur.with_incident,
        rate,
    };

    let no_restore = if cur.unrestored > 0 {
        "no failure of the period was restored yet"
    } else {
        "no failures in the period"
    };
    let mut ttr_median = metric(
        "seconds",
        median(&cur.restore),
        median(&prev.restore),
        no_restore,
        false,
    );
    ttr_median.band = ttr_median.value.map(restore_band);
    let ttr = Restore {
        restored: cur.restore.len() as u64,
        unrestored: cur.unrestored,
        median: ttr_median,
        p90: metric(
            "seconds",
            percentile(&cur.restore, 90.0),
            percentile(&prev.restore, 90.0),
            no_restore,
            false,
        ),
    };

    let overall = [&freq.band, &lead.median.band, &cfr.rate.band, &ttr.median.band]
        .into_iter()
        .flatten()
        .min()
        .copied();

    let success = Success {
        deployment_success_rate: metric(
            "ratio",
            ratio(cur.completed, cur.finished),
            ratio(prev.completed, prev.finished),
            "no rollout finished in the period",
            true,
        ),
        change_success_rate: metric(
            "ratio",
            ratio(cur.changes - cur.failed, cur.changes),
            ratio(prev.changes - prev.failed, prev.changes),
            no_changes,
            true,
        ),
        rollback_count: cur.aborted + cur.rolled_back,
        previous_rollback_count: prev.aborted + prev.rolled_back,
        gate_pass_rate: metric(
            "ratio",
            ratio(cur.passed, cur.evaluations),
            ratio(prev.passed, prev.evaluations),
            "no gate evaluation was recorded in the period (`lockgate gate evaluate`)",
            true,
        ),
        mean_approval_wait: metric(
            "seconds",
            mean(&cur.approval_waits),
            mean(&prev.approval_waits),
            "no approvals in the period",
            false,
        ),
        automation_coverage: metric(
            "ratio",
            ratio(cur.automated, cur.changes),
            ratio(prev.automated, prev.changes),
            no_changes,
            true,
        ),
    };

    let period = Period {
        start,
        end: p.now,
        days: p.period.as_secs_f64() / DAY as f64,
    };
    let previous_period = Period {
        start: prev_start,
        end: start,
        days: period.days,
    };
    Report {
        bands: BANDS,
        env: p.env.clone(),
        service: p.service.clone(),
        period,
        previous_period,
        deployment_frequency: Frequency {
            deployments: cur.deployments,
            deployment_days: cur.days,
            previous_deployments: prev.deployments,
            previous_deployment_days: prev.days,
            per_week: freq,
        },
        lead_time: lead,
        change_failure_rate: cfr,
        time_to_restore: ttr,
        overall,
        success,
        deployments: f
            .attempts
            .iter()
            .filter(|a| cur_w.has(a.d.started))
            .map(|a| a.d.clone())
            .collect(),
        incidents: f
            .incidents
            .all
            .values()
            .filter(|i| cur_w.has(i.opened))
            .cloned()
            .collect(),
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::event::Body;

    /// A constructed ledger: events get consecutive sequence numbers.
    #[derive(Default)]
    struct L(Vec<Event>);

    impl L {
        fn add(&mut self, time: &str, kind: &str, payload: Value) -> u64 {
            let seq = self.0.len() as u64 + 1;
            self.0.push(Event {
                body: Body {
                    seq,
                    time: time.parse().unwrap(),
                    actor: Actor::user("sam@shop.example"),
                    kind: kind.into(),
                    v: 1,
                    subject: String::new(),
                    payload,
                    prev: String::new(),
                },
                entry: Vec::new(),
                hash: [0; 32],
            });
            seq
        }

        /// A pipeline run of `commit` from `start` to `end`, promoted to production at `promoted`.
        fn run(&mut self, commit: &str, start: &str, end: &str, promoted: &str, break_glass: bool) -> u64 {
            let run = self.add(start, "run.started", json!({ "commit": commit }));
            self.add(end, "run.finished", json!({ "run": run, "status": "succeeded" }));
            self.add(
                promoted,
                "env.promoted",
                json!({ "environment": "production", "run": run, "commit": commit, "break_glass": break_glass }),
            );
            run
        }

        fn start(&mut self, time: &str, version: &str) -> u64 {
            self.add(
                time,
                "rollout.started",
                json!({ "service": "web", "env": "production", "to": version, "strategy": "canary" }),
            )
        }

        fn complete(&mut self, time: &str, id: u64, version: &str) {
            self.add(
                time,
                "rollout.completed",
                json!({ "service": "web", "env": "production", "rollout": id, "version": version }),
            );
        }

        fn deploy(&mut self, start: &str, end: &str, version: &str) -> u64 {
            let id = self.start(start, version);
            self.complete(end, id, version);
            id
        }

        fn abort(&mut self, time: &str, id: u64) {
            self.add(
                time,
                "rollout.aborted",
                json!({ "service": "web", "env": "production", "rollout": id, "reason": "analysis failed" }),
            );
        }

        fn incident(&mut self, time: &str, caused_by: Option<&str>) -> u64 {
            let ev = incident_open_event(Actor::system(), "web", "production", caused_by, Some("errors"), "test");
            self.add(time, &ev.kind, ev.payload)
        }

        fn resolve(&mut self, time: &str, id: Option<u64>) {
            let ev = incident_resolve_event(Actor::system(), "web", "production", id, "test");
            self.add(time, &ev.kind, ev.payload);
        }
    }

    fn params(now: &str, days: i64) -> Params {
        Params {
            env: "production".into(),
            service: None,
            period: SignedDuration::from_hours(24 * days),
            now: now.parse().unwrap(),
            gates: vec!["prod".into()],
            guarded: true,
        }
    }

    fn no_git(_: &str) -> Option<Timestamp> {
        None
    }

    fn rep(l: &L, now: &str, days: i64) -> Report {
        report(&l.0, &params(now, days), &no_git)
    }

    const C1: &str = "aaaaaaaaaaaa1111111111111111111111111111";

    #[test]
    fn known_answers_on_a_constructed_ledger() {
        let mut l = L::default();
        // Change 1: run 08:00–08:10, promoted 09:00, rollout 10:00–10:30.
        l.run(
            C1,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            false,
        );
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", "v1");
        // Change 2 on the same promotion: 2026-03-03 12:00–12:20.
        l.deploy("2026-03-03T12:00:00Z", "2026-03-03T12:20:00Z", "v2");
        // Change 3 aborted after a failed analysis.
        let v3 = l.start("2026-03-04T12:00:00Z", "v3");
        l.add(
            "2026-03-04T12:01:00Z",
            "rollout.analysis",
            json!({ "service": "web", "env": "production", "rollout": v3, "outcome": "failed" }),
        );
        l.abort("2026-03-04T12:03:00Z", v3);
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.bands, "DORA 2023");
        assert_eq!(r.deployment_frequency.deployments, 2);
        assert_eq!(r.deployment_frequency.deployment_days, 2);
        assert_eq!(r.deployment_frequency.per_week.value, Some(2.0));
        assert_eq!(r.deployment_frequency.per_week.band, Some(Band::High));
        // Lead times from the run's start (no git): 2.5h and 28h20m.
        assert_eq!(r.lead_time.measured, 2);
        assert_eq!(r.lead_time.median.value, Some((9_000.0 + 102_000.0) / 2.0));
        assert_eq!(r.lead_time.p90.value, Some(102_000.0));
        assert_eq!(r.lead_time.pipeline.value, Some(600.0));
        assert_eq!(r.lead_time.rollout.value, Some(1_500.0));
        assert_eq!(r.lead_time.median.band, Some(Band::Elite));
        assert_eq!(r.deployments[0].change_time_source, Some("run start"));
        assert_eq!(r.deployments[0].approval_wait_s, Some(6_600));
        let c = &r.change_failure_rate;
        assert_eq!((c.changes, c.failed, c.aborted), (3, 1, 1));
        assert!((c.rate.value.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(c.rate.band, Some(Band::Low));
        // Restored 2 minutes after the first failed analysis.
        assert_eq!(r.time_to_restore.median.value, Some(120.0));
        assert_eq!(r.time_to_restore.median.band, Some(Band::Elite));
        assert_eq!(r.overall, Some(Band::Low));
        assert_eq!(r.success.deployment_success_rate.value, Some(2.0 / 3.0));
        assert_eq!(r.success.rollback_count, 1);
        assert_eq!(r.success.automation_coverage.value, Some(1.0));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn lead_time_uses_the_committer_time_of_a_squashed_commit() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.email=dev@example.com", "-c", "user.name=dev"])
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_DATE", "2026-02-01T08:00:00Z")
                .env("GIT_COMMITTER_DATE", "2026-03-02T07:00:00Z")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        git(&["init", "-q"]);
        git(&["commit", "-q", "--allow-empty", "-m", "squashed: a month of work"]);
        let commit = git(&["rev-parse", "HEAD"]);
        let t = git_committer_time(dir.path(), &commit).unwrap();
        assert_eq!(t, "2026-03-02T07:00:00Z".parse::<Timestamp>().unwrap());
        let mut l = L::default();
        l.run(
            &commit,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            false,
        );
        // Deployed by its commit prefix, as `lockgate deploy` does by default.
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", &commit[..12]);
        let root = dir.path().to_owned();
        let r = report(&l.0, &params("2026-03-09T00:00:00Z", 7), &|c| {
            git_committer_time(&root, c)
        });
        let d = &r.deployments[0];
        assert_eq!(d.change_time_source, Some("commit"));
        assert_eq!(d.commit.as_deref(), Some(commit.as_str()));
        // 07:00 → 10:30, not a month from the author date.
        assert_eq!(d.lead_time_s, Some(3 * 3_600 + 1_800));
        assert_eq!(d.pipeline_s, Some(3_600 + 600));
        assert!(git_committer_time(dir.path(), "not-a-commit").is_none());
    }

    #[test]
    fn an_incident_reopened_while_open_is_one_update_not_two_failures() {
        let mut l = L::default();
        l.run(
            C1,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            false,
        );
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", "v1");
        l.deploy("2026-03-03T10:00:00Z", "2026-03-03T10:30:00Z", "v2");
        let id = l.incident("2026-03-03T11:00:00Z", None);
        // The alert fires again and someone edits the incident: updates.
        l.incident("2026-03-03T11:05:00Z", Some("v2"));
        l.incident("2026-03-03T11:10:00Z", None);
        l.resolve("2026-03-03T13:00:00Z", None);
        let mut inc = Incidents::default();
        for e in &l.0 {
            inc.apply(e);
        }
        assert_eq!(inc.all.len(), 1);
        let i = &inc.all[&id];
        assert_eq!((i.updates, i.caused_by.as_deref()), (2, Some("v2")));
        assert!(inc.open_for("web", "production").is_none());
        let r = rep(&l, "2026-03-10T00:00:00Z", 14);
        assert_eq!(r.incidents.len(), 1);
        assert_eq!((r.change_failure_rate.failed, r.change_failure_rate.changes), (1, 2));
        assert_eq!(r.change_failure_rate.with_incident, 1);
        assert_eq!(
            r.deployments[1].failure.as_deref(),
            Some(format!("incident {id}").as_str())
        );
        assert_eq!(r.time_to_restore.restored, 1);
        assert_eq!(r.time_to_restore.median.value, Some(7_200.0));
        assert_eq!(r.time_to_restore.median.band, Some(Band::High));
        // Open again after it was resolved: a new incident.
        let mut l2 = l;
        let again = l2.incident("2026-03-04T09:00:00Z", Some("v2"));
        let r = rep(&l2, "2026-03-10T00:00:00Z", 14);
        assert_eq!(r.incidents.len(), 2);
        assert_eq!(r.incidents[1].id, again);
        // Still one failed deployment; the second incident is still open.
        assert_eq!(r.change_failure_rate.failed, 1);
        assert_eq!(r.time_to_restore.unrestored, 1);
    }

    #[test]
    fn resolve_by_id_and_resolving_twice_changes_nothing() {
        let mut l = L::default();
        let id = l.incident("2026-03-03T11:00:00Z", None);
        l.resolve("2026-03-03T11:30:00Z", Some(id));
        l.resolve("2026-03-03T12:30:00Z", Some(id));
        l.resolve("2026-03-03T12:40:00Z", None);
        let mut inc = Incidents::default();
        for e in &l.0 {
            inc.apply(e);
        }
        assert_eq!(inc.all[&id].resolved, Some("2026-03-03T11:30:00Z".parse().unwrap()));
    }

    #[test]
    fn incidents_count_against_a_deployment_only_within_the_window_or_by_version() {
        let mut l = L::default();
        l.deploy("2026-03-01T10:00:00Z", "2026-03-01T10:30:00Z", "v1");
        // Two days later, no version named: nobody's fault by this definition.
        l.incident("2026-03-03T11:00:00Z", None);
        l.resolve("2026-03-03T11:20:00Z", None);
        let r = rep(&l, "2026-03-10T00:00:00Z", 30);
        assert_eq!(r.change_failure_rate.failed, 0);
        // But it still took 20 minutes to restore.
        assert_eq!(r.time_to_restore.median.value, Some(1_200.0));
        l.incident("2026-03-05T11:00:00Z", Some("v1"));
        let r = rep(&l, "2026-03-10T00:00:00Z", 30);
        assert_eq!(r.change_failure_rate.failed, 1);
    }

    #[test]
    fn a_rolled_back_deployment_fails_once_and_the_rollback_is_no_change() {
        let mut l = L::default();
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", "v1");
        l.deploy("2026-03-02T11:00:00Z", "2026-03-02T11:30:00Z", "v2");
        // Instant rollback to the warm v1, then an incident blaming v2 too.
        l.add(
            "2026-03-02T11:40:00Z",
            "rollout.rolled_back",
            json!({ "service": "web", "env": "production", "from": "v2", "to": "v1", "instant": true }),
        );
        l.incident("2026-03-02T11:41:00Z", Some("v2"));
        // A rollback redeploy of v1 (not a change).
        let rb = l.add(
            "2026-03-02T12:00:00Z",
            "rollout.started",
            json!({ "service": "web", "env": "production", "to": "v1", "from": "v2", "strategy": "rollback" }),
        );
        l.complete("2026-03-02T12:05:00Z", rb, "v1");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        let c = &r.change_failure_rate;
        assert_eq!((c.changes, c.failed, c.rolled_back), (2, 1, 1));
        assert_eq!(r.deployment_frequency.deployments, 2);
        assert_eq!(r.success.rollback_count, 1);
        assert_eq!(r.deployments.len(), 3);
        assert!(r.deployments[1].failure.as_deref().unwrap().starts_with("rolled back"));
    }

    #[test]
    fn clock_skew_never_gives_a_negative_duration() {
        let mut l = L::default();
        l.run(
            C1,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            false,
        );
        // Completed (another machine's clock) 5 minutes before it started.
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T09:55:00Z", "v1");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        let d = &r.deployments[0];
        assert_eq!(d.rollout_s, Some(0));
        assert_eq!(d.lead_time_s, Some(6_900));
        assert!(r.warnings.iter().any(|w| w.contains("clock skew")), "{:?}", r.warnings);
        // An incident resolved before it opened restores in 0s.
        let mut l = L::default();
        l.incident("2026-03-03T11:00:00Z", None);
        l.resolve("2026-03-03T10:59:00Z", None);
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.time_to_restore.median.value, Some(0.0));
        // Events stamped after now still count, with a warning.
        let mut l = L::default();
        l.deploy("2026-03-11T10:00:00Z", "2026-03-11T10:30:00Z", "v1");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.deployment_frequency.deployments, 1);
        assert!(r.warnings.iter().any(|w| w.contains("after now")));
    }

    #[test]
    fn deployment_days_are_utc_days() {
        let mut l = L::default();
        l.deploy("2026-03-02T23:00:00Z", "2026-03-02T23:30:00Z", "v1");
        l.deploy("2026-03-03T00:10:00Z", "2026-03-03T00:30:00Z", "v2");
        l.deploy("2026-03-03T22:00:00Z", "2026-03-03T23:59:00Z", "v3");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.deployment_frequency.deployments, 3);
        // 23:30 and 00:30 are two days; 00:30 and 23:59 of one UTC day are one
        // (in Berlin, 00:30 UTC+1 would be 01:30: still the 3rd — no local days).
        assert_eq!(r.deployment_frequency.deployment_days, 2);
        // A rollout completed at 2026-03-03T00:30+01:00 is 2026-03-02 23:30 UTC.
        let t: Timestamp = "2026-03-03T00:30:00+01:00".parse().unwrap();
        assert_eq!(utc_day(t), jiff::civil::date(2026, 3, 2));
    }

    #[test]
    fn an_empty_period_has_no_values_and_says_why() {
        let r = rep(&L::default(), "2026-03-10T00:00:00Z", 30);
        assert_eq!(r.deployment_frequency.deployments, 0);
        assert_eq!(r.deployment_frequency.per_week.value, Some(0.0));
        assert_eq!(r.deployment_frequency.per_week.band, Some(Band::Low));
        for m in [
            &r.lead_time.median,
            &r.lead_time.p90,
            &r.change_failure_rate.rate,
            &r.time_to_restore.median,
            &r.success.deployment_success_rate,
            &r.success.gate_pass_rate,
            &r.success.mean_approval_wait,
            &r.success.automation_coverage,
        ] {
            assert!(m.value.is_none() && m.reason.is_some() && m.band.is_none() && m.trend.is_none());
        }
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("NaN") && text.contains("\"value\":null"));
        assert_eq!(r.overall, Some(Band::Low));
    }

    #[test]
    fn trend_compares_with_the_previous_period() {
        let mut l = L::default();
        // Previous week: one deployment, aborted change.
        l.deploy("2026-03-01T10:00:00Z", "2026-03-01T10:30:00Z", "v1");
        let a = l.start("2026-03-01T11:00:00Z", "v2");
        l.abort("2026-03-01T11:05:00Z", a);
        // This week: three deployments.
        for (i, d) in ["04", "05", "06"].iter().enumerate() {
            l.deploy(
                &format!("2026-03-{d}T10:00:00Z"),
                &format!("2026-03-{d}T10:30:00Z"),
                &format!("v{}", i + 3),
            );
        }
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        let f = &r.deployment_frequency;
        assert_eq!((f.deployments, f.previous_deployments), (3, 1));
        let t = f.per_week.trend.as_ref().unwrap();
        assert_eq!((t.direction, t.better), (Direction::Up, Some(true)));
        assert_eq!(t.change_pct, Some(200.0));
        let c = &r.change_failure_rate.rate;
        assert_eq!((c.value, c.previous), (Some(0.0), Some(0.5)));
        let t = c.trend.as_ref().unwrap();
        assert_eq!((t.direction, t.better), (Direction::Down, Some(true)));
        assert_eq!(r.success.previous_rollback_count, 1);
    }

    #[test]
    fn break_glass_and_unlinked_changes_are_not_automated() {
        let mut l = L::default();
        l.run(
            C1,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            true,
        );
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", "v1");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert!(r.deployments[0].break_glass && !r.deployments[0].automated);
        assert_eq!(r.success.automation_coverage.value, Some(0.0));
        let mut l = L::default();
        l.deploy("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", "v1");
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.success.automation_coverage.value, Some(0.0));
        assert!(r.lead_time.median.value.is_none());
        assert_eq!(
            r.lead_time.median.reason.as_deref(),
            Some("no deployment in the period can be traced to a pipeline run")
        );
    }

    #[test]
    fn gate_pass_rate_and_approval_wait_count_the_environments_gates() {
        let mut l = L::default();
        let run = l.run(
            C1,
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:10:00Z",
            "2026-03-02T09:00:00Z",
            false,
        );
        for (t, status, gate) in [
            ("2026-03-02T08:20:00Z", "waiting", "prod"),
            ("2026-03-02T08:50:00Z", "open", "prod"),
            ("2026-03-02T08:50:00Z", "failed", "staging"),
        ] {
            l.add(t, "gate.evaluated", json!({ "gate": gate, "status": status }));
        }
        l.add(
            "2026-03-02T08:30:00Z",
            "gate.approved",
            json!({ "gate": "prod", "run": run }),
        );
        l.add(
            "2026-03-02T08:40:00Z",
            "gate.approved",
            json!({ "gate": "prod", "run": run }),
        );
        l.add(
            "2026-03-02T08:40:00Z",
            "gate.approved",
            json!({ "gate": "prod", "run": run, "break_glass": true }),
        );
        let r = rep(&l, "2026-03-09T00:00:00Z", 7);
        assert_eq!(r.success.gate_pass_rate.value, Some(0.5));
        assert_eq!(r.success.mean_approval_wait.value, Some(1_500.0));
    }

    #[test]
    fn bands_cut_offs() {
        assert_eq!(frequency_band(7.0), Band::Elite);
        assert_eq!(frequency_band(6.9), Band::High);
        assert_eq!(frequency_band(1.0), Band::High);
        assert_eq!(frequency_band(0.25), Band::Medium);
        assert_eq!(frequency_band(0.2), Band::Low);
        assert_eq!(lead_time_band(86_399.0), Band::Elite);
        assert_eq!(lead_time_band(86_400.0), Band::High);
        assert_eq!(lead_time_band(7.0 * 86_400.0), Band::Medium);
        assert_eq!(lead_time_band(30.0 * 86_400.0), Band::Low);
        assert_eq!(failure_rate_band(0.05), Band::Elite);
        assert_eq!(failure_rate_band(0.10), Band::High);
        assert_eq!(failure_rate_band(0.15), Band::Medium);
        assert_eq!(failure_rate_band(0.151), Band::Low);
        assert_eq!(restore_band(3_599.0), Band::Elite);
        assert_eq!(restore_band(3_600.0), Band::High);
        assert_eq!(restore_band(86_400.0), Band::Medium);
        assert_eq!(restore_band(7.0 * 86_400.0), Band::Low);
        assert_eq!(median(&[3, 1, 2, 10]), Some(2.5));
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90.0), Some(9.0));
        assert_eq!(percentile(&[5], 90.0), Some(5.0));
    }

    /// Real parts: events appended to a SQLite ledger and read back.
    #[test]
    fn a_real_ledger_gives_the_same_answers() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger =
            crate::ledger::Ledger::open(crate::ledger::Config::in_dir(dir.path(), "lockgate/test")).unwrap();
        let sys = Actor::system();
        let ev = |kind: &str, payload: Value| NewEvent::json(sys.clone(), kind, "service/web/production", payload);
        let start = |v: &str| {
            ev(
                "rollout.started",
                json!({ "service": "web", "env": "production", "to": v, "strategy": "canary" }),
            )
        };
        let s1 = ledger.append(start("v1")).unwrap().seq();
        ledger
            .append(ev(
                "rollout.completed",
                json!({ "service": "web", "env": "production", "rollout": s1, "version": "v1" }),
            ))
            .unwrap();
        let s2 = ledger.append(start("v2")).unwrap().seq();
        ledger
            .append(ev(
                "rollout.aborted",
                json!({ "service": "web", "env": "production", "rollout": s2 }),
            ))
            .unwrap();
        let id = ledger
            .append(incident_open_event(
                sys.clone(),
                "web",
                "production",
                Some("v1"),
                None,
                "test",
            ))
            .unwrap()
            .seq();
        ledger
            .append(incident_open_event(
                sys.clone(),
                "web",
                "production",
                None,
                None,
                "alertmanager",
            ))
            .unwrap();
        let mut inc = crate::ledger::projection::Projected::new(Incidents::default());
        inc.catch_up(&ledger).unwrap();
        assert_eq!(inc.state.open_for("web", "production").unwrap().id, id);
        ledger
            .append(incident_resolve_event(sys.clone(), "web", "production", None, "test"))
            .unwrap();
        inc.catch_up(&ledger).unwrap();
        assert!(inc.state.open_for("web", "production").is_none());
        let mut events = Vec::new();
        ledger
            .scan(1, &mut |e| {
                events.push(e);
                Ok(true)
            })
            .unwrap();
        let now = events.last().unwrap().body.time + SignedDuration::from_secs(1);
        let mut p = params("2026-03-10T00:00:00Z", 1);
        p.now = now;
        let r = report(&events, &p, &no_git);
        assert_eq!(r.deployment_frequency.deployments, 1);
        assert_eq!((r.change_failure_rate.failed, r.change_failure_rate.changes), (2, 2));
        assert_eq!(r.incidents.len(), 1);
        assert_eq!(r.incidents[0].updates, 1);
        assert_eq!(r.time_to_restore.restored, 2);
    }
}
