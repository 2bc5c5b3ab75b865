//! The typed model of `lockgate.yaml`.
//!
//! Keys are `snake_case`; unknown keys are rejected. Names you choose
//! (environments, services, jobs, gates) are letters, digits, `-`, `_`, `.`.
//! Doc comments here become the descriptions in the generated JSON Schema.

use std::fmt;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::freeze::FreezeWindow;
use super::values::{Duration, Located, NamedMap, Percent, Script, Sh, Shorthand, Text, TextList};

/// A lockgate project: environments, services, the pipeline, gates and policy.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "lockgate.yaml")]
pub struct Spec {
    /// Version of this file's format. Only `1` exists.
    #[serde(default = "one")]
    pub version: u32,
    /// The project's name, used in the ledger and in reports.
    pub project: Located<Text>,
    /// What the project is, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Environments in promotion order, e.g. dev → staging → production.
    #[serde(default)]
    pub environments: NamedMap<Environment>,
    /// Long-running services that lockgate deploys and rolls out.
    #[serde(default)]
    pub services: NamedMap<Service>,
    /// Pipeline jobs, run as a graph by `lockgate run`.
    #[serde(default)]
    pub pipeline: NamedMap<Job>,
    /// Quality gates: checklists that must be satisfied before promotion.
    #[serde(default)]
    pub gates: NamedMap<Sh<Gate>>,
    /// Secrets jobs may use. Their values are masked in logs and never written to the ledger.
    #[serde(default)]
    pub secrets: NamedMap<Sh<SecretSource>>,
    /// Settings of `lockgate scan`.
    #[serde(default)]
    pub policy: Policy,
    /// Where the audit ledger lives and which key signs it.
    #[serde(default)]
    pub ledger: LedgerSettings,
    /// People and the roles they hold, keyed by identity (an email, as
    /// `LOCKGATE_USER` or git's `user.email` gives it).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub people: IndexMap<String, Person>,
    /// How lockgate tells people that something needs them.
    #[serde(default, skip_serializing_if = "Notify::is_empty")]
    pub notify: Notify,
}

/// Notifications.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// An `http://` or `https://` URL that receives a JSON POST when someone
    /// (a person or an agent) requests an approval. A URL that carries a
    /// secret (Slack, Teams) belongs in an environment variable: `${APPROVALS_WEBHOOK}`.
    /// Only its host is ever recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Located<Text>>,
}

impl Notify {
    pub fn is_empty(&self) -> bool {
        self.webhook.is_none()
    }
}

/// A person who approves or attests.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Roles, e.g. `release-manager`, `security`, `sre`.
    #[serde(default)]
    pub roles: Vec<Text>,
    /// Team, for approvals that need two different teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// An environment such as `staging` or `production`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Where services of this environment run.
    #[serde(default)]
    pub target: Target,
    /// The environment an artifact must have reached before it can be promoted here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promote_from: Option<Located<String>>,
    /// Approvals required to deploy to this environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Approvals>,
    /// Windows in which deployments to this environment are blocked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub freeze: Vec<Located<FreezeWindow>>,
    /// What a deployment does inside a freeze window: `fail` (default) or `wait` until it opens.
    #[serde(default)]
    pub on_freeze: FreezeAction,
    /// A URL where the environment can be reached, shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
    /// Variables passed to services deployed here.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub env: IndexMap<String, Text>,
}

/// Where services run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Processes supervised by `lockgate serve` behind its own proxy (needs nothing installed).
    #[default]
    Local,
    /// Containers on a Docker Engine.
    Docker,
    /// A Kubernetes cluster.
    Kubernetes,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Local => "local",
            Target::Docker => "docker",
            Target::Kubernetes => "kubernetes",
        })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FreezeAction {
    /// Refuse the deployment (exit 4).
    #[default]
    Fail,
    /// Wait until the window closes, then continue.
    Wait,
}

/// Who must approve, and under which rules.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    /// How many distinct people must approve.
    #[serde(default = "one")]
    pub required: u32,
    /// Roles whose members may approve. Empty means anyone but the author.
    #[serde(default)]
    pub roles: Vec<Located<Text>>,
    /// The change's author and the run's trigger may not approve it (segregation of duties).
    #[serde(default = "yes")]
    pub not_author: bool,
    /// Approvers must come from at least two different teams.
    #[serde(default)]
    pub distinct_teams: bool,
    /// How long an approval stays valid.
    #[serde(default = "seven_days")]
    pub expires: Duration,
    /// Roles allowed to override the gate in an emergency (with a reason; flagged in every report).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub break_glass: Vec<Located<Text>>,
}

