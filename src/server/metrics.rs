//! lockgate's own metrics in the Prometheus text exposition format
//! (version 0.0.4), served at `GET /metrics`.
//!
//! Three sources, all prefixed `lockgate_`:
//!
//! - **live, in this process**: HTTP requests by method, route template and
//!   status code; request duration by route; access denials by reason;
//!   ledger append latency. They start from zero when the server starts
//!   (Prometheus sees a counter reset).
//! - **the ledger**: rollouts by outcome, gate evaluations by status, gate
//!   decisions, refusals, pipeline job and run durations, ledger size,
//!   latest signed checkpoint and whether the ledger verifies. These are a
//!   projection ([`LedgerCounts`]) caught up on every scrape, so they are
//!   right across restarts and count what the CLI recorded too.
//! - **the proxies**: requests, errors and a latency histogram per
//!   service, environment and version, read from each proxy's counters.
//!
//! The format is written by hand (see [`Exposition`]) rather than with the
//! `prometheus-client` crate: most families here are absolute values
//! computed at scrape time (folded from the ledger, read from the proxies'
//! counters), which that crate's registry of live metrics fits only
//! through custom collectors; the encoder needed is small, its escaping is
//! unit-tested here, and the integration test checks the whole output
//! with Prometheus's own `promtool check metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Ctx, lock};
use crate::ledger::projection::{Projected, Projection};
use crate::ledger::{Event, Ledger};

/// Bounds (seconds) of request latency histograms: HTTP and proxies.
pub(crate) const REQUEST_BOUNDS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Bounds (seconds) of ledger append latency.
const APPEND_BOUNDS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];
/// Bounds (seconds) of pipeline job and run durations.
const JOB_BOUNDS: &[f64] = &[
    0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];
/// How long a ledger verification result is reused.
const VERIFY_EVERY: Duration = Duration::from_secs(60);

/// The server's metrics: live counters plus what each scrape reads.
pub struct Metrics {
    live: Mutex<Live>,
    ledger: Mutex<LedgerSide>,
    /// When the ledger was last verified, and whether it verified.
    verified: Mutex<Option<(Instant, bool)>>,
    /// The last DORA report (30 days, the production environment).
    dora: Mutex<Option<(Instant, Option<crate::insight::dora::Report>)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            live: Mutex::new(Live {
                http: BTreeMap::new(),
                http_duration: BTreeMap::new(),
                denied: BTreeMap::new(),
                append: Histogram::new(APPEND_BOUNDS),
            }),
            ledger: Mutex::default(),
            verified: Mutex::new(None),
            dora: Mutex::new(None),
        }
    }
}

struct Live {
    /// (method, route, status) → requests.
    http: BTreeMap<(&'static str, String, u16), u64>,
    http_duration: BTreeMap<String, Histogram>,
    denied: BTreeMap<&'static str, u64>,
    append: Histogram,
}

#[derive(Default)]
struct LedgerSide {
    /// A read connection, opened on the first scrape.
    ledger: Option<Ledger>,
    counts: Projected<LedgerCounts>,
    /// The last scrape could not read the ledger (logged once per outage).
    failing: bool,
}

impl Metrics {
    /// One request answered: `route` is the matched route template (or
    /// `unmatched`), so the label values stay few.
    pub fn http(&self, method: &str, route: &str, status: u16, d: Duration) {
        let method = method_label(method);
        let mut live = lock(&self.live);
        *live.http.entry((method, route.to_string(), status)).or_default() += 1;
        live.http_duration
            .entry(route.to_string())
            .or_insert_with(|| Histogram::new(REQUEST_BOUNDS))
            .observe(d.as_secs_f64());
    }

    /// One access denial, counted by the kind of its reason.
    pub fn denied(&self, reason: &str) {
        *lock(&self.live).denied.entry(reason_label(reason)).or_default() += 1;
    }

    /// One append to the ledger through the server's committer.
    pub fn ledger_append(&self, d: Duration) {
        lock(&self.live).append.observe(d.as_secs_f64());
    }

