//! The rollout controller of `lockgate serve`: one reconciler task per
//! service and environment ("unit"), owning its instances, its proxy and
//! its rollout. Every decision is appended to the ledger *before* it is
//! acted on, so a controller killed at any point rebuilds the same state
//! from the ledger and the processes it finds running.
//!
//! A unit works from desired state: the stable version needs `instances`
//! ready instances; a rollout adds the new version (for `rolling`, batch by
//! batch while the old version shrinks); a version kept warm for rollback
//! keeps its instances. Each tick starts what is missing (with back-off
//! after crashes), drains and stops what is surplus, recomputes the route,
//! and moves the rollout along its plan of steps.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot, watch};

use super::analysis::{Condition, External, Measurement, Outcome, Tally, Verdict, measure};
use super::metrics::Snapshot;
use super::proxy::{Backend, Options, Proxy, Route};
use super::state::{self, Phase, UnitState, subject};
use super::target::{Found, InstanceSpec, Local, Target, free_port, http_get};
use crate::ledger::committer::Appender;
use crate::ledger::{Actor, NewEvent};
use crate::spec::{self, Analysis, CanaryStep, Service, Spec, Strategy};

/// How often every unit reconciles without being asked.
const TICK: Duration = Duration::from_millis(100);
/// How long a drained instance stays up after leaving the route, for
/// requests that picked it just before the switch.
const DRAIN_SETTLE: Duration = Duration::from_secs(1);
/// Restart back-off after a crash: doubles from this, capped at `MAX_BACKOFF`.
const BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// An error an API call answers with: message, hint and the CLI's exit code.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub exit: crate::exit::Exit,
    pub message: String,
    pub hint: String,
}