fn seven_days() -> Duration {
    Duration::from_secs(7 * 86_400)
}

/// A long-running service.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The command that starts one instance. `${PORT}` and `${VERSION}` are set by lockgate.
    pub run: Located<Script>,
    /// Health check: an HTTP path such as `/healthz`, or a mapping with `path`, `interval`, `timeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Sh<HealthCheck>>,
    /// The port the proxy listens on for this service in its first environment; each further
    /// environment (in declaration order) listens on the next port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<Located<u16>>,
    /// Instances per version.
    #[serde(default = "one")]
    pub instances: u32,
    /// Working directory, relative to the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<Text>,
    /// Environment variables for every instance.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub env: IndexMap<String, Text>,
    /// How long an instance may take to become healthy.
    #[serde(default = "thirty_seconds")]
    pub ready_timeout: Duration,
    /// How long an instance gets between SIGTERM and SIGKILL.
    #[serde(default = "ten_seconds")]
    pub stop_grace: Duration,
    /// Environments this service is deployed to. Empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Located<String>>,
    /// How a new version replaces the old one.
    #[serde(default)]
    pub strategy: Strategy,
    /// Service level objectives, measured at lockgate's proxy. `lockgate monitoring export`
    /// turns them into Prometheus burn-rate alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<Slo>,
}

/// Service level objectives of a service, measured at lockgate's proxy
/// (`lockgate_proxy_*` on `/metrics`), per environment.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Share of requests that must succeed (not a 5xx, not a failed attempt), e.g. `99.9%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Located<Percent>>,
    /// Share of requests that must be answered within a threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySlo>,
    /// The period the objectives are measured over (the error budget's window).
    #[serde(default = "thirty_days")]
    pub window: Located<Duration>,
}

/// A latency objective: `percentile` % of requests answered within `threshold`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySlo {
    /// Time to response headers, e.g. `300ms`. Measured with the proxy's histogram buckets
    /// (5ms … 10s); a threshold between two bounds is checked at the next larger bound.
    pub threshold: Located<Duration>,
    /// Share of requests that must be within the threshold, e.g. `99%` (p99).
    #[serde(default = "ninety_nine")]
    pub percentile: Located<Percent>,
}

fn thirty_days() -> Located<Duration> {
    Located::new(Duration::from_secs(30 * 86_400), crate::diag::Pos::default())
}

fn ninety_nine() -> Located<Percent> {
    Located::new(Percent(99.0), crate::diag::Pos::default())
}

fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

/// An HTTP health check.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Path polled on the instance, e.g. `/healthz`.
    pub path: Text,
    /// Time between checks.
    #[serde(default = "one_second")]
    pub interval: Duration,
    /// Time one check may take.
    #[serde(default = "two_seconds")]
    pub timeout: Duration,
    /// Status code that means healthy (default: any 2xx).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
}

fn one_second() -> Duration {
    Duration::from_secs(1)
}

fn two_seconds() -> Duration {
    Duration::from_secs(2)
}

impl Shorthand for HealthCheck {
    type Short = Text;
    const EXPECTING: &'static str = "a path such as `/healthz`, or { path, interval, timeout, expect_status }";
    fn expand(path: Text) -> Self {
        HealthCheck {
            path,
            interval: one_second(),
            timeout: two_seconds(),
            expect_status: None,
        }
    }
}

/// How a new version replaces the old one.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Strategy {
    /// Replace instances a batch at a time, each batch health-checked.
    Rolling(Rolling),
    /// Start the new version beside the old, check it, switch all traffic at once.
    BlueGreen(BlueGreen),
    /// Shift traffic to the new version in weighted steps with analysis at each step.
    Canary(Canary),
}

impl Default for Strategy {
    fn default() -> Self {
        Strategy::Rolling(Rolling::default())
    }
}