    /// The exposition text. Reads the ledger and asks each unit for its
    /// status: call it from a blocking thread (`spawn_blocking`).
    pub fn render(&self, app: &Ctx) -> anyhow::Result<String> {
        let mut w = Exposition::default();
        w.family(
            "lockgate_build_info",
            "gauge",
            "The running lockgate's version (always 1).",
            [(vec![("version", env!("CARGO_PKG_VERSION").to_string())], 1.0)],
        );
        let ready = app.ready.load(std::sync::atomic::Ordering::Relaxed) && !*app.stop.borrow();
        w.family(
            "lockgate_ready",
            "gauge",
            "1 when the server is ready to serve (as /readyz), 0 while starting or stopping.",
            [(vec![], f64::from(u8::from(ready)))],
        );
        self.render_live(&mut w);
        self.render_ledger(app, &mut w);
        render_proxies(&proxy_samples(app), &mut w);
        if let Some(r) = self.dora(app) {
            render_dora(&r, &mut w);
        }
        Ok(w.out)
    }

    /// The DORA report of the last 30 days for the production environment,
    /// recomputed at most every [`VERIFY_EVERY`] (it asks git for commit times).
    fn dora(&self, app: &Ctx) -> Option<crate::insight::dora::Report> {
        let mut cached = lock(&self.dora);
        if let Some((at, r)) = &*cached
            && at.elapsed() < VERIFY_EVERY
        {
            return r.clone();
        }
        let args = crate::cli::MetricsArgs {
            env: None,
            since: "30d".into(),
            service: None,
            json: true,
        };
        let r = match crate::commands::metrics::compute(&app.g, &args) {
            Ok((r, _)) => Some(r),
            Err(e) => {
                eprintln!("lockgate serve: metrics: cannot compute the DORA keys: {e:#}");
                None
            }
        };
        *cached = Some((Instant::now(), r.clone()));
        r
    }

    fn render_live(&self, w: &mut Exposition) {
        let live = lock(&self.live);
        w.family(
            "lockgate_http_requests_total",
            "counter",
            "HTTP requests answered by the server, by method, route template and status code.",
            live.http.iter().map(|((m, r, s), n)| {
                (
                    vec![
                        ("method", m.to_string()),
                        ("route", r.clone()),
                        ("status", s.to_string()),
                    ],
                    *n as f64,
                )
            }),
        );
        w.histograms(
            "lockgate_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            live.http_duration.iter().map(|(r, h)| (vec![("route", r.clone())], h)),
        );
        w.family(
            "lockgate_access_denials_total",
            "counter",
            "Requests refused by the access guard, by kind of reason.",
            live.denied
                .iter()
                .map(|(r, n)| (vec![("reason", r.to_string())], *n as f64)),
        );
        w.histograms(
            "lockgate_ledger_append_duration_seconds",
            "Time to append events to the ledger through the server's committer.",
            [(vec![], &live.append)],
        );
    }

    fn render_ledger(&self, app: &Ctx, w: &mut Exposition) {
        let mut side = lock(&self.ledger);
        let read = (|| -> anyhow::Result<(u64, u64)> {
            if side.ledger.is_none() {
                side.ledger = Some(crate::commands::open_ledger_read(&app.g)?);
            }
            let LedgerSide { ledger, counts, .. } = &mut *side;
            let ledger = ledger.as_ref().expect("opened above");
            counts.catch_up(ledger)?;
            let checkpoint = ledger.latest_checkpoint()?.map_or(0, |c| c.size);
            Ok((ledger.size()?, checkpoint))
        })();
        w.family(
            "lockgate_ledger_readable",
            "gauge",
            "1 when this scrape could read the ledger; 0 leaves out the families read from it.",
            [(vec![], f64::from(u8::from(read.is_ok())))],
        );
        let (events, checkpoint) = match read {
            Ok(x) => {
                side.failing = false;
                x
            }
            Err(e) => {
                if !side.failing {
                    eprintln!("lockgate serve: metrics: cannot read the ledger: {e:#}");
                }
                side.failing = true;
                // Reopen on the next scrape.
                side.ledger = None;
                return;
            }
        };
        w.family(
            "lockgate_ledger_events",
            "gauge",
            "Events in the ledger.",
            [(vec![], events as f64)],
        );
        w.family(
            "lockgate_ledger_checkpoint_size",
            "gauge",
            "Events covered by the latest signed checkpoint (0 before the first).",
            [(vec![], checkpoint as f64)],
        );
        side.counts.state.write(w);
        drop(side);
        let verified = self.verified(app);
        w.family(
            "lockgate_ledger_verified",
            "gauge",
            "1 when the ledger verified against the pinned key (checked at most once a minute), else 0.",
            [(vec![], f64::from(u8::from(verified)))],
        );
    }