impl Refusal {
    pub fn new(exit: crate::exit::Exit, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Refusal {
            exit,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

pub type Reply = oneshot::Sender<Result<Value, Refusal>>;

/// What the API asks of a unit.
#[derive(Debug)]
pub enum Command {
    Deploy {
        version: String,
        vars: std::collections::BTreeMap<String, String>,
    },
    Promote {
        full: bool,
    },
    Abort,
    Pause,
    Resume,
    Retry,
    Rollback,
    Status,
}

enum Msg {
    Cmd(Command, Actor, Reply),
    Ready { id: String },
    NotReady { id: String, reason: String },
    Exited { id: String, code: Option<i32> },
    Stopped { id: String },
    Measured { rollout: u64, ext: External },
    Shutdown(oneshot::Sender<()>),
}

/// What every unit shares.
#[derive(Clone)]
pub struct Shared {
    pub appender: Appender,
    pub target: Arc<Local>,
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub project: String,
}

impl Shared {
    /// Appends one event and returns its sequence number.
    pub fn record(
        &self,
        actor: &Actor,
        kind: &str,
        service: &str,
        env: &str,
        mut payload: Value,
    ) -> Result<u64, String> {
        if let Value::Object(m) = &mut payload {
            m.insert("service".into(), service.into());
            m.insert("env".into(), env.into());
        }
        let ev = NewEvent::json(actor.clone(), kind, subject(service, env), payload);
        let appender = self.appender.clone();
        let r = tokio::task::block_in_place(move || appender.append(vec![ev]));
        r.map(|s| s.first().copied().unwrap_or(0)).map_err(|e| format!("{e:#}"))
    }
}

/// A handle to a running unit.
#[derive(Clone)]
pub struct UnitHandle {
    pub service: String,
    pub env: String,
    /// The unit's proxy, for its measurements (`/metrics`).
    pub proxy: Arc<Proxy>,
    tx: mpsc::UnboundedSender<Msg>,
}

impl UnitHandle {
    pub async fn call(&self, cmd: Command, actor: Actor) -> Result<Value, Refusal> {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Cmd(cmd, actor, tx)).is_err() {
            return Err(Refusal::new(
                crate::exit::Exit::Failed,
                "the controller is shutting down",
                "try again after `lockgate serve`",
            ));
        }
        rx.await.unwrap_or_else(|_| {
            Err(Refusal::new(
                crate::exit::Exit::Failed,
                "the unit stopped while answering",
                "see .lockgate/serve.log",
            ))
        })
    }

    /// Stops every instance of the unit; returns when they are gone.
    pub async fn shutdown(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Shutdown(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InstState {
    Starting,
    Ready,
    Draining,
    Stopping,
}

struct Inst {
    id: String,
    version: String,
    port: u16,
    pid: u32,
    state: InstState,
    backend: Arc<Backend>,
    since: Instant,
    /// Why it is being stopped (for `instance.stopped`).
    stop_reason: &'static str,
}

#[derive(Clone, Debug)]
enum Plan {
    /// Weight of the new version, and how long the step lasts at least.
    Weight(f64, Duration),
    Pause(Option<Duration>),
    /// Blue-green: the new version on the preview port, analysed, then switched.
    Preview,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Initial,
    Rolling,
    BlueGreen,
    Canary,
    Rollback,
}

impl Kind {
    /// The kind a recorded `rollout.started` names.
    fn parse(strategy: &str) -> Kind {
        match strategy {
            "initial" => Kind::Initial,
            "rolling" => Kind::Rolling,
            "blue-green" => Kind::BlueGreen,
            "rollback" => Kind::Rollback,
            _ => Kind::Canary,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Initial => "initial",
            Kind::Rolling => "rolling",
            Kind::BlueGreen => "blue-green",
            Kind::Canary => "canary",
            Kind::Rollback => "rollback",
        }
    }
}

struct Run {
    spec: Analysis,
    conditions: Vec<Condition>,
    tally: Tally,
    last: Option<Measurement>,
    next: Instant,
    snap: Snapshot,
    snap_at: Instant,
    /// Measurements taken in the current step (gated analysis).
    in_step: u32,
    /// A measurement is under way.
    busy: bool,
    /// Rolling and blue-green: analysis decides when a step may end.
    gated: bool,
}

struct Rollout {
    id: u64,
    kind: Kind,
    from: Option<String>,
    to: String,
    plan: Vec<Plan>,
    step: usize,
    entered: bool,
    phase: Phase,
    reason: Option<String>,
    step_since: Instant,
    waiting_since: Option<Instant>,
    progress_at: Instant,
    weight: f64,
    run: Option<Run>,
    actor: Actor,
    started: jiff::Timestamp,
}

struct Warm {
    version: String,
    until: Instant,
}

pub struct Unit {
    sh: Shared,
    service: String,
    env: String,
    spec: Service,
    vars: Vec<(String, String)>,
    workdir: PathBuf,
    tx: mpsc::UnboundedSender<Msg>,
    listen: Option<SocketAddr>,
    listen_error: Option<String>,
    proxy: Arc<Proxy>,
    preview: Option<(Arc<Proxy>, SocketAddr)>,
    stable: Option<String>,
    warm: Option<Warm>,
    rollout: Option<Rollout>,
    instances: Vec<Inst>,
    /// Per version: crashes in a row, when the next start is allowed, last exit code.
    crashes: HashMap<String, (u32, Instant, Option<i32>)>,
    route_key: String,
    shutdown: watch::Sender<bool>,
    /// Variables given with `--set` per version (recorded with its rollout).
    version_vars: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

/// A variable name `--set` may give: not one lockgate sets itself.
pub fn valid_var(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(k, "PORT" | "VERSION" | "PATH")
        && !k.starts_with("LOCKGATE_")
}

/// The port a service listens on in an environment: `port` for the first
/// environment it is deployed to, the next port for the next, and so on.
pub fn listen_port(spec: &Spec, service: &str, env: &str) -> Option<u16> {
    let svc = spec.services.get(service)?;
    let base = svc.port.as_ref()?.value;
    let envs = service_envs(spec, service);
    let i = envs.iter().position(|e| e == env)?;
    base.checked_add(i as u16)
}

/// The environments a service is deployed to, in declaration order.
pub fn service_envs(spec: &Spec, service: &str) -> Vec<String> {
    let Some(svc) = spec.services.get(service) else {
        return Vec::new();
    };
    spec.environments
        .names()
        .filter(|e| svc.environments.is_empty() || svc.environments.iter().any(|x| x.value == *e))
        .map(str::to_string)
        .collect()
}

fn proxy_options(svc: &Service) -> Options {
    match &svc.strategy {
        Strategy::Canary(c) => Options {
            force_header: c.header.as_ref().and_then(|h| Options::header(h.as_str()).ok()),
            sticky: c.sticky,
            timeout: Some(Duration::from_secs(60)),
        },
        _ => Options {
            timeout: Some(Duration::from_secs(60)),
            ..Options::default()
        },
    }
}

fn analysis_of(svc: &Service) -> Option<&Analysis> {
    match &svc.strategy {
        Strategy::Rolling(r) => r.analysis.as_ref().map(|a| &a.0),
        Strategy::BlueGreen(b) => b.analysis.as_ref().map(|a| &a.0),
        Strategy::Canary(c) => c.analysis.as_ref().map(|a| &a.0),
    }
}

impl Unit {
    /// Starts a unit: binds its listener, re-adopts its instances and
    /// resumes a rollout the ledger says is under way.
    pub async fn start(
        sh: Shared,
        spec: &Spec,
        service: &str,
        env: &str,
        recorded: UnitState,
        found: &[Found],
    ) -> UnitHandle {
        let svc = spec.services.get(service).cloned().expect("unit of a declared service");
        let (tx, rx) = mpsc::unbounded_channel();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let proxy = Proxy::new(service, proxy_options(&svc));
        let mut vars: Vec<(String, String)> = Vec::new();
        if let Some(e) = spec.environments.get(env) {
            vars.extend(e.env.iter().map(|(k, v)| (k.clone(), v.to_string())));
        }
        vars.extend(svc.env.iter().map(|(k, v)| (k.clone(), v.to_string())));
        if let Ok(exe) = std::env::current_exe()
            && let Some(dir) = exe.parent()
        {
            let path = std::env::var("PATH").unwrap_or_default();
            vars.push(("PATH".into(), format!("{}:{path}", dir.display())));
        }
        let workdir = svc
            .workdir
            .as_ref()
            .map_or(sh.root.clone(), |w| sh.root.join(w.as_str()));
        let port = listen_port(spec, service, env);
        let addr = SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0)));
        let (listen, listen_error) = match super::proxy::listen(addr, proxy.clone(), shutdown_rx.clone()) {
            Ok(addr) => (Some(addr), None),
            Err(e) => (
                None,
                Some(format!(
                    "cannot listen on 127.0.0.1:{} for `{service}` in {env}: {}",
                    port.unwrap_or(0),
                    crate::commands::io_reason(&e)
                )),
            ),
        };
        let mut preview = None;
        if let Strategy::BlueGreen(b) = &svc.strategy {
            let pp = b.preview_port.as_ref().map(|p| {
                let i = service_envs(spec, service).iter().position(|e| e == env).unwrap_or(0) as u16;
                p.value.saturating_add(i)
            });
            let p = Proxy::new(service, Options::default());
            if let Ok(addr) = super::proxy::listen(
                SocketAddr::from(([127, 0, 0, 1], pp.unwrap_or(0))),
                p.clone(),
                shutdown_rx.clone(),
            ) {
                preview = Some((p, addr));
            }
        }
        let mut unit = Unit {
            sh,
            service: service.to_string(),
            env: env.to_string(),
            spec: svc,
            vars,
            workdir,
            tx: tx.clone(),
            listen,
            listen_error,
            proxy,
            preview,
            stable: recorded.stable.clone(),
            warm: None,
            rollout: None,
            instances: Vec::new(),
            crashes: HashMap::new(),
            route_key: String::new(),
            shutdown,
            version_vars: recorded.vars.clone(),
        };
        unit.recover(recorded, found).await;
        let handle = UnitHandle {
            service: service.to_string(),
            env: env.to_string(),
            proxy: unit.proxy.clone(),
            tx,
        };
        tokio::spawn(unit.main(rx));
        handle
    }

    fn record(&self, actor: &Actor, kind: &str, payload: Value) -> Result<u64, Refusal> {
        self.sh
            .record(actor, kind, &self.service, &self.env, payload)
            .map_err(|e| {
                Refusal::new(
                    crate::exit::Exit::Failed,
                    format!("cannot write to the ledger: {e}"),
                    "nothing was changed; see .lockgate/serve.log",
                )
            })
    }

    /// Records and logs; a ledger failure here is logged, the action goes on
    /// (the state it describes already exists).
    fn note(&self, kind: &str, payload: Value) {
        if let Err(e) = self.record(&Actor::system(), kind, payload) {
            eprintln!("lockgate serve: {}/{}: {}", self.service, self.env, e.message);
        }
    }

    fn log(&self, msg: impl std::fmt::Display) {
        eprintln!(
            "[{}] {}/{}: {msg}",
            jiff::Timestamp::now().strftime("%H:%M:%S%.3f"),
            self.service,
            self.env
        );
    }

    async fn recover(&mut self, recorded: UnitState, found: &[Found]) {
        let mut adopted = 0;
        let mut lost = 0;
        for rec in recorded.instances.values() {
            match found.iter().find(|f| f.instance == rec.id) {
                Some(f) => {
                    adopted += 1;
                    let port = f.port.unwrap_or(rec.port);
                    self.adopt(rec.id.clone(), rec.version.clone(), port, f.pid).await;
                }
                None => {
                    lost += 1;
                    self.note(state::INSTANCE_EXITED, json!({ "instance": rec.id, "version": rec.version, "reason": "gone while the controller was down" }));
                }
            }
        }
        if let Some(w) = &recorded.warm {
            let window = match &self.spec.strategy {
                Strategy::BlueGreen(b) => b.rollback_window.as_std(),
                Strategy::Canary(c) => c.rollback_window.as_std(),
                Strategy::Rolling(_) => Duration::ZERO,
            };
            self.warm = Some(Warm {
                version: w.clone(),
                until: Instant::now() + window,
            });
        }
        if let Some(r) = recorded.active() {
            let mut ro = self.recorded_rollout(r.clone());
            // A paused rollout stays in its step; a progressing one enters its
            // step again: the step's duration and analysis start over.
            ro.entered = r.phase == Phase::Paused;
            if let Some(run) = ro.run.as_mut() {
                run.next = Instant::now() + run.spec.initial_delay.as_std() + run.spec.interval.as_std();
                run.snap_at = Instant::now();
            }
            self.rollout = Some(ro);
            self.note(
                state::ROLLOUT_RECOVERED,
                json!({ "rollout": r.id, "step": r.step, "reason": "the controller restarted; the current step starts over" }),
            );
        } else if let Some(r) = recorded.rollout.clone() {
            let mut ro = self.recorded_rollout(r);
            ro.run = None;
            self.rollout = Some(ro);
        }
        if adopted + lost > 0 {
            self.log(format!("re-adopted {adopted} running instance(s); {lost} were gone"));
        }
        self.update_route();
    }

    /// A rollout as the ledger recorded it.
    fn recorded_rollout(&self, r: state::RolloutRec) -> Rollout {
        let kind = Kind::parse(&r.strategy);
        let mut ro = self.new_rollout(r.id, kind, r.from, r.to, Actor::parse(&r.actor), r.started);
        ro.step = r.step.min(ro.plan.len());
        ro.weight = r.weight;
        ro.phase = r.phase;
        ro.reason = r.reason;
        ro
    }

    /// Takes over an instance that kept running while the controller was
    /// down. One health probe decides whether it is in the route at once
    /// (it was serving a moment ago: a restarted controller must not answer
    /// 503 meanwhile); otherwise it is watched like a starting instance.
    async fn adopt(&mut self, id: String, version: String, port: u16, pid: u32) {
        let backend = Backend::new(&self.proxy, &id, &version, SocketAddr::from(([127, 0, 0, 1], port)));
        let health = self.spec.health.as_ref().map(|h| h.0.clone());
        let ready = probe(
            SocketAddr::from(([127, 0, 0, 1], port)),
            health.as_ref(),
            Duration::from_secs(1),
        )
        .await
        .is_ok();
        self.instances.push(Inst {
            id: id.clone(),
            version,
            port,
            pid,
            state: if ready { InstState::Ready } else { InstState::Starting },
            backend,
            since: Instant::now(),
            stop_reason: "",
        });
        if !ready {
            self.watch_ready(id.clone(), port);
        }
        self.watch_exit(id, pid, None);
    }

    fn new_rollout(
        &self,
        id: u64,
        kind: Kind,
        from: Option<String>,
        to: String,
        actor: Actor,
        started: jiff::Timestamp,
    ) -> Rollout {
        let n = self.spec.instances.max(1) as usize;
        let plan = match (kind, &self.spec.strategy) {
            (Kind::Initial | Kind::Rollback, _) => vec![Plan::Weight(100.0, Duration::ZERO)],
            (Kind::Canary, Strategy::Canary(c)) => c
                .steps
                .iter()
                .map(|s| match &s.value {
                    CanaryStep::Weight(w) => Plan::Weight(w.0, c.interval.as_std()),
                    CanaryStep::Pause(d) => Plan::Pause(d.map(|d| d.as_std())),
                })
                .collect(),
            (Kind::BlueGreen, _) => vec![Plan::Preview, Plan::Weight(100.0, Duration::ZERO)],
            (Kind::Rolling, Strategy::Rolling(r)) => {
                let b = r.batch.max(1) as usize;
                (1..=n.div_ceil(b))
                    .map(|k| Plan::Weight(((k * b).min(n) as f64) * 100.0 / n as f64, Duration::ZERO))
                    .collect()
            }
            _ => vec![Plan::Weight(100.0, Duration::ZERO)],
        };
        let run = match kind {
            Kind::Initial | Kind::Rollback => None,
            _ => analysis_of(&self.spec).map(|a| Run {
                spec: a.clone(),
                conditions: a
                    .conditions
                    .iter()
                    .filter_map(|c| Condition::parse(c.value.as_str()).ok())
                    .collect(),
                tally: Tally::default(),
                last: None,
                next: Instant::now(),
                snap: Snapshot::default(),
                snap_at: Instant::now(),
                in_step: 0,
                busy: false,
                gated: kind != Kind::Canary,
            }),
        };
        Rollout {
            id,
            kind,
            from,
            to,
            plan,
            step: 0,
            entered: false,
            phase: Phase::Progressing,
            reason: None,
            step_since: Instant::now(),
            waiting_since: None,
            progress_at: Instant::now(),
            weight: 0.0,
            run,
            actor,
            started,
        }
    }

    fn active(&self) -> Option<&Rollout> {
        self.rollout
            .as_ref()
            .filter(|r| matches!(r.phase, Phase::Progressing | Phase::Paused))
    }

    async fn main(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = rx.recv() => {
                    let Some(msg) = msg else { break };
                    if let Msg::Shutdown(done) = msg {
                        self.stop_all().await;
                        let _ = done.send(());
                        break;
                    }
                    self.handle(msg);
                }
                _ = tick.tick() => {}
            }
            self.reconcile();
        }
        let _ = self.shutdown.send(true);
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Cmd(cmd, actor, reply) => {
                let r = self.command(cmd, &actor);
                let _ = reply.send(r);
            }
            Msg::Ready { id } => {
                if let Some(i) = self
                    .instances
                    .iter_mut()
                    .find(|i| i.id == id && i.state == InstState::Starting)
                {
                    i.state = InstState::Ready;
                    let version = i.version.clone();
                    self.crashes.remove(&version);
                    self.note(state::INSTANCE_READY, json!({ "instance": id, "version": version }));
                }
            }
            Msg::NotReady { id, reason } => {
                if let Some(i) = self
                    .instances
                    .iter()
                    .find(|i| i.id == id && i.state == InstState::Starting)
                {
                    self.log(format!(
                        "{} ({}) did not become healthy: {reason}; stopping it",
                        i.id, i.version
                    ));
                    let version = i.version.clone();
                    self.crashed(&version, None);
                    self.drain(&id, "not healthy within ready_timeout");
                }
            }
            Msg::Exited { id, code } => {
                if let Some(pos) = self.instances.iter().position(|i| i.id == id) {
                    let i = self.instances.remove(pos);
                    if i.state == InstState::Stopping {
                        self.note(
                            state::INSTANCE_STOPPED,
                            json!({ "instance": i.id, "version": i.version, "reason": i.stop_reason }),
                        );
                    } else {
                        self.log(format!("{} ({}) exited unexpectedly (code {code:?})", i.id, i.version));
                        self.crashed(&i.version, code);
                        self.note(
                            state::INSTANCE_EXITED,
                            json!({ "instance": i.id, "version": i.version, "code": code, "reason": "exited unexpectedly" }),
                        );
                    }
                    self.update_route();
                }
            }
            Msg::Stopped { id } => {
                if let Some(pos) = self.instances.iter().position(|i| i.id == id) {
                    let i = self.instances.remove(pos);
                    self.note(
                        state::INSTANCE_STOPPED,
                        json!({ "instance": i.id, "version": i.version, "reason": i.stop_reason }),
                    );
                }
            }
            Msg::Measured { rollout, ext } => self.measured(rollout, ext),
            Msg::Shutdown(_) => {}
        }
    }