impl Strategy {
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Rolling(_) => "rolling",
            Strategy::BlueGreen(_) => "blue-green",
            Strategy::Canary(_) => "canary",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rolling {
    /// Instances replaced at a time.
    #[serde(default = "one")]
    pub batch: u32,
    /// Checks run after each batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Sh<Analysis>>,
}

impl Default for Rolling {
    fn default() -> Self {
        Rolling {
            batch: 1,
            analysis: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueGreen {
    /// Port where the new (green) version can be previewed before the switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_port: Option<Located<u16>>,
    /// Checks run against the preview before the switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Sh<Analysis>>,
    /// Switch automatically when analysis passes (otherwise wait for `lockgate promote`).
    #[serde(default = "yes")]
    pub auto_promote: bool,
    /// How long the old (blue) version stays warm for an instant rollback.
    #[serde(default = "ten_minutes")]
    pub rollback_window: Duration,
}

fn ten_minutes() -> Duration {
    Duration::from_secs(600)
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    /// Traffic weights in percent, e.g. `[10, 25, 50, 100]`; `pause` waits for `lockgate promote`;
    /// `{ pause: 5m }` waits that long.
    pub steps: Vec<Located<CanaryStep>>,
    /// How long each weight step lasts while analysis runs.
    #[serde(default = "thirty_seconds")]
    pub interval: Duration,
    /// Checks run during every step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Sh<Analysis>>,
    /// Requests with this header (e.g. `X-Canary: always`) always go to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Text>,
    /// Keep a client on the version it first reached (cookie based).
    #[serde(default)]
    pub sticky: bool,
    /// Abort when the rollout makes no progress for this long.
    #[serde(default = "ten_minutes")]
    pub progress_deadline: Duration,
    /// After the rollout, how long the old version stays warm (at 0 % traffic) for an instant
    /// `lockgate rollback`; `0s` stops it at once.
    #[serde(default = "ten_minutes")]
    pub rollback_window: Duration,
}

/// One canary step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CanaryStep {
    /// Send this share of traffic to the new version.
    Weight(Percent),
    /// Wait this long (or, without a duration, until `lockgate promote`).
    Pause(Option<Duration>),
}

impl<'de> Deserialize<'de> for CanaryStep {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CanaryStep;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a weight such as `25`, `pause`, or { pause: 5m }")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CanaryStep, E> {
                Percent::deserialize(de::value::U64Deserializer::<E>::new(v)).map(CanaryStep::Weight)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CanaryStep, E> {
                Percent::deserialize(de::value::I64Deserializer::<E>::new(v)).map(CanaryStep::Weight)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<CanaryStep, E> {
                Percent::deserialize(de::value::F64Deserializer::<E>::new(v)).map(CanaryStep::Weight)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CanaryStep, E> {
                if v.trim() == "pause" {
                    return Ok(CanaryStep::Pause(None));
                }
                Percent::parse(v).map(CanaryStep::Weight).map_err(|_| {
                    E::custom(format!(
                        "`{v}` is not a canary step; write a weight such as `25`, or `pause`"
                    ))
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<CanaryStep, A::Error> {
                let key: String = m
                    .next_key()?
                    .ok_or_else(|| de::Error::custom("empty step; write { pause: 5m } or { weight: 25 }"))?;
                let step = match key.as_str() {
                    "weight" => CanaryStep::Weight(m.next_value()?),
                    "pause" => CanaryStep::Pause(m.next_value()?),
                    other => return Err(de::Error::unknown_field(other, &["weight", "pause"])),
                };
                if let Some(extra) = m.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a step has one key, found a second one `{extra}`; write each step as its own list item"
                    )));
                }
                Ok(step)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for CanaryStep {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CanaryStep".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let percent = g.subschema_for::<Percent>();
        let duration = g.subschema_for::<Duration>();
        schemars::json_schema!({
            "description": "A weight (`25`, `\"25%\"`), `pause` (until `lockgate promote`), { pause: 5m } or { weight: 25 }.",
            "anyOf": [
                percent.clone(),
                { "const": "pause" },
                { "type": "object", "properties": { "weight": percent }, "required": ["weight"], "additionalProperties": false },
                { "type": "object", "properties": { "pause": { "anyOf": [duration, { "type": "null" }] } }, "required": ["pause"], "additionalProperties": false }
            ]
        })
    }
}

/// Checks that decide whether a rollout continues.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// Conditions over measurements, e.g. `error_rate < 1%`, `p99_latency < 300ms`.
    #[serde(default)]
    pub conditions: Vec<Located<Text>>,
    /// HTTP probes sent to the new version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<Probe>,
    /// Prometheus server for `metric(...)` conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<Text>,
    /// Time between measurements.
    #[serde(default = "ten_seconds")]
    pub interval: Duration,
    /// Wait this long after a step starts before the first measurement.
    #[serde(default = "zero")]
    pub initial_delay: Duration,
    /// The rollout aborts when failed measurements *exceed* this number (0 = the first failure aborts).
    #[serde(default)]
    pub failure_limit: u32,
    /// The rollout pauses for a human when inconclusive measurements exceed this number.
    #[serde(default)]
    pub inconclusive_limit: u32,
    /// The rollout aborts when consecutive measurement errors exceed this number.
    #[serde(default = "four")]
    pub consecutive_error_limit: u32,
    /// A measurement over fewer requests than this is inconclusive.
    #[serde(default = "twenty")]
    pub min_samples: u64,
    /// Record results but never act on them.
    #[serde(default)]
    pub dry_run: bool,
    /// Measurements a blue-green preview or a rolling batch must pass before it goes on.
    #[serde(default = "three")]
    pub count: u32,
}

fn three() -> u32 {
    3
}

fn zero() -> Duration {
    Duration::from_secs(0)
}

fn four() -> u32 {
    4
}

fn twenty() -> u64 {
    20
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            conditions: Vec::new(),
            probes: Vec::new(),
            prometheus: None,
            interval: ten_seconds(),
            initial_delay: zero(),
            failure_limit: 0,
            inconclusive_limit: 0,
            consecutive_error_limit: four(),
            min_samples: twenty(),
            dry_run: false,
            count: three(),
        }
    }
}

impl Shorthand for Analysis {
    type Short = Vec<Located<Text>>;
    const EXPECTING: &'static str = "a list of conditions, or { conditions, failure_limit, ... }";
    fn expand(conditions: Vec<Located<Text>>) -> Self {
        Analysis {
            conditions,
            ..Analysis::default()
        }
    }
}

/// An HTTP probe.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// Path requested on the new version.
    pub path: Text,
    /// Expected status code.
    #[serde(default = "two_hundred")]
    pub status: u16,
    /// Text the response body must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Text>,
}

fn two_hundred() -> u16 {
    200
}

/// A pipeline job.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Job {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The shell script to run, in the project directory (or `workdir`).
    pub run: Located<Script>,
    /// Jobs that must succeed before this one starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Located<String>>,
    /// Globs of files whose contents decide whether a cached result can be reused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Located<Text>>,
    /// Files the job produces; stored in the cache and digested into the ledger.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Located<Text>>,
    /// Environment variables for the script.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub env: IndexMap<String, Text>,
    /// Working directory, relative to the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<Text>,
    /// The job is killed (with its whole process group) after this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Retries after a failure: a number, or { max, on_exit_codes, delay }.
    #[serde(default)]
    pub retries: Sh<Retries>,
    /// A failure of this job does not fail the run (its outcome is still recorded as failed).
    #[serde(default)]
    pub allow_failure: bool,
    /// Run the job only when this condition holds, e.g. `branch == "main"`.
    #[serde(default, rename = "if", skip_serializing_if = "Option::is_none")]
    pub condition: Option<Located<Text>>,
    /// Report files turned into evidence.
    #[serde(default)]
    pub reports: Reports,
    /// Names of secrets (from `secrets:`) passed to the script as environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Located<String>>,
    /// Commands whose output names tool versions, e.g. `cargo --version`; part of the cache key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Text>,
    /// Set to false to never reuse a cached result of this job.
    #[serde(default = "yes")]
    pub cache: bool,
}