    /// Whether the ledger verifies, recomputed at most every [`VERIFY_EVERY`].
    fn verified(&self, app: &Ctx) -> bool {
        let mut cached = lock(&self.verified);
        match *cached {
            Some((at, ok)) if at.elapsed() < VERIFY_EVERY => ok,
            _ => {
                let ok = match super::api::verify_view(&app.g) {
                    Ok(r) => r.ok(),
                    Err(e) => {
                        eprintln!("lockgate serve: metrics: cannot verify the ledger: {e:#}");
                        false
                    }
                };
                *cached = Some((Instant::now(), ok));
                ok
            }
        }
    }
}

/// The four keys of the last 30 days as gauges (absent while undefined,
/// e.g. no deployments), labelled with the environment.
fn render_dora(r: &crate::insight::dora::Report, w: &mut Exposition) {
    let env = || vec![("env", r.env.clone())];
    w.family(
        "lockgate_dora_deployments",
        "gauge",
        "Deployments (completed rollouts) to the environment in the last 30 days.",
        [(env(), r.deployment_frequency.deployments as f64)],
    );
    w.family(
        "lockgate_dora_deployment_dates",
        "gauge",
        "Distinct UTC dates with at least one deployment in the last 30 days (deployment-days).",
        [(env(), r.deployment_frequency.deployment_days as f64)],
    );
    let q = |quantile: &str, m: &crate::insight::dora::Metric| {
        m.value
            .map(|v| (vec![("env", r.env.clone()), ("quantile", quantile.to_string())], v))
    };
    w.family(
        "lockgate_dora_lead_time_seconds",
        "gauge",
        "Lead time for changes (commit to completed production rollout) over the last 30 days.",
        [q("0.5", &r.lead_time.median), q("0.9", &r.lead_time.p90)]
            .into_iter()
            .flatten(),
    );
    w.family(
        "lockgate_dora_change_failure_ratio",
        "gauge",
        "Changes that failed (aborted, rolled back or followed by an incident) over all changes, last 30 days.",
        r.change_failure_rate.rate.value.map(|v| (env(), v)),
    );
    w.family(
        "lockgate_dora_time_to_restore_seconds",
        "gauge",
        "Time to restore service after a failure over the last 30 days.",
        [q("0.5", &r.time_to_restore.median), q("0.9", &r.time_to_restore.p90)]
            .into_iter()
            .flatten(),
    );
}

/// A standard method, or `other` (a client may send any token).
fn method_label(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// The kind of a denial reason: the reasons themselves name actors,
/// gates and routes, too many values for a label.
fn reason_label(reason: &str) -> &'static str {
    match reason {
        "not signed in" => "not_signed_in",
        "unknown token" => "unknown_token",
        "revoked token" => "revoked_token",
        "expired token" => "expired_token",
        "session of a removed user or revoked token" => "stale_session",
        "identity store unavailable" => "identity_store_unavailable",
        "route not in the access table" => "route_not_in_table",
        "missing or wrong CSRF token" => "csrf",
        r if r.starts_with("role ") => "role",
        r if r.contains(" may decide only on gates ") => "gate_scope",
        r if r.contains(" may decide only for environments ") => "environment_scope",
        _ => "other",
    }
}

// ---- the ledger's families -------------------------------------------------

/// Counts folded from the ledger for `/metrics`.
#[derive(Default, Debug)]
pub struct LedgerCounts {
    /// (service, env) → rollouts started.
    started: BTreeMap<(String, String), u64>,
    /// (service, env, outcome) → rollouts ended.
    rollouts: BTreeMap<(String, String, &'static str), u64>,
    /// (gate, status) → evaluations.
    evaluations: BTreeMap<(String, String), u64>,
    /// (gate, decision) → approvals, break-glass approvals, rejections.
    decisions: BTreeMap<(String, &'static str), u64>,
    /// event kind → refusals.
    refusals: BTreeMap<&'static str, u64>,
    /// (job, outcome) → durations of jobs that ran (cached ones did not).
    jobs: BTreeMap<(String, String), Histogram>,
    /// run status → durations.
    runs: BTreeMap<String, Histogram>,
}

impl Projection for LedgerCounts {
    fn apply(&mut self, e: &Event) {
        use crate::delivery::state as d;
        use crate::gates::state as g;
        let p = &e.body.payload;
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("unknown").to_string();
        let seconds = || {
            p.get("duration_ms")
                .and_then(Value::as_u64)
                .map(|ms| ms as f64 / 1000.0)
        };
        let kind = e.body.kind.as_str();
        match kind {
            d::ROLLOUT_STARTED => *self.started.entry((s("service"), s("env"))).or_default() += 1,
            d::ROLLOUT_COMPLETED | d::ROLLOUT_ABORTED | d::ROLLED_BACK => {
                let outcome = match kind {
                    d::ROLLOUT_COMPLETED => "completed",
                    d::ROLLOUT_ABORTED => "aborted",
                    _ => "rolled_back",
                };
                *self.rollouts.entry((s("service"), s("env"), outcome)).or_default() += 1;
            }
            g::EVALUATED => *self.evaluations.entry((s("gate"), s("status"))).or_default() += 1,
            g::APPROVED | g::REJECTED => {
                let decision = if kind == g::REJECTED {
                    "rejected"
                } else if p.get("break_glass").and_then(Value::as_bool) == Some(true) {
                    "break_glass"
                } else {
                    "approved"
                };
                *self.decisions.entry((s("gate"), decision)).or_default() += 1;
            }
            g::REFUSED | d::DEPLOY_REFUSED | "api.denied" => {
                let k = match kind {
                    g::REFUSED => g::REFUSED,
                    d::DEPLOY_REFUSED => d::DEPLOY_REFUSED,
                    _ => "api.denied",
                };
                *self.refusals.entry(k).or_default() += 1;
            }
            "job.finished" if p.get("cached").and_then(Value::as_bool) != Some(true) => {
                if let Some(secs) = seconds() {
                    self.jobs
                        .entry((s("job"), s("outcome")))
                        .or_insert_with(|| Histogram::new(JOB_BOUNDS))
                        .observe(secs);
                }
            }
            "run.finished" => {
                if let Some(secs) = seconds() {
                    self.runs
                        .entry(s("status"))
                        .or_insert_with(|| Histogram::new(JOB_BOUNDS))
                        .observe(secs);
                }
            }
            _ => {}
        }
    }
}

impl LedgerCounts {
    fn write(&self, w: &mut Exposition) {
        w.family(
            "lockgate_rollouts_started_total",
            "counter",
            "Rollouts started, by service and environment.",
            self.started
                .iter()
                .map(|((svc, env), n)| (vec![("service", svc.clone()), ("env", env.clone())], *n as f64)),
        );
        w.family(
            "lockgate_rollouts_total",
            "counter",
            "Rollouts ended, by service, environment and outcome (completed, aborted, rolled_back).",
            self.rollouts.iter().map(|((svc, env, o), n)| {
                (
                    vec![
                        ("service", svc.clone()),
                        ("env", env.clone()),
                        ("outcome", o.to_string()),
                    ],
                    *n as f64,
                )
            }),
        );
        w.family(
            "lockgate_gate_evaluations_total",
            "counter",
            "Recorded gate evaluations, by gate and status (open, failed, waiting, blocked).",
            self.evaluations
                .iter()
                .map(|((gate, st), n)| (vec![("gate", gate.clone()), ("status", st.clone())], *n as f64)),
        );
        w.family(
            "lockgate_gate_decisions_total",
            "counter",
            "Gate approvals and rejections, by gate and decision (approved, break_glass, rejected).",
            self.decisions
                .iter()
                .map(|((gate, dec), n)| (vec![("gate", gate.clone()), ("decision", dec.to_string())], *n as f64)),
        );
        w.family(
            "lockgate_refusals_total",
            "counter",
            "Refused attempts recorded in the ledger, by event kind (gate.refused, deploy.refused, api.denied).",
            self.refusals
                .iter()
                .map(|(k, n)| (vec![("kind", k.to_string())], *n as f64)),
        );
        w.histograms(
            "lockgate_pipeline_job_duration_seconds",
            "Duration of pipeline jobs that ran (cached ones are left out), by job and outcome.",
            self.jobs
                .iter()
                .map(|((job, o), h)| (vec![("job", job.clone()), ("outcome", o.clone())], h)),
        );
        w.histograms(
            "lockgate_pipeline_run_duration_seconds",
            "Duration of pipeline runs, by status.",
            self.runs.iter().map(|(st, h)| (vec![("status", st.clone())], h)),
        );
    }
}

// ---- the proxies ------------------------------------------------------------

/// What one version of one unit's proxy has counted.
#[derive(Debug, Default, Clone, PartialEq)]
struct ProxySample {
    service: String,
    env: String,
    version: String,
    requests: u64,
    /// 5xx answers plus attempts that got no answer.
    errors: u64,
    /// The proxy's log-linear latency buckets ([`crate::delivery::metrics`]),
    /// when the source has them; empty when not.
    hist: Vec<u64>,
}

/// Each unit's per-version proxy counters, from its status (the unit
/// answers on its own task: block on it here, on the blocking thread
/// `render` runs on). A unit that does not answer in time is left out.
fn proxy_samples(app: &Ctx) -> Vec<ProxySample> {
    let mut out = Vec::new();
    for ((service, env), unit) in app.units.iter() {
        for (version, snap) in unit.proxy.snapshots() {
            out.push(ProxySample {
                service: service.clone(),
                env: env.clone(),
                version,
                requests: snap.requests,
                errors: snap.server_errors + snap.failures,
                hist: snap.hist,
            });
        }
    }
    out.sort_by(|a, b| (&a.service, &a.env, &a.version).cmp(&(&b.service, &b.env, &b.version)));
    out
}

fn render_proxies(samples: &[ProxySample], w: &mut Exposition) {
    let labels = |s: &ProxySample| {
        vec![
            ("service", s.service.clone()),
            ("env", s.env.clone()),
            ("version", s.version.clone()),
        ]
    };
    w.family(
        "lockgate_proxy_requests_total",
        "counter",
        "Requests through a service's proxy, by service, environment and version (since the server started).",
        samples.iter().map(|s| (labels(s), s.requests as f64)),
    );
    w.family(
        "lockgate_proxy_errors_total",
        "counter",
        "Proxied requests that failed: 5xx answers and attempts without an answer.",
        samples.iter().map(|s| (labels(s), s.errors as f64)),
    );
    let hists: Vec<(Labels, Histogram)> = samples
        .iter()
        .filter(|s| !s.hist.is_empty())
        .map(|s| (labels(s), proxy_histogram(&s.hist)))
        .collect();
    w.histograms(
        "lockgate_proxy_request_duration_seconds",
        "Time to response headers through the proxy (bucketed from the proxy's finer buckets; the sum is approximate).",
        hists.iter().map(|(l, h)| (l.clone(), h)),
    );
}

/// The upper bound (µs) of each of the proxy's latency buckets, read
/// through its public quantile (so this follows its bucket scheme).
fn proxy_bucket_uppers() -> &'static [u64] {
    static UPPERS: OnceLock<Vec<u64>> = OnceLock::new();
    UPPERS.get_or_init(|| {
        use crate::delivery::metrics::{BUCKETS, Snapshot};
        (0..BUCKETS)
            .map(|i| {
                let mut hist = vec![0; BUCKETS];
                hist[i] = 1;
                let s = Snapshot {
                    requests: 1,
                    hist,
                    ..Snapshot::default()
                };
                s.quantile(1.0)
                    .map_or(u64::MAX, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            })
            .collect()
    })
}

/// The proxy's log-linear buckets as a histogram over [`REQUEST_BOUNDS`].
/// A fine bucket counts under the first bound at or above its upper edge
/// (at most 12.5 % late); the sum takes each bucket's midpoint.
fn proxy_histogram(hist: &[u64]) -> Histogram {
    let uppers = proxy_bucket_uppers();
    let mut h = Histogram::new(REQUEST_BOUNDS);
    let mut lower = 0u64;
    for (i, n) in hist.iter().enumerate() {
        let upper = uppers.get(i).copied().unwrap_or(u64::MAX);
        if *n > 0 {
            let upper_s = upper as f64 / 1e6;
            let slot = REQUEST_BOUNDS
                .iter()
                .position(|b| upper_s <= *b)
                .unwrap_or(REQUEST_BOUNDS.len());
            h.buckets[slot] += n;
            h.count += n;
            let mid = if i == 0 {
                0.0
            } else {
                (lower as f64 + upper as f64) / 2.0 / 1e6
            };
            h.sum += mid * *n as f64;
        }
        lower = upper;
    }
    h
}

// ---- the exposition format --------------------------------------------------

/// A fixed-bounds histogram: counts per bucket (not cumulative; the last
/// one is above every bound), sum and count.
#[derive(Debug, Clone)]
struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            buckets: vec![0; bounds.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, v: f64) {
        let i = self.bounds.iter().position(|b| v <= *b).unwrap_or(self.bounds.len());
        self.buckets[i] += 1;
        self.sum += v;
        self.count += 1;
    }
}

type Labels = Vec<(&'static str, String)>;

/// Text exposition format 0.0.4: HELP and TYPE before each family's
/// samples; a family without samples is left out.
#[derive(Default)]
struct Exposition {
    out: String,
}

impl Exposition {
    fn header(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, String)], le: Option<&str>, value: f64) {
        self.out.push_str(name);
        let extra = le.map(|l| ("le", l.to_string()));
        let all: Vec<&(&str, String)> = labels.iter().chain(extra.as_ref()).collect();
        if !all.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in all.into_iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", number(value));
    }