    fn crashed(&mut self, version: &str, code: Option<i32>) {
        let e = self
            .crashes
            .entry(version.to_string())
            .or_insert((0, Instant::now(), None));
        e.0 += 1;
        let delay = BACKOFF.saturating_mul(1 << e.0.min(8)).min(MAX_BACKOFF);
        e.1 = Instant::now() + delay;
        if code.is_some() {
            e.2 = code;
        }
    }

    // ---- commands -------------------------------------------------------

    fn command(&mut self, cmd: Command, actor: &Actor) -> Result<Value, Refusal> {
        use crate::exit::Exit;
        let svc = self.service.clone();
        match cmd {
            Command::Status => Ok(self.status()),
            Command::Deploy { version, vars } => {
                if let Some(e) = &self.listen_error {
                    return Err(Refusal::new(
                        Exit::Failed,
                        e.clone(),
                        format!(
                            "free the port or change `services.{svc}.port` in lockgate.yaml, then restart `lockgate serve`"
                        ),
                    ));
                }
                if let Some(r) = self.active() {
                    let reason = format!(
                        "a rollout of {svc} to {} in {} is already {} (started by {})",
                        r.to,
                        self.env,
                        phase_name(r.phase),
                        r.actor
                    );
                    let _ = self.record(
                        actor,
                        state::DEPLOY_REFUSED,
                        json!({ "version": version, "reason": reason }),
                    );
                    return Err(Refusal::new(
                        Exit::Conflict,
                        reason,
                        format!("wait for it, or `lockgate abort {svc} --env {}` first", self.env),
                    ));
                }
                if self.stable.as_deref() == Some(version.as_str()) {
                    return Ok(
                        json!({ "started": false, "message": format!("{version} is already the stable version of {svc} in {}", self.env), "status": self.status() }),
                    );
                }
                let kind = match (&self.stable, &self.spec.strategy) {
                    (None, _) => Kind::Initial,
                    (Some(_), Strategy::Rolling(_)) => Kind::Rolling,
                    (Some(_), Strategy::BlueGreen(_)) => Kind::BlueGreen,
                    (Some(_), Strategy::Canary(_)) => Kind::Canary,
                };
                self.version_vars.insert(version.clone(), vars);
                self.begin(kind, version, actor, None)
            }
            Command::Retry => {
                let Some(r) = &self.rollout else {
                    return Err(Refusal::new(
                        Exit::Usage,
                        format!("{svc} has no rollout in {} to retry", self.env),
                        "start one with `lockgate deploy`",
                    ));
                };
                if r.phase != Phase::Aborted {
                    return Err(Refusal::new(
                        Exit::Conflict,
                        format!("the last rollout of {svc} is {}, not aborted", phase_name(r.phase)),
                        "only an aborted rollout can be retried",
                    ));
                }
                let (to, id) = (r.to.clone(), r.id);
                let kind = if self.stable.is_none() { Kind::Initial } else { r.kind };
                self.crashes.remove(&to);
                self.begin(kind, to, actor, Some(id))
            }
            Command::Pause => {
                if self.rollout.as_ref().is_some_and(|r| r.phase == Phase::Paused) {
                    return Ok(self.status());
                }
                let Some(id) = self
                    .rollout
                    .as_ref()
                    .filter(|r| r.phase == Phase::Progressing)
                    .map(|r| r.id)
                else {
                    return Err(self.nothing("pause"));
                };
                self.record(
                    actor,
                    state::ROLLOUT_PAUSED,
                    json!({ "rollout": id, "reason": format!("paused by {actor}") }),
                )?;
                if let Some(r) = self.rollout.as_mut() {
                    r.phase = Phase::Paused;
                    r.reason = Some(format!("paused by {actor}"));
                }
                Ok(self.status())
            }
            Command::Resume => {
                let Some((id, next)) = self.rollout.as_ref().filter(|r| r.phase == Phase::Paused).map(|r| {
                    (
                        r.id,
                        r.step + usize::from(matches!(r.plan.get(r.step), Some(Plan::Pause(None))) && r.entered),
                    )
                }) else {
                    return Err(self.nothing("resume"));
                };
                self.record(
                    actor,
                    state::ROLLOUT_RESUMED,
                    json!({ "rollout": id, "next_step": next }),
                )?;
                if let Some(r) = self.rollout.as_mut() {
                    r.phase = Phase::Progressing;
                    r.reason = None;
                    r.progress_at = Instant::now();
                    if let Some(run) = &mut r.run {
                        run.tally.inconclusive = 0;
                    }
                    // A pause step waiting for a human is left by `promote`, not `resume`.
                    if matches!(r.plan.get(r.step), Some(Plan::Pause(None))) && r.entered {
                        r.step += 1;
                        r.entered = false;
                    }
                }
                Ok(self.status())
            }
            Command::Promote { full } => {
                let Some(r) = self.active() else {
                    return Err(self.nothing("promote"));
                };
                let id = r.id;
                let step = r.step;
                let next = if full {
                    r.plan.len()
                } else {
                    r.step + usize::from(r.entered)
                };
                self.record(
                    actor,
                    state::ROLLOUT_PROMOTED,
                    json!({ "rollout": id, "step": step, "next_step": next, "full": full }),
                )?;
                let r = self.rollout.as_mut().expect("active");
                r.phase = Phase::Progressing;
                r.reason = None;
                r.progress_at = Instant::now();
                if full {
                    r.step = r.plan.len();
                } else {
                    r.step += usize::from(r.entered);
                }
                r.entered = false;
                if let Some(run) = &mut r.run {
                    run.in_step = 0;
                }
                self.log(format!("promoted by {actor}{}", if full { " (full)" } else { "" }));
                Ok(self.status())
            }
            Command::Abort => {
                if self.active().is_none() {
                    return Err(self.nothing("abort"));
                }
                self.abort(&format!("aborted by {actor}"), actor)?;
                Ok(self.status())
            }
            Command::Rollback => self.rollback(actor),
        }
    }