/// Retries after a failure.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// How many times to retry.
    pub max: u32,
    /// Retry only on these exit codes (default: any failure, but not a timeout).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_exit_codes: Vec<i32>,
    /// Retry after a timeout, too.
    #[serde(default)]
    pub on_timeout: bool,
    /// Wait between attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
}

impl Shorthand for Retries {
    type Short = u32;
    const EXPECTING: &'static str = "a number of retries, or { max, on_exit_codes, on_timeout, delay }";
    fn expand(max: u32) -> Self {
        Retries {
            max,
            ..Retries::default()
        }
    }
}

/// Report files a job writes.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    /// JUnit XML test reports (cargo-nextest, pytest, Surefire, Jest, bun, gotestsum).
    #[serde(default, skip_serializing_if = "TextList::is_empty")]
    pub junit: TextList,
    /// Coverage reports, LCOV or Cobertura XML (detected from the content).
    #[serde(default, skip_serializing_if = "TextList::is_empty")]
    pub coverage: TextList,
    /// SARIF 2.1.0 findings.
    #[serde(default, skip_serializing_if = "TextList::is_empty")]
    pub sarif: TextList,
}

impl Reports {
    pub fn is_empty(&self) -> bool {
        self.junit.is_empty() && self.coverage.is_empty() && self.sarif.is_empty()
    }
}