    /// A counter or gauge family.
    fn family(&mut self, name: &str, kind: &str, help: &str, samples: impl IntoIterator<Item = (Labels, f64)>) {
        let mut samples = samples.into_iter().peekable();
        if samples.peek().is_none() {
            return;
        }
        self.header(name, kind, help);
        for (labels, v) in samples {
            self.sample(name, &labels, None, v);
        }
    }

    /// A histogram family: cumulative `_bucket`s up to `+Inf`, `_sum`, `_count`.
    fn histograms<'h>(&mut self, name: &str, help: &str, items: impl IntoIterator<Item = (Labels, &'h Histogram)>) {
        let mut items = items.into_iter().peekable();
        if items.peek().is_none() {
            return;
        }
        self.header(name, "histogram", help);
        let bucket = format!("{name}_bucket");
        for (labels, h) in items {
            let mut cumulative = 0;
            for (i, n) in h.buckets.iter().enumerate() {
                cumulative += n;
                let le = h.bounds.get(i).map_or_else(|| "+Inf".to_string(), |b| number(*b));
                self.sample(&bucket, &labels, Some(&le), cumulative as f64);
            }
            self.sample(&format!("{name}_sum"), &labels, None, h.sum);
            self.sample(&format!("{name}_count"), &labels, None, h.count as f64);
        }
    }
}