    fn nothing(&self, what: &str) -> Refusal {
        Refusal::new(
            crate::exit::Exit::Usage,
            format!("there is no rollout of {} in {} to {what}", self.service, self.env),
            format!(
                "`lockgate rollout status {} --env {}` shows its state",
                self.service, self.env
            ),
        )
    }

    fn begin(&mut self, kind: Kind, version: String, actor: &Actor, retry_of: Option<u64>) -> Result<Value, Refusal> {
        let from = self.stable.clone();
        let id = self.record(
            actor,
            state::ROLLOUT_STARTED,
            json!({ "strategy": kind.name(), "from": from, "to": version, "retry_of": retry_of, "vars": self.version_vars.get(&version).cloned().unwrap_or_default() }),
        )?;
        self.log(format!(
            "rollout {id}: {} -> {version} ({})",
            from.as_deref().unwrap_or("nothing"),
            kind.name()
        ));
        self.rollout = Some(self.new_rollout(id, kind, from, version, actor.clone(), jiff::Timestamp::now()));
        self.reconcile();
        Ok(json!({ "started": true, "rollout": id, "status": self.status() }))
    }

    fn abort(&mut self, reason: &str, actor: &Actor) -> Result<(), Refusal> {
        let Some(id) = self.active().map(|r| r.id) else {
            return Ok(());
        };
        // Recorded first: a controller killed right after this line comes back aborted.
        self.record(
            actor,
            state::ROLLOUT_ABORTED,
            json!({ "rollout": id, "reason": reason }),
        )?;
        self.log(format!("rollout {id} aborted: {reason}"));
        if let Some(r) = self.rollout.as_mut() {
            r.phase = Phase::Aborted;
            r.reason = Some(reason.to_string());
            r.weight = 0.0;
        }
        self.update_route();
        Ok(())
    }