/// A quality gate: a checklist that must be satisfied.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// Human title, e.g. "Production readiness".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The environment whose deployments this gate guards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Located<String>>,
    /// Gates that must be open before this one is evaluated (the phase order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<Located<String>>,
    /// Approvals for this gate (default: those of its environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<Approvals>,
    /// The checklist.
    #[serde(default)]
    pub items: Vec<Located<Sh<GateItem>>>,
    /// Keptn-style scoring: pass and warning thresholds over weighted items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
}

impl Shorthand for Gate {
    type Short = Vec<Located<Sh<GateItem>>>;
    const EXPECTING: &'static str = "a list of checklist items, or { title, environment, items, ... }";
    fn expand(items: Vec<Located<Sh<GateItem>>>) -> Self {
        Gate {
            items,
            ..Gate::default()
        }
    }
}

/// One checklist item: an automatic check over evidence, or an attestation a role must sign.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateItem {
    /// Identifier used by `lockgate attest GATE ITEM`. Derived from the title or check when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Located<String>>,
    /// What the item means to a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// An automatic check, e.g. `tests.failed == 0` or `coverage.lines >= 80%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Located<Text>>,
    /// A condition that, when it holds but `check` does not, scores the item as a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Located<Text>>,
    /// Roles allowed to attest this item (an attestation instead of a check).
    #[serde(default, skip_serializing_if = "TextList::is_empty")]
    pub attest: TextList,
    /// Whether an attestation must carry a link (a change ticket, a document).
    #[serde(default)]
    pub link: LinkRequirement,
    /// Weight in the gate's score.
    #[serde(default = "one_f64")]
    pub weight: f64,
    /// A key item fails the gate outright when it fails, whatever the score.
    #[serde(default)]
    pub key: bool,
}

fn one_f64() -> f64 {
    1.0
}

impl Shorthand for GateItem {
    type Short = Text;
    const EXPECTING: &'static str = "a check such as `tests.failed == 0`, or { id, title, check | attest, ... }";
    fn expand(check: Text) -> Self {
        GateItem {
            check: Some(Located::new(check, Default::default())),
            weight: 1.0,
            ..GateItem::default()
        }
    }
}

/// Whether an attestation must carry a link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkRequirement {
    #[default]
    Optional,
    Required,
}

/// Score thresholds: the gate passes at or above `pass`, warns at or above `warning`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub pass: Percent,
    pub warning: Percent,
}

/// Where a secret's value comes from: an environment variable name, or { env } / { file }.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SecretSource {
    /// Read from this environment variable of the lockgate process.
    Env(Text),
    /// Read from this file (its contents, trailing newline removed).
    File(Text),
}

impl Shorthand for SecretSource {
    type Short = Text;
    const EXPECTING: &'static str = "an environment variable name, { env: NAME } or { file: PATH }";
    fn expand(name: Text) -> Self {
        SecretSource::Env(name)
    }
}

/// Settings of `lockgate scan`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Paths to scan (default: the project directory).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<Text>,
    /// Globs excluded from scanning (in addition to `.gitignore`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<Text>,
    /// Exit 1 when a finding at or above this severity exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Severity>,
    /// Restrict findings to rules mapped to these frameworks (e.g. `pci-dss`, `soc2`, `pss:restricted`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<Located<Text>>,
    /// Rule ids that are switched off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<Located<Text>>,
    /// Custom policies in Rego (globs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rego: Vec<Text>,
    /// A baseline file: only findings not in it are reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Text>,
    /// The organisation's package managers, checked by the LG-PKG rules.
    #[serde(default, skip_serializing_if = "Toolchain::is_default")]
    pub toolchain: Toolchain,
}

/// Which package manager each ecosystem must use (defaults: bun, poetry).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Toolchain {
    /// JavaScript/TypeScript: `bun` (default), `npm`, `yarn` or `pnpm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub javascript: Option<JsPackageManager>,
    /// Python: `poetry` (default), `uv` or `pip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PyPackageManager>,
}

impl Toolchain {
    pub fn is_default(&self) -> bool {
        *self == Toolchain::default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsPackageManager {
    Bun,
    Npm,
    Yarn,
    Pnpm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PyPackageManager {
    Poetry,
    Uv,
    Pip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// Where the audit ledger is stored and signed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerSettings {
    /// Store URL, e.g. `sqlite:.lockgate/ledger.db` (the default). Overridden by `--store` / `LOCKGATE_STORE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<Text>,
    /// Path of the Ed25519 signing key (created on first use, mode 0600). Default `.lockgate/ledger.key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Text>,
    /// The log's origin line in signed checkpoints. Default `lockgate/<project>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Text>,
}