/// A sample value or bound as Prometheus reads it.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else {
        format!("{v}")
    }
}

/// A label value: backslash, double quote and newline escaped.
fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text: backslash and newline escaped.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::event::Body;

    #[test]
    fn label_values_and_help_are_escaped() {
        let mut w = Exposition::default();
        w.family(
            "lockgate_x_total",
            "counter",
            "a \\ b\nc \"quoted\"",
            [(vec![("gate", "a\\b\"c\nd".to_string())], 3.0)],
        );
        assert_eq!(
            w.out,
            "# HELP lockgate_x_total a \\\\ b\\nc \"quoted\"\n\
             # TYPE lockgate_x_total counter\n\
             lockgate_x_total{gate=\"a\\\\b\\\"c\\nd\"} 3\n"
        );
    }

    #[test]
    fn families_without_samples_are_left_out() {
        let mut w = Exposition::default();
        w.family("lockgate_none_total", "counter", "none", Vec::<(Labels, f64)>::new());
        w.histograms("lockgate_none_seconds", "none", Vec::<(Labels, &Histogram)>::new());
        assert_eq!(w.out, "");
    }

    #[test]
    fn histograms_are_cumulative_with_inf_sum_and_count() {
        let mut h = Histogram::new(&[0.25, 1.0]);
        for v in [0.125, 0.25, 0.5, 7.0] {
            h.observe(v);
        }
        let mut w = Exposition::default();
        w.histograms("lockgate_t_seconds", "t", [(vec![("route", "/a".to_string())], &h)]);
        assert_eq!(
            w.out,
            "# HELP lockgate_t_seconds t\n\
             # TYPE lockgate_t_seconds histogram\n\
             lockgate_t_seconds_bucket{route=\"/a\",le=\"0.25\"} 2\n\
             lockgate_t_seconds_bucket{route=\"/a\",le=\"1\"} 3\n\
             lockgate_t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n\
             lockgate_t_seconds_sum{route=\"/a\"} 7.875\n\
             lockgate_t_seconds_count{route=\"/a\"} 4\n"
        );
        let mut w = Exposition::default();
        w.histograms("lockgate_u_seconds", "u", [(vec![], &Histogram::new(&[1.0]))]);
        assert!(
            w.out.contains("lockgate_u_seconds_bucket{le=\"+Inf\"} 0\n"),
            "{}",
            w.out
        );
        assert!(w.out.contains("lockgate_u_seconds_count 0\n"), "{}", w.out);
    }

    #[test]
    fn proxy_buckets_convert_to_standard_bounds() {
        let m = crate::delivery::metrics::VersionMetrics::default();
        for ms in [1, 3, 7, 20, 40, 90, 400, 3000, 20_000] {
            m.record(200, Duration::from_millis(ms));
        }
        let h = proxy_histogram(&m.snapshot().hist);
        assert_eq!(h.count, 9);
        let mut cumulative = Vec::new();
        let mut c = 0;
        for n in &h.buckets {
            c += n;
            cumulative.push(c);
        }
        // 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf
        assert_eq!(cumulative, [2, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 9]);
        let true_sum = 23.561;
        assert!((h.sum - true_sum).abs() / true_sum < 0.125, "{}", h.sum);
    }

    #[test]
    fn proxy_samples_render_counters_and_a_histogram() {
        let mut hist = vec![0u64; crate::delivery::metrics::BUCKETS];
        hist[20] = 3;
        let s = vec![ProxySample {
            service: "web".into(),
            env: "staging".into(),
            version: "v1".into(),
            requests: 10,
            errors: 2,
            hist,
        }];
        let mut w = Exposition::default();
        render_proxies(&s, &mut w);
        assert!(
            w.out
                .contains("lockgate_proxy_requests_total{service=\"web\",env=\"staging\",version=\"v1\"} 10\n")
        );
        assert!(
            w.out
                .contains("lockgate_proxy_errors_total{service=\"web\",env=\"staging\",version=\"v1\"} 2\n")
        );
        assert!(
            w.out.contains(
                "lockgate_proxy_request_duration_seconds_count{service=\"web\",env=\"staging\",version=\"v1\"} 3\n"
            ),
            "{}",
            w.out
        );
    }

    fn event(seq: u64, kind: &str, payload: Value) -> Event {
        Event {
            body: Body {
                seq,
                time: jiff::Timestamp::UNIX_EPOCH,
                actor: crate::ledger::Actor::system(),
                kind: kind.into(),
                v: 1,
                subject: String::new(),
                payload,
                prev: String::new(),
            },
            entry: Vec::new(),
            hash: [0; 32],
        }
    }

    #[test]
    fn ledger_events_are_counted() {
        use serde_json::json;
        let mut c = LedgerCounts::default();
        let events = [
            ("rollout.started", json!({ "service": "web", "env": "staging" })),
            ("rollout.completed", json!({ "service": "web", "env": "staging" })),
            ("rollout.rolled_back", json!({ "service": "web", "env": "staging" })),
            ("gate.evaluated", json!({ "gate": "release", "status": "waiting" })),
            ("gate.approved", json!({ "gate": "release", "break_glass": true })),
            ("gate.approved", json!({ "gate": "release", "break_glass": false })),
            ("gate.rejected", json!({ "gate": "release" })),
            ("api.denied", json!({})),
            ("deploy.refused", json!({})),
            (
                "job.finished",
                json!({ "job": "test", "outcome": "success", "duration_ms": 1500 }),
            ),
            (
                "job.finished",
                json!({ "job": "test", "outcome": "success", "duration_ms": 0, "cached": true }),
            ),
            ("run.finished", json!({ "status": "success", "duration_ms": 2000 })),
            ("audit.note", json!({})),
        ];
        for (i, (k, p)) in events.into_iter().enumerate() {
            c.apply(&event(i as u64 + 1, k, p));
        }
        let mut w = Exposition::default();
        c.write(&mut w);
        for line in [
            "lockgate_rollouts_started_total{service=\"web\",env=\"staging\"} 1",
            "lockgate_rollouts_total{service=\"web\",env=\"staging\",outcome=\"completed\"} 1",
            "lockgate_rollouts_total{service=\"web\",env=\"staging\",outcome=\"rolled_back\"} 1",
            "lockgate_gate_evaluations_total{gate=\"release\",status=\"waiting\"} 1",
            "lockgate_gate_decisions_total{gate=\"release\",decision=\"approved\"} 1",
            "lockgate_gate_decisions_total{gate=\"release\",decision=\"break_glass\"} 1",
            "lockgate_gate_decisions_total{gate=\"release\",decision=\"rejected\"} 1",
            "lockgate_refusals_total{kind=\"api.denied\"} 1",
            "lockgate_refusals_total{kind=\"deploy.refused\"} 1",
            "lockgate_pipeline_job_duration_seconds_count{job=\"test\",outcome=\"success\"} 1",
            "lockgate_pipeline_job_duration_seconds_bucket{job=\"test\",outcome=\"success\",le=\"1\"} 0",
            "lockgate_pipeline_job_duration_seconds_bucket{job=\"test\",outcome=\"success\",le=\"5\"} 1",
            "lockgate_pipeline_run_duration_seconds_sum{status=\"success\"} 2",
        ] {
            assert!(w.out.contains(&format!("{line}\n")), "missing {line} in\n{}", w.out);
        }
    }

    #[test]
    fn denial_reasons_and_methods_have_few_values() {
        assert_eq!(reason_label("role viewer may not call POST /api/v1/runs"), "role");
        assert_eq!(reason_label("user:a may decide only on gates release"), "gate_scope");
        assert_eq!(reason_label("not signed in"), "not_signed_in");
        assert_eq!(reason_label("something new"), "other");
        assert_eq!(method_label("BREW"), "other");
        assert_eq!(method_label("GET"), "GET");
    }
}