    fn rollback(&mut self, actor: &Actor) -> Result<Value, Refusal> {
        use crate::exit::Exit;
        if let Some(r) = self.active() {
            let (to, from) = (r.to.clone(), r.from.clone());
            self.abort(&format!("rolled back by {actor}"), actor)?;
            self.record(
                actor,
                state::ROLLED_BACK,
                json!({ "from": to, "to": from, "instant": true }),
            )?;
            return Ok(json!({ "instant": true, "status": self.status() }));
        }
        // The warm version stays warm unless the switch back is recorded.
        if let Some(warm) = self.warm.as_ref().map(|w| w.version.clone()) {
            let ready = self
                .instances
                .iter()
                .filter(|i| i.version == warm && i.state == InstState::Ready)
                .count();
            if ready > 0 {
                let from = self.stable.clone();
                self.record(
                    actor,
                    state::ROLLED_BACK,
                    json!({ "from": from, "to": warm, "instant": true }),
                )?;
                self.log(format!("rolled back to warm {} by {actor}", warm));
                self.warm = None;
                self.stable = Some(warm);
                self.update_route();
                return Ok(json!({ "instant": true, "status": self.status() }));
            }
        }
        let previous = self
            .rollout
            .as_ref()
            .filter(|r| r.phase == Phase::Completed)
            .and_then(|r| r.from.clone());
        match previous {
            Some(p) => {
                let v = self.begin(Kind::Rollback, p, actor, None)?;
                Ok(json!({ "instant": false, "status": v["status"] }))
            }
            None => Err(Refusal::new(
                Exit::Usage,
                format!(
                    "{} in {} has no previous version to roll back to",
                    self.service, self.env
                ),
                "deploy the version you want with `lockgate deploy SERVICE --env ENV --version V`",
            )),
        }
    }

    // ---- reconcile ------------------------------------------------------

    /// (version, instances wanted) for every version that should run.
    fn desired(&self) -> Vec<(String, usize)> {
        let n = self.spec.instances.max(1) as usize;
        let mut d: Vec<(String, usize)> = Vec::new();
        let mut want = |v: &str, c: usize| {
            if let Some(e) = d.iter_mut().find(|(x, _)| x == v) {
                e.1 = e.1.max(c);
            } else {
                d.push((v.to_string(), c));
            }
        };
        match self.active() {
            Some(r) if r.kind == Kind::Rolling => {
                // Surge: the batch of this step starts beside the old
                // instances; old ones go only for batches that passed (their
                // step ended: ready, and analysed when there is analysis).
                let target = |step: usize| match r.plan.get(step) {
                    Some(Plan::Weight(w, _)) => ((w / 100.0) * n as f64).round() as usize,
                    _ => n,
                };
                let passed = if r.step == 0 { 0 } else { target(r.step - 1) };
                want(&r.to, target(r.step));
                if let Some(s) = &self.stable {
                    want(s, n.saturating_sub(passed));
                }
            }
            Some(r) => {
                want(&r.to, n);
                if let Some(s) = &self.stable {
                    want(s, n);
                }
            }
            None => {
                if let Some(s) = &self.stable {
                    want(s, n);
                }
                // After an aborted rolling update the new instances stay until
                // the old version has all its instances back.
                if let Some(r) = self.rolling_aborted() {
                    let missing = n.saturating_sub(self.stable.as_deref().map_or(0, |s| self.ready(s)));
                    if missing > 0 {
                        want(&r.to, missing.min(self.ready(&r.to)));
                    }
                }
            }
        }
        if let Some(w) = &self.warm {
            want(&w.version, n);
        }
        d
    }

    fn rolling_aborted(&self) -> Option<&Rollout> {
        self.rollout
            .as_ref()
            .filter(|r| r.phase == Phase::Aborted && r.kind == Kind::Rolling && self.stable.as_ref() != Some(&r.to))
    }

    fn ready(&self, version: &str) -> usize {
        self.instances
            .iter()
            .filter(|i| i.version == version && i.state == InstState::Ready)
            .count()
    }

    fn reconcile(&mut self) {
        if let Some(w) = &self.warm
            && Instant::now() >= w.until
        {
            let v = w.version.clone();
            self.warm = None;
            self.note(state::WARM_RELEASED, json!({ "version": v }));
        }
        let desired = self.desired();
        // Start what is missing.
        for (version, count) in &desired {
            let live = self
                .instances
                .iter()
                .filter(|i| &i.version == version && matches!(i.state, InstState::Starting | InstState::Ready))
                .count();
            if live < *count {
                let allowed = self
                    .crashes
                    .get(version)
                    .is_none_or(|(_, next, _)| Instant::now() >= *next);
                if allowed {
                    for _ in live..*count {
                        self.spawn(version);
                    }
                }
            } else if live > *count {
                // Starting instances go first, then the oldest.
                let mut cands: Vec<(bool, Instant, String)> = self
                    .instances
                    .iter()
                    .filter(|i| &i.version == version && matches!(i.state, InstState::Starting | InstState::Ready))
                    .map(|i| (i.state == InstState::Ready, i.since, i.id.clone()))
                    .collect();
                cands.sort();
                let mut surplus: Vec<String> = cands.into_iter().map(|(_, _, id)| id).collect();
                surplus.truncate(live - count);
                for id in surplus {
                    self.drain(&id, "no longer needed");
                }
            }
        }
        // Drain versions nobody wants.
        let unwanted: Vec<String> = self
            .instances
            .iter()
            .filter(|i| {
                matches!(i.state, InstState::Starting | InstState::Ready)
                    && !desired.iter().any(|(v, _)| *v == i.version)
            })
            .map(|i| i.id.clone())
            .collect();
        for id in unwanted {
            self.drain(&id, "version retired");
        }
        self.progress();
        self.update_route();
        self.finish_draining();
    }

    fn spawn(&mut self, version: &str) {
        let port = match free_port() {
            Ok(p) => p,
            Err(e) => {
                self.log(format!("no free port: {e}"));
                return;
            }
        };
        let mut rnd = [0u8; 4];
        let _ = getrandom::fill(&mut rnd);
        let id = format!("{}.{}.{}.{}", self.service, self.env, version, hex::encode(rnd));
        let spec = InstanceSpec {
            id: id.clone(),
            service: self.service.clone(),
            env: self.env.clone(),
            version: version.to_string(),
            script: self.spec.run.value.0.clone(),
            port,
            workdir: self.workdir.clone(),
            vars: self
                .vars
                .iter()
                .cloned()
                .chain(
                    self.version_vars
                        .get(version)
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| (k.clone(), v.clone())),
                )
                .collect(),
            log: self
                .sh
                .state_dir
                .join("services")
                .join(&self.service)
                .join(&self.env)
                .join(format!("{id}.log")),
        };
        let target = self.sh.target.clone();
        // Starting a process is quick; do it inline so its pid can be recorded now.
        let started = tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(target.start(&spec)));
        match started {
            Ok(s) => {
                self.note(
                    state::INSTANCE_STARTED,
                    json!({ "instance": id, "version": version, "port": port, "pid": s.pid, "log": crate::diag::display_path(&spec.log) }),
                );
                let backend = Backend::new(&self.proxy, &id, version, SocketAddr::from(([127, 0, 0, 1], port)));
                self.instances.push(Inst {
                    id: id.clone(),
                    version: version.to_string(),
                    port,
                    pid: s.pid,
                    state: InstState::Starting,
                    backend,
                    since: Instant::now(),
                    stop_reason: "",
                });
                self.watch_ready(id.clone(), port);
                self.watch_exit(id, s.pid, s.child);
            }
            Err(e) => {
                self.log(format!("cannot start {version}: {e}"));
                self.crashed(version, None);
            }
        }
    }

    fn watch_ready(&self, id: String, port: u16) {
        let tx = self.tx.clone();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let health = self.spec.health.as_ref().map(|h| h.0.clone());
        let timeout = self.spec.ready_timeout.as_std();
        tokio::spawn(async move {
            let deadline = Instant::now() + timeout;
            let (interval, check_timeout) = health
                .as_ref()
                .map_or((Duration::from_millis(100), Duration::from_secs(1)), |h| {
                    (h.interval.as_std().min(Duration::from_secs(1)), h.timeout.as_std())
                });
            let mut last = String::from("no answer yet");
            let mut delay = Duration::from_millis(20);
            while Instant::now() < deadline {
                let ok = match probe(addr, health.as_ref(), check_timeout).await {
                    Ok(()) => true,
                    Err(e) => {
                        last = e;
                        false
                    }
                };
                if ok {
                    let _ = tx.send(Msg::Ready { id });
                    return;
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(interval);
            }
            let _ = tx.send(Msg::NotReady {
                id,
                reason: format!("{last} (after {})", spec::Duration(timeout)),
            });
        });
    }

    fn watch_exit(&self, id: String, pid: u32, child: Option<tokio::process::Child>) {
        let tx = self.tx.clone();
        let target = self.sh.target.clone();
        tokio::spawn(async move {
            let code = match child {
                Some(mut c) => c.wait().await.ok().and_then(|s| s.code()),
                None => {
                    while target.alive(pid) {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    None
                }
            };
            // Whatever the leader left behind in its group goes with it:
            // no process of an instance outlives its owner's record.
            if let Ok(pgid) = i32::try_from(pid) {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), nix::sys::signal::Signal::SIGKILL);
            }
            let _ = tx.send(Msg::Exited { id, code });
        });
    }

    fn drain(&mut self, id: &str, why: &'static str) {
        if let Some(i) = self.instances.iter_mut().find(|i| i.id == id) {
            if matches!(i.state, InstState::Draining | InstState::Stopping) {
                return;
            }
            i.state = InstState::Draining;
            i.since = Instant::now();
            i.stop_reason = why;
            let version = i.version.clone();
            self.log(format!("draining {id} ({version}): {why}"));
        }
        self.update_route();
    }

    /// Stops drained instances once their last request finished (or the grace ran out).
    fn finish_draining(&mut self) {
        let grace = self.spec.stop_grace.as_std();
        let ids: Vec<(String, u32)> = self
            .instances
            .iter()
            .filter(|i| {
                i.state == InstState::Draining
                    && ((i.backend.inflight() == 0 && i.since.elapsed() >= DRAIN_SETTLE.min(grace))
                        || i.since.elapsed() > grace)
            })
            .map(|i| (i.id.clone(), i.pid))
            .collect();
        for (id, pid) in ids {
            if let Some(i) = self.instances.iter_mut().find(|i| i.id == id) {
                i.state = InstState::Stopping;
            }
            let target = self.sh.target.clone();
            let tx = self.tx.clone();
            tokio::spawn(async move {
                target.stop(pid, grace).await;
                let _ = tx.send(Msg::Stopped { id });
            });
        }
    }

    fn group(&self, version: Option<&str>) -> Vec<Arc<Backend>> {
        let Some(v) = version else { return Vec::new() };
        self.instances
            .iter()
            .filter(|i| i.version == v && i.state == InstState::Ready)
            .map(|i| i.backend.clone())
            .collect()
    }

    fn update_route(&mut self) {
        let (canary_version, weight) = match self.active() {
            Some(r) if Some(&r.to) != self.stable.as_ref() => {
                let w = if r.kind == Kind::Rolling {
                    let new = self.ready(&r.to) as f64;
                    let old = self.stable.as_deref().map_or(0, |s| self.ready(s)) as f64;
                    if new + old > 0.0 {
                        new * 100.0 / (new + old)
                    } else {
                        0.0
                    }
                } else {
                    r.weight
                };
                (Some(r.to.clone()), w)
            }
            // Nothing of the old version is ready after an aborted rolling
            // update: the new instances serve until it is back.
            _ => match self.rolling_aborted() {
                Some(r) => (Some(r.to.clone()), 0.0),
                None => (None, 0.0),
            },
        };
        let stable = self.group(self.stable.as_deref());
        let canary = if weight > 0.0 || stable.is_empty() {
            self.group(canary_version.as_deref())
        } else {
            Vec::new()
        };
        let key = format!(
            "{:?}|{:?}|{weight}",
            stable.iter().map(|b| &b.instance).collect::<Vec<_>>(),
            canary.iter().map(|b| &b.instance).collect::<Vec<_>>()
        );
        if key != self.route_key {
            self.route_key = key;
            self.proxy.set_route(Route { stable, canary, weight });
        }
        if let Some((p, _)) = &self.preview {
            let green = match self.active() {
                Some(r) if r.kind == Kind::BlueGreen => self.group(Some(&r.to)),
                _ => Vec::new(),
            };
            if p.route().stable.len() != green.len() {
                p.set_route(Route {
                    stable: green,
                    canary: Vec::new(),
                    weight: 0.0,
                });
            }
        }
    }

    // ---- rollout progress -------------------------------------------------

    fn progress(&mut self) {
        let n = self.spec.instances.max(1) as usize;
        let ready_timeout = self.spec.ready_timeout.as_std();
        let deadline = match &self.spec.strategy {
            Strategy::Canary(c) => c.progress_deadline.as_std(),
            _ => Duration::from_secs(600),
        };
        let Some(r) = self.rollout.as_ref() else { return };
        if r.phase != Phase::Progressing {
            return;
        }
        // New instances first.
        let target = match (r.kind, r.plan.get(r.step)) {
            (Kind::Rolling, Some(Plan::Weight(w, _))) => ((w / 100.0) * n as f64).round() as usize,
            _ => n,
        };
        let to = r.to.clone();
        if self.ready(&to) < target {
            let since = *self
                .rollout
                .as_mut()
                .expect("rollout")
                .waiting_since
                .get_or_insert_with(Instant::now);
            if since.elapsed() > ready_timeout + Duration::from_millis(500) {
                let (crashes, code) = self.crashes.get(&to).map_or((0, None), |c| (c.0, c.2));
                let mut reason = format!("{to} did not become ready within {}", spec::Duration(ready_timeout));
                if crashes > 0 {
                    reason.push_str(&format!(
                        "; its instances failed {crashes} time(s){}",
                        code.map(|c| format!(", last exit code {c}")).unwrap_or_default()
                    ));
                }
                reason.push_str(&format!(
                    "; see the logs in .lockgate/services/{}/{}/",
                    self.service, self.env
                ));
                let _ = self.abort(&reason, &Actor::system());
            }
            return;
        }
        let r = self.rollout.as_mut().expect("rollout");
        r.waiting_since = None;
        // A step that overstays its planned time by `progress_deadline` is stuck
        // (say, analysis that never completes): abort.
        let planned = match r.plan.get(r.step) {
            Some(Plan::Weight(_, d) | Plan::Pause(Some(d))) => *d,
            _ => Duration::ZERO,
        };
        if r.entered && r.progress_at.elapsed() > planned + deadline {
            let reason = format!("no progress for {} (progress_deadline)", spec::Duration(deadline));
            let _ = self.abort(&reason, &Actor::system());
            return;
        }
        // Analysis.
        self.maybe_measure();
        let r = self.rollout.as_mut().expect("rollout");
        if r.phase != Phase::Progressing {
            return;
        }
        let Some(step) = r.plan.get(r.step).cloned() else {
            self.complete();
            return;
        };
        let (id, index) = (r.id, r.step);
        if !r.entered {
            r.entered = true;
            r.step_since = Instant::now();
            r.progress_at = Instant::now();
            let (to_version, started_weight) = (r.to.clone(), r.weight);
            let first_weight = matches!(step, Plan::Weight(..)) && started_weight == 0.0;
            if let Some(run) = &mut r.run {
                run.in_step = 0;
                // A measurement covers one interval: the first comes one interval after
                // `initial_delay`, over traffic from then on.
                if run.gated || first_weight {
                    run.next = Instant::now() + run.spec.initial_delay.as_std() + run.spec.interval.as_std();
                    run.snap = self.proxy.metrics(&to_version).snapshot();
                    run.snap_at = Instant::now() + run.spec.initial_delay.as_std();
                }
            }
            match step {
                Plan::Weight(w, _) => {
                    self.note(
                        state::ROLLOUT_STEP,
                        json!({ "rollout": id, "step": index, "weight": w }),
                    );
                    let r = self.rollout.as_mut().expect("rollout");
                    r.weight = w;
                    self.log(format!("step {}: {w}% to {to}", index + 1));
                    self.update_route();
                }
                Plan::Pause(None) => {
                    let reason = format!("waiting at step {} for `lockgate promote {}`", index + 1, self.service);
                    self.note(
                        state::ROLLOUT_STEP,
                        json!({ "rollout": id, "step": index, "pause": true }),
                    );
                    self.note(state::ROLLOUT_PAUSED, json!({ "rollout": id, "reason": reason }));
                    let r = self.rollout.as_mut().expect("rollout");
                    r.phase = Phase::Paused;
                    r.reason = Some(reason);
                }
                Plan::Pause(Some(d)) => {
                    self.note(
                        state::ROLLOUT_STEP,
                        json!({ "rollout": id, "step": index, "pause": spec::Duration(d).to_string() }),
                    );
                }
                Plan::Preview => {
                    self.note(
                        state::ROLLOUT_STEP,
                        json!({ "rollout": id, "step": index, "preview": true, "weight": 0 }),
                    );
                    self.update_route();
                }
            }
            return;
        }
        let elapsed = r.step_since.elapsed();
        let analysed = r
            .run
            .as_ref()
            .is_none_or(|run| !run.gated || run.in_step >= run.spec.count.max(1));
        let done = match step {
            Plan::Weight(_, d) => elapsed >= d && analysed,
            Plan::Pause(None) => false,
            Plan::Pause(Some(d)) => elapsed >= d,
            Plan::Preview => analysed,
        };
        if !done {
            return;
        }
        if matches!(step, Plan::Preview)
            && let Strategy::BlueGreen(b) = &self.spec.strategy
            && !b.auto_promote
        {
            let reason = format!(
                "the preview passed; `lockgate promote {}` switches traffic{}",
                self.service,
                self.preview
                    .as_ref()
                    .map(|(_, a)| format!(" (preview at http://{a})"))
                    .unwrap_or_default()
            );
            self.note(state::ROLLOUT_PAUSED, json!({ "rollout": id, "reason": reason }));
            let r = self.rollout.as_mut().expect("rollout");
            r.phase = Phase::Paused;
            r.reason = Some(reason);
            r.step += 1;
            r.entered = false;
            return;
        }
        let r = self.rollout.as_mut().expect("rollout");
        r.step += 1;
        r.entered = false;
        if r.step >= r.plan.len() {
            self.complete();
        }
    }

    fn complete(&mut self) {
        let Some(r) = self.rollout.as_ref() else { return };
        let window = match (&self.spec.strategy, r.kind) {
            (_, Kind::Initial | Kind::Rollback | Kind::Rolling) => Duration::ZERO,
            (Strategy::BlueGreen(b), _) => b.rollback_window.as_std(),
            (Strategy::Canary(c), _) => c.rollback_window.as_std(),
            _ => Duration::ZERO,
        };
        let (id, to, from) = (r.id, r.to.clone(), r.from.clone());
        let warm = !window.is_zero() && from.is_some();
        if self
            .record(
                &Actor::system(),
                state::ROLLOUT_COMPLETED,
                json!({ "rollout": id, "version": to, "previous": from, "warm": warm }),
            )
            .is_err()
        {
            return;
        }
        self.log(format!("rollout {id} complete: {to} is stable"));
        let r = self.rollout.as_mut().expect("rollout");
        r.phase = Phase::Completed;
        r.weight = 100.0;
        self.warm = if warm {
            from.map(|v| Warm {
                version: v,
                until: Instant::now() + window,
            })
        } else {
            None
        };
        self.stable = Some(to);
        self.update_route();
    }

    fn maybe_measure(&mut self) {
        let canary_addr = self
            .active()
            .and_then(|r| {
                self.instances
                    .iter()
                    .find(|i| i.version == r.to && i.state == InstState::Ready)
            })
            .map(|i| SocketAddr::from(([127, 0, 0, 1], i.port)));
        let stable = self.stable.clone().unwrap_or_default();
        let (service, env) = (self.service.clone(), self.env.clone());
        let Some(r) = self.rollout.as_mut() else { return };
        let started = r.entered
            && (r.weight > 0.0
                || matches!(r.plan.get(r.step), Some(Plan::Preview))
                || r.run.as_ref().is_some_and(|x| x.gated));
        let Some(run) = r.run.as_mut() else { return };
        if run.busy || !started || Instant::now() < run.next {
            return;
        }
        if run.conditions.is_empty() && run.spec.probes.is_empty() {
            return;
        }
        run.busy = true;
        let tx = self.tx.clone();
        let id = r.id;
        let to = r.to.clone();
        let probes = run.spec.probes.clone();
        let prom = run.spec.prometheus.as_ref().map(|p| p.to_string());
        let queries: Vec<String> = run
            .conditions
            .iter()
            .filter_map(|c| match &c.measure {
                super::analysis::Measure::Prometheus(q) => Some(q.clone()),
                _ => None,
            })
            .collect();
        tokio::spawn(async move {
            let mut ext = External::default();
            for p in probes {
                let name = format!("probe GET {} == {}", p.path, p.status);
                let Some(addr) = canary_addr else {
                    ext.probes.push((name, false, "no ready instance".into()));
                    continue;
                };
                match http_get(addr, p.path.as_str(), Duration::from_secs(5)).await {
                    Ok(r) => {
                        let body_ok = p.body.as_ref().is_none_or(|b| r.body.contains(b.as_str()));
                        ext.probes.push((
                            name,
                            r.status == p.status && body_ok,
                            format!("{}{}", r.status, if body_ok { "" } else { ", body mismatch" }),
                        ));
                    }
                    Err(e) => ext.probes.push((name, false, e.to_string())),
                }
            }
            for q in queries {
                let expanded = q
                    .replace("{{canary}}", &to)
                    .replace("{{stable}}", &stable)
                    .replace("{{service}}", &service)
                    .replace("{{env}}", &env);
                let v = match &prom {
                    Some(base) => super::prometheus::query(base, &expanded).await,
                    None => Err("no `prometheus` server configured for this analysis".to_string()),
                };
                ext.prometheus.push((q, v));
            }
            let _ = tx.send(Msg::Measured { rollout: id, ext });
        });
    }

    fn measured(&mut self, rollout: u64, ext: External) {
        // Backends count into the main proxy's metrics of their version, so
        // traffic through a blue-green preview port is included.
        let metrics = self.rollout.as_ref().map(|r| self.proxy.metrics(&r.to));
        let Some(r) = self.rollout.as_mut().filter(|r| r.id == rollout) else {
            return;
        };
        let step = r.step;
        let Some(run) = r.run.as_mut() else { return };
        run.busy = false;
        if !matches!(r.phase, Phase::Progressing) {
            return;
        }
        let now_snap = metrics.map(|m| m.snapshot()).unwrap_or_default();
        let window = now_snap.since(&run.snap);
        let elapsed = run.snap_at.elapsed();
        run.snap = now_snap;
        run.snap_at = Instant::now();
        let m = measure(&run.conditions, &window, elapsed, run.spec.min_samples, &ext);
        let verdict = run.tally.add(m.outcome, &run.spec);
        if m.outcome == Outcome::Successful {
            run.in_step += 1;
        }
        run.next = Instant::now() + run.spec.interval.as_std();
        let tally = run.tally.clone();
        let dry = run.spec.dry_run;
        run.last = Some(m.clone());
        self.note(
            state::ROLLOUT_ANALYSIS,
            json!({ "rollout": rollout, "step": step, "outcome": m.outcome, "samples": m.samples, "observed": m.observed, "message": m.message, "tally": tally, "dry_run": dry }),
        );
        if m.outcome != Outcome::Successful {
            self.log(format!(
                "analysis {}: {}",
                m.outcome,
                m.observed
                    .iter()
                    .map(|o| format!("{} = {}", o.condition, o.value.as_deref().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        match verdict {
            Verdict::Continue => {}
            Verdict::Abort(reason) => {
                let _ = self.abort(&format!("analysis failed: {reason}"), &Actor::system());
            }
            Verdict::Pause(reason) => {
                self.note(state::ROLLOUT_PAUSED, json!({ "rollout": rollout, "reason": reason }));
                if let Some(r) = self.rollout.as_mut() {
                    r.phase = Phase::Paused;
                    r.reason = Some(reason);
                }
            }
        }
    }

    async fn stop_all(&mut self) {
        let _ = self.shutdown.send(true);
        let grace = self.spec.stop_grace.as_std();
        let mut tasks = Vec::new();
        for i in &self.instances {
            let target = self.sh.target.clone();
            let pid = i.pid;
            tasks.push(tokio::spawn(async move { target.stop(pid, grace).await }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let ids: Vec<(String, String)> = self.instances.drain(..).map(|i| (i.id, i.version)).collect();
        for (id, version) in ids {
            self.note(
                state::INSTANCE_STOPPED,
                json!({ "instance": id, "version": version, "reason": "controller stopped" }),
            );
        }
    }

    // ---- status -----------------------------------------------------------

    fn status(&self) -> Value {
        let instances: Vec<Value> = self
            .instances
            .iter()
            .map(|i| {
                json!({
                    "id": i.id, "version": i.version, "port": i.port, "pid": i.pid,
                    "state": match i.state { InstState::Starting => "starting", InstState::Ready => "ready", InstState::Draining => "draining", InstState::Stopping => "stopping" },
                    "inflight": i.backend.inflight(),
                })
            })
            .collect();
        let mut versions = serde_json::Map::new();
        for v in self.instances.iter().map(|i| &i.version).chain(self.stable.iter()) {
            let s = self.proxy.metrics(v).snapshot();
            versions.insert(
                v.clone(),
                json!({ "requests": s.requests, "errors": s.errors(), "error_rate": s.error_rate(), "p99_ms": s.quantile(0.99).map(|d| d.as_secs_f64() * 1000.0) }),
            );
        }
        let rollout = self.rollout.as_ref().map(|r| {
            let steps: Vec<String> = r
                .plan
                .iter()
                .map(|p| match p {
                    Plan::Weight(w, _) => format!("{w}%"),
                    Plan::Pause(None) => "pause".into(),
                    Plan::Pause(Some(d)) => format!("pause {}", spec::Duration(*d)),
                    Plan::Preview => "preview".into(),
                })
                .collect();
            let next_step_ms = match (r.phase, r.plan.get(r.step)) {
                (Phase::Progressing, Some(Plan::Weight(_, d) | Plan::Pause(Some(d)))) if r.entered => {
                    Some(d.saturating_sub(r.step_since.elapsed()).as_millis() as u64)
                }
                _ => None,
            };
            json!({
                "id": r.id,
                "strategy": r.kind.name(),
                "from": r.from,
                "to": r.to,
                "phase": phase_name(r.phase),
                "reason": r.reason,
                "step": r.step.min(r.plan.len()),
                "steps": steps,
                "weight": r.weight,
                "next_step_in_ms": next_step_ms,
                "actor": r.actor.to_string(),
                "started": r.started.to_string(),
                "analysis": r.run.as_ref().map(|run| json!({
                    "conditions": run.spec.conditions.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
                    "interval": spec::Duration(run.spec.interval.as_std()).to_string(),
                    "failure_limit": run.spec.failure_limit,
                    "inconclusive_limit": run.spec.inconclusive_limit,
                    "consecutive_error_limit": run.spec.consecutive_error_limit,
                    "min_samples": run.spec.min_samples,
                    "dry_run": run.spec.dry_run,
                    "tally": run.tally,
                    "last": run.last,
                })),
            })
        });
        json!({
            "service": self.service,
            "env": self.env,
            "listen": self.listen.map(|a| a.to_string()),
            "listen_error": self.listen_error,
            "preview": self.preview.as_ref().map(|(_, a)| a.to_string()),
            "stable": self.stable,
            "warm": self.warm.as_ref().map(|w| json!({ "version": w.version, "for_ms": w.until.saturating_duration_since(Instant::now()).as_millis() as u64 })),
            "instances": instances,
            "rollout": rollout,
            "traffic": versions,
        })
    }
}

pub fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Progressing => "progressing",
        Phase::Paused => "paused",
        Phase::Aborted => "aborted",
        Phase::Completed => "completed",
    }
}

/// One readiness probe: the health check's GET (status as configured, else
/// 2xx), or a TCP connect when the service declares no health check.
async fn probe(addr: SocketAddr, health: Option<&crate::spec::HealthCheck>, timeout: Duration) -> Result<(), String> {
    match health {
        Some(h) => match http_get(addr, h.path.as_str(), timeout).await {
            Ok(r)
                if h.expect_status
                    .map_or((200..300).contains(&r.status), |s| s == r.status) =>
            {
                Ok(())
            }
            Ok(r) => Err(format!("GET {} answered {}", h.path, r.status)),
            Err(e) => Err(format!("GET {}: {e}", h.path)),
        },
        None => match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("connect: {e}")),
            Err(_) => Err("connect: timed out".into()),
        },
    }
}
