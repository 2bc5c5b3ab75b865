//! Running a pipeline: the scheduler.
//!
//! Jobs start when everything they `need` has succeeded, up to `parallel` at
//! a time. A job with `inputs` whose cache key matches a stored result is
//! restored instead of run. Every run, attempt, result, evidence item and
//! artifact digest is a ledger event (kinds `run.*`, `job.*`, `evidence.*`,
//! `artifact.recorded`), appended through the group-commit writer so the
//! scheduler never waits on a disk flush.
//!
//! Outcome and conclusion are kept apart as in GitHub Actions: a job that
//! failed with `allow_failure: true` has outcome `failure` and conclusion
//! `success`; dependents and the run's status follow the conclusion.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::cache::{self, Cache};
use super::executor::{Executor, JobCommand, Outcome, Terminator};
use super::files;
use super::mask::Masker;
use crate::evidence::{self, Facts, Kind};
use crate::ledger::committer::{Appender, Committer, Pending};
use crate::ledger::{Actor, Ledger, LedgerError, NewEvent};
use crate::spec::{self, Job, Spec};

/// How a run is asked for.
#[derive(Clone, Debug)]
pub struct Options {
    /// Jobs to run (with everything they need); empty means all.
    pub jobs: Vec<String>,
    pub parallel: usize,
    pub use_cache: bool,
    pub keep_going: bool,
    pub trigger: Actor,
    /// `run` locally; the server sets e.g. `push` or `schedule`.
    pub event: String,
}

/// The repository state a run belongs to.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GitInfo {
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// Uncommitted changes to tracked files: evidence then belongs to no commit.
    pub dirty: bool,
}

impl GitInfo {
    pub fn detect(root: &Path) -> Self {
        match crate::git::head(root) {
            Some((commit, branch)) => GitInfo {
                dirty: commit.is_some() && crate::git::dirty(root),
                commit,
                branch,
            },
            None => GitInfo::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

/// The result of one job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobResult {
    pub job: String,
    /// What happened.
    pub outcome: Status,
    /// What it means for the run (`allow_failure` turns a failure into success).
    pub conclusion: Status,
    pub cached: bool,
    pub attempts: u32,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub duration_ms: u64,
    /// Why it failed or was skipped, for people.
    pub reason: Option<String>,
    /// Digest over the job's output files, when it has any.
    pub artifact: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Debug, Serialize)]
pub struct RunReport {
    pub run: u64,
    pub status: RunStatus,
    pub duration_ms: u64,
    pub jobs: Vec<JobResult>,
    /// Digest over every output of the run (what gates and approvals bind to).
    pub artifact: String,
    pub git: GitInfo,
    pub log_dir: PathBuf,
}

/// Progress display hooks (TTY bars or plain lines).
pub trait Ui {
    fn run_started(&mut self, run: u64, jobs: usize);
    fn job_started(&mut self, job: &str, attempt: u32);
    fn job_output(&mut self, job: &str, bytes: &[u8]);
    fn job_finished(&mut self, result: &JobResult);
    fn note(&mut self, message: &str);
}

/// A resolved secret: its name and value.
#[derive(Clone)]
pub struct Secret {
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}: ***)", self.name)
    }
}

/// Reads every secret of the spec. A missing one is an error naming it.
pub fn resolve_secrets(spec: &Spec, root: &Path) -> Result<Vec<Secret>, String> {
    let mut out = Vec::new();
    for (name, src) in spec.secrets.iter() {
        let value = match &src.0 {
            spec::SecretSource::Env(var) => std::env::var(var.as_str())
                .map_err(|_| format!("secret `{name}`: environment variable `{var}` is not set"))?,
            spec::SecretSource::File(path) => {
                let p = root.join(path.as_str());
                std::fs::read_to_string(&p)
                    .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
                    .map_err(|e| format!("secret `{name}`: cannot read {}: {e}", p.display()))?
            }
        };
        out.push(Secret {
            name: name.to_string(),
            value,
        });
    }
    Ok(out)
}

/// `jobs` and everything they need, in file order.
pub fn select(spec: &Spec, jobs: &[String]) -> Result<Vec<String>, String> {
    if jobs.is_empty() {
        return Ok(spec.pipeline.names().map(str::to_string).collect());
    }
    let mut want: Vec<String> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for j in jobs {
        if !spec.pipeline.contains(j) {
            let names: Vec<&str> = spec.pipeline.names().collect();
            return Err(match spec::did_you_mean(j, names.iter().copied()) {
                Some(s) => format!("unknown job `{j}`; did you mean `{s}`?"),
                None => format!("unknown job `{j}`; jobs: {}", names.join(", ")),
            });
        }
        stack.push(j.clone());
    }
    while let Some(j) = stack.pop() {
        if want.contains(&j) {
            continue;
        }
        if let Some(job) = spec.pipeline.get(&j) {
            stack.extend(job.needs.iter().map(|n| n.value.clone()));
        }
        want.push(j);
    }
    Ok(spec
        .pipeline
        .names()
        .filter(|n| want.iter().any(|w| w == n))
        .map(str::to_string)
        .collect())
}

struct CondCx<'a> {
    git: &'a GitInfo,
    event: &'a str,
}

impl spec::condition::Context for CondCx<'_> {
    fn var(&self, name: &str) -> String {
        match name {
            "branch" => self.git.branch.clone().unwrap_or_default(),
            "commit" => self.git.commit.clone().unwrap_or_default(),
            "event" => self.event.to_string(),
            "os" => std::env::consts::OS.to_string(),
            _ => String::new(),
        }
    }
    fn env(&self, name: &str) -> String {
        std::env::var(name).unwrap_or_default()
    }
}

enum Msg {
    Output(usize, Vec<u8>),
    Done(usize, std::io::Result<Outcome>),
}

enum State {
    Pending,
    Running {
        started: Instant,
        attempt: u32,
        terminator: Terminator,
        deadline: Option<Instant>,
        timed_out: bool,
    },
    Waiting {
        until: Instant,
        attempt: u32,
    },
    Done(JobResult),
}

/// Everything a run needs besides its options.
pub struct Context<'a> {
    pub root: &'a Path,
    pub spec: &'a Spec,
    pub secrets: &'a [Secret],
    pub git: GitInfo,
    pub executor: &'a dyn Executor,
    pub interrupted: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("{0}")]
    Io(String),
}

fn digest_lines(lines: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (a, b) in lines {
        h.update(a.as_bytes());
        h.update([0]);
        h.update(b.as_bytes());
        h.update([b'\n']);
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

struct Runner<'a> {
    cx: &'a Context<'a>,
    opts: &'a Options,
    run: u64,
    names: Vec<String>,
    jobs: Vec<&'a Job>,
    /// `deps[i]`: indices of the jobs job `i` needs (resolved once).
    deps: Vec<Vec<usize>>,
    /// `dependents[i]`: the jobs that need job `i`.
    dependents: Vec<Vec<usize>>,
    /// How many of a job's needs have not finished yet.
    unmet: Vec<usize>,
    /// Pending jobs whose needs have all finished, in file order.
    ready: std::collections::BTreeSet<usize>,
    /// Jobs waiting to retry.
    waiting: std::collections::BTreeSet<usize>,
    running_count: usize,
    states: Vec<State>,
    appender: Appender,
    pending: Vec<Pending>,
    /// Events not yet handed to the ledger writer: flushed every
    /// [`FLUSH_EVERY`] and at the end, so a thousand quick jobs cost a
    /// handful of durable commits instead of two each.
    buffer: Vec<NewEvent>,
    last_flush: Instant,
    cache: Cache,
    log_dir: PathBuf,
    masker: Masker,
    tools: HashMap<String, String>,
    artifacts: BTreeMap<String, Vec<(String, String)>>,
    stop: bool,
    /// Hands started jobs to the worker threads.
    pool: mpsc::Sender<Work>,
}

/// A started job for a worker thread to see through.
struct Work {
    index: usize,
    process: Box<dyn super::executor::Process>,
    masker: Masker,
    log: LazyLog,
}

/// Worker threads, reused for every job: each streams one job's output
/// (masked) to its log and to the scheduler, then reports how it ended.
fn start_workers(n: usize, tx: &mpsc::Sender<Msg>) -> mpsc::Sender<Work> {
    let (work_tx, work_rx) = mpsc::channel::<Work>();
    let work_rx = Arc::new(std::sync::Mutex::new(work_rx));
    for _ in 0..n {
        let rx = work_rx.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                let next = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => break,
                };
                let Ok(mut w) = next else { break };
                let i = w.index;
                let outcome = w.process.run(&mut |bytes| {
                    let safe = w.masker.feed(bytes);
                    if !safe.is_empty() {
                        let _ = w.log.write_all(&safe);
                        let _ = tx.send(Msg::Output(i, safe));
                    }
                });
                let rest = w.masker.finish();
                if !rest.is_empty() {
                    let _ = w.log.write_all(&rest);
                    let _ = tx.send(Msg::Output(i, rest));
                }
                let _ = w.log.flush();
                let _ = tx.send(Msg::Done(i, outcome));
            }
        });
    }
    work_tx
}

/// Runs the pipeline. `ledger` receives every event; it is returned (for
/// further use by the caller) with the report.
pub fn run(cx: &Context, mut ledger: Ledger, opts: &Options, ui: &mut dyn Ui) -> Result<(RunReport, Ledger), RunError> {
    let started = Instant::now();
    let names = select(cx.spec, &opts.jobs).map_err(RunError::Io)?;
    ledger.set_secrets(cx.secrets.iter().map(|s| s.value.clone()).collect());
    let run_started = ledger.append_batch(
        vec![NewEvent::json(
            opts.trigger.clone(),
            "run.started",
            "run",
            json!({
                "jobs": names,
                "parallel": opts.parallel,
                "cache": opts.use_cache,
                "commit": cx.git.commit,
                "branch": cx.git.branch,
                "dirty": cx.git.dirty,
                "event": opts.event,
                "executor": cx.executor.name(),
            }),
        )],
        true,
    )?;
    let run = run_started.first().map(|e| e.seq()).unwrap_or_default();
    let log_dir = cx.root.join(".lockgate/runs").join(run.to_string());
    std::fs::create_dir_all(&log_dir).map_err(|e| RunError::Io(format!("cannot create {}: {e}", log_dir.display())))?;
    let committer = Committer::start(ledger, 4096);
    let (tx, rx) = mpsc::channel();
    let jobs: Vec<&Job> = names.iter().filter_map(|n| cx.spec.pipeline.get(n)).collect();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let deps: Vec<Vec<usize>> = jobs
        .iter()
        .map(|j| {
            j.needs
                .iter()
                .filter_map(|n| index.get(n.value.as_str()).copied())
                .collect()
        })
        .collect();
    let mut dependents = vec![Vec::new(); deps.len()];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let unmet: Vec<usize> = deps.iter().map(Vec::len).collect();
    let ready = unmet
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| i)
        .collect();
    let mut r = Runner {
        deps,
        dependents,
        unmet,
        ready,
        waiting: std::collections::BTreeSet::new(),
        running_count: 0,
        cx,
        opts,
        run,
        states: names.iter().map(|_| State::Pending).collect(),
        names,
        jobs,
        appender: committer.appender(),
        pending: Vec::new(),
        buffer: Vec::new(),
        last_flush: Instant::now(),
        cache: Cache::new(cx.root.join(".lockgate/cache")),
        log_dir: log_dir.clone(),
        masker: Masker::new(&cx.secrets.iter().map(|s| s.value.clone()).collect::<Vec<_>>()),
        tools: HashMap::new(),
        artifacts: BTreeMap::new(),
        stop: false,
        pool: start_workers(opts.parallel.max(1), &tx),
    };
    drop(tx);
    ui.run_started(run, r.names.len());
    r.conditions(ui);
    let result = r.main_loop(&rx, ui);
    // Whatever happened, close the run in the ledger.
    let cancelled = cx.interrupted.load(Ordering::SeqCst);
    let results: Vec<JobResult> = r
        .states
        .iter()
        .zip(&r.names)
        .map(|(s, n)| match s {
            State::Done(res) => res.clone(),
            _ => skipped(
                n,
                if cancelled { Status::Cancelled } else { Status::Skipped },
                "the run stopped before it started",
            ),
        })
        .collect();
    let status = if cancelled {
        RunStatus::Cancelled
    } else if results
        .iter()
        .any(|j| j.conclusion == Status::Failure || j.conclusion == Status::Cancelled)
    {
        RunStatus::Failed
    } else {
        RunStatus::Succeeded
    };
    let all_artifacts: Vec<(String, String)> = r
        .artifacts
        .iter()
        .flat_map(|(job, files)| files.iter().map(move |(p, d)| (format!("{job}:{p}"), d.clone())))
        .collect();
    let artifact = digest_lines(&all_artifacts);
    let count = |f: &dyn Fn(&JobResult) -> bool| results.iter().filter(|j| f(j)).count();
    let finished = NewEvent::json(
        opts.trigger.clone(),
        "run.finished",
        format!("run/{run}"),
        json!({
            "run": run,
            "status": status,
            "duration_ms": started.elapsed().as_millis() as u64,
            "artifact": artifact,
            "commit": cx.git.commit,
            "succeeded": count(&|j| j.conclusion == Status::Success),
            "failed": count(&|j| j.conclusion == Status::Failure),
            "skipped": count(&|j| j.conclusion == Status::Skipped),
            "cancelled": count(&|j| j.conclusion == Status::Cancelled),
            "cached": count(&|j| j.cached),
        }),
    );
    r.submit(vec![finished]);
    r.flush();
    let pending = std::mem::take(&mut r.pending);
    drop(r);
    let ledger = committer.shutdown()?;
    for p in pending {
        p.wait()?;
    }
    result?;
    let report = RunReport {
        run,
        status,
        duration_ms: started.elapsed().as_millis() as u64,
        jobs: results,
        artifact,
        git: cx.git.clone(),
        log_dir,
    };
    Ok((report, ledger))
}

fn skipped(job: &str, status: Status, reason: &str) -> JobResult {
    JobResult {
        job: job.to_string(),
        outcome: status,
        conclusion: status,
        cached: false,
        attempts: 0,
        exit_code: None,
        signal: None,
        timed_out: false,
        duration_ms: 0,
        reason: Some(reason.to_string()),
        artifact: None,
    }
}

/// How long run events may wait in memory before they are handed to the ledger.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

impl Runner<'_> {
    fn submit(&mut self, events: Vec<NewEvent>) {
        self.buffer.extend(events);
        if self.buffer.len() >= 1024 || self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.last_flush = Instant::now();
        if self.buffer.is_empty() {
            return;
        }
        match self.appender.submit(std::mem::take(&mut self.buffer)) {
            Ok(p) => self.pending.push(p),
            Err(e) => self.pending.push(failed_pending(e)),
        }
    }

    fn event(&self, kind: &str, job: &str, payload: serde_json::Value) -> NewEvent {
        NewEvent::json(
            self.opts.trigger.clone(),
            kind,
            format!("run/{}/job/{job}", self.run),
            payload,
        )
    }

    /// Jobs whose `if:` is false are skipped up front.
    fn conditions(&mut self, ui: &mut dyn Ui) {
        let cond = CondCx {
            git: &self.cx.git,
            event: &self.opts.event,
        };
        for i in 0..self.names.len() {
            if let Some(c) = &self.jobs[i].condition
                && let Ok(expr) = spec::condition::parse(&c.value)
                && !spec::condition::eval(&expr, &cond)
            {
                let res = skipped(
                    &self.names[i],
                    Status::Skipped,
                    &format!("condition `{}` is false", c.value),
                );
                self.finish(i, res, ui);
            }
        }
    }

    fn finish(&mut self, i: usize, res: JobResult, ui: &mut dyn Ui) {
        let ev = if res.outcome == Status::Skipped && res.attempts == 0 && !res.cached {
            self.event(
                "job.skipped",
                &res.job,
                json!({ "run": self.run, "job": res.job, "reason": res.reason }),
            )
        } else {
            let mut payload = serde_json::to_value(&res).unwrap_or_default();
            payload["run"] = json!(self.run);
            self.event("job.finished", &res.job, payload)
        };
        self.submit(vec![ev]);
        if res.conclusion == Status::Failure && !self.opts.keep_going {
            self.stop = true;
        }
        ui.job_finished(&res);
        if matches!(self.states[i], State::Running { .. }) {
            self.running_count -= 1;
        }
        self.states[i] = State::Done(res);
        self.ready.remove(&i);
        self.waiting.remove(&i);
        for k in 0..self.dependents[i].len() {
            let d = self.dependents[i][k];
            self.unmet[d] -= 1;
            if self.unmet[d] == 0 && matches!(self.states[d], State::Pending) {
                self.ready.insert(d);
            }
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// `Some(Ok)` when every need succeeded, `Some(Err(reason))` when one did not, `None` while waiting.
    fn readiness(&self, i: usize) -> Option<Result<(), String>> {
        for &j in &self.deps[i] {
            let n = &self.names[j];
            match &self.states[j] {
                State::Done(r) if r.conclusion == Status::Success => {}
                State::Done(r) => {
                    let what = match r.conclusion {
                        Status::Skipped => "was skipped",
                        Status::Cancelled => "was cancelled",
                        _ => "failed",
                    };
                    return Some(Err(format!("needs `{n}`, which {what}")));
                }
                _ => return None,
            }
        }
        Some(Ok(()))
    }

    fn main_loop(&mut self, rx: &mpsc::Receiver<Msg>, ui: &mut dyn Ui) -> Result<(), RunError> {
        let mut cancelling: Option<Instant> = None;
        loop {
            if self.cx.interrupted.load(Ordering::SeqCst) && cancelling.is_none() {
                cancelling = Some(Instant::now());
                self.stop = true;
                ui.note("interrupted: stopping running jobs");
                for s in &self.states {
                    if let State::Running { terminator, .. } = s {
                        terminator.terminate(true);
                    }
                }
                for i in 0..self.states.len() {
                    if let State::Waiting { attempt, .. } = self.states[i] {
                        let res = JobResult {
                            attempts: attempt - 1,
                            ..skipped(&self.names[i], Status::Cancelled, "cancelled before its retry")
                        };
                        self.finish(i, res, ui);
                    }
                }
            }
            if let Some(t) = cancelling
                && t.elapsed() > Duration::from_secs(3)
            {
                for s in &self.states {
                    if let State::Running { terminator, .. } = s {
                        terminator.terminate(false);
                    }
                }
            }
            self.launch(ui)?;
            if self.running_count == 0 && self.waiting.is_empty() && (self.stop || self.ready.is_empty()) {
                break;
            }
            // Timeouts.
            let now = Instant::now();
            for (i, s) in self.states.iter_mut().enumerate() {
                if let State::Running {
                    deadline: Some(d),
                    timed_out,
                    terminator,
                    ..
                } = s
                    && now >= *d
                    && !*timed_out
                {
                    *timed_out = true;
                    terminator.terminate(false);
                    ui.note(&format!("{}: timed out, killed with its process group", self.names[i]));
                }
            }
            if self.last_flush.elapsed() >= FLUSH_EVERY {
                self.flush();
            }
            match rx.recv_timeout(Duration::from_millis(25)) {
                Ok(msg) => self.handle(msg, ui)?,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            while let Ok(msg) = rx.try_recv() {
                self.handle(msg, ui)?;
            }
        }
        Ok(())
    }

    fn launch(&mut self, ui: &mut dyn Ui) -> Result<(), RunError> {
        let parallel = self.opts.parallel.max(1);
        // Retries whose delay is over (part of jobs already running, so
        // fail-fast lets them go on).
        let now = Instant::now();
        let due: Vec<(usize, u32)> = self
            .waiting
            .iter()
            .filter_map(|&i| match self.states[i] {
                State::Waiting { until, attempt } if now >= until => Some((i, attempt)),
                _ => None,
            })
            .collect();
        for (i, attempt) in due {
            if self.running_count >= parallel {
                return Ok(());
            }
            self.waiting.remove(&i);
            self.start(i, attempt, ui)?;
        }
        while let Some(&i) = self.ready.iter().next() {
            if let Some(Err(reason)) = self.readiness(i) {
                let status = if self.cx.interrupted.load(Ordering::SeqCst) {
                    Status::Cancelled
                } else {
                    Status::Skipped
                };
                let res = skipped(&self.names[i], status, &reason);
                self.finish(i, res, ui);
                continue;
            }
            if self.stop {
                break;
            }
            if self.try_cache(i, ui)? {
                continue;
            }
            if self.running_count >= parallel {
                break;
            }
            self.ready.remove(&i);
            self.start(i, 1, ui)?;
        }
        Ok(())
    }

    fn job_env(&self, i: usize) -> Vec<(String, String)> {
        let job = self.jobs[i];
        let mut env = vec![
            ("LOCKGATE_RUN".to_string(), self.run.to_string()),
            ("LOCKGATE_JOB".to_string(), self.names[i].clone()),
            ("LOCKGATE_PROJECT_DIR".to_string(), self.cx.root.display().to_string()),
        ];
        // Scripts that call `lockgate` (a scan job, say) get this very binary.
        if let Ok(exe) = std::env::current_exe() {
            if let Some(dir) = exe.parent() {
                let path = std::env::var("PATH").unwrap_or_default();
                env.push(("PATH".to_string(), format!("{}:{path}", dir.display())));
            }
            env.push(("LOCKGATE".to_string(), exe.display().to_string()));
        }
        env.extend(job.env.iter().map(|(k, v)| (k.clone(), v.to_string())));
        for s in &job.secrets {
            if let Some(sec) = self.cx.secrets.iter().find(|x| x.name == s.value) {
                env.push((sec.name.clone(), sec.value.clone()));
            }
        }
        env
    }

    fn start(&mut self, i: usize, attempt: u32, ui: &mut dyn Ui) -> Result<(), RunError> {
        let job = self.jobs[i];
        let name = self.names[i].clone();
        let cmd = JobCommand {
            job: name.clone(),
            script: job.run.value.0.clone(),
            workdir: self.cx.root.join(job.workdir.as_deref().unwrap_or("")),
            env: self.job_env(i),
        };
        let log_path = self.log_dir.join(format!("{name}.log"));
        let mut log = LazyLog {
            path: log_path.clone(),
            file: None,
            header: (attempt > 1).then(|| format!("--- attempt {attempt} ---\n")),
        };
        self.submit(vec![self.event(
            "job.started",
            &name,
            json!({ "run": self.run, "job": name, "attempt": attempt }),
        )]);
        ui.job_started(&name, attempt);
        let started = Instant::now();
        let process = match self.cx.executor.start(&cmd) {
            Ok(p) => p,
            Err(e) => {
                let _ = log.write_all(format!("lockgate: cannot start the job: {e}\n").as_bytes());
                let res = JobResult {
                    reason: Some(format!("cannot start: {e}")),
                    attempts: attempt,
                    ..skipped(&name, Status::Failure, "")
                };
                self.finish(i, res, ui);
                return Ok(());
            }
        };
        let terminator = process.terminator();
        let work = Work {
            index: i,
            process,
            masker: self.masker.clone(),
            log,
        };
        if self.pool.send(work).is_err() {
            return Err(RunError::Io("the job workers stopped".into()));
        }
        let deadline = job.timeout.map(|t| started + t.as_std());
        self.states[i] = State::Running {
            started,
            attempt,
            terminator,
            deadline,
            timed_out: false,
        };
        self.running_count += 1;
        Ok(())
    }

    fn handle(&mut self, msg: Msg, ui: &mut dyn Ui) -> Result<(), RunError> {
        match msg {
            Msg::Output(i, bytes) => ui.job_output(&self.names[i], &bytes),
            Msg::Done(i, outcome) => {
                let State::Running {
                    started,
                    attempt,
                    timed_out,
                    ..
                } = &self.states[i]
                else {
                    return Ok(());
                };
                let (started, attempt, timed_out) = (*started, *attempt, *timed_out);
                let duration_ms = started.elapsed().as_millis() as u64;
                let name = self.names[i].clone();
                let job = self.jobs[i];
                let cancelled = self.cx.interrupted.load(Ordering::SeqCst);
                let outcome = outcome.unwrap_or(Outcome {
                    code: None,
                    signal: None,
                });
                if outcome.success() && !timed_out {
                    let res = self.succeeded(i, attempt, duration_ms, outcome, ui);
                    self.finish(i, res, ui);
                    return Ok(());
                }
                // Failed: retry when allowed.
                let r = &job.retries.0;
                let code_ok = r.on_exit_codes.is_empty() || outcome.code.is_some_and(|c| r.on_exit_codes.contains(&c));
                let retry = !cancelled && attempt <= r.max && code_ok && (!timed_out || r.on_timeout);
                if retry {
                    let delay = r.delay.map(|d| d.as_std()).unwrap_or_default();
                    self.submit(vec![self.event(
                        "job.retrying",
                        &name,
                        json!({ "run": self.run, "job": name, "attempt": attempt, "exit_code": outcome.code, "timed_out": timed_out }),
                    )]);
                    ui.note(&format!(
                        "{name}: attempt {attempt} failed; retrying ({} of {})",
                        attempt, r.max
                    ));
                    self.states[i] = State::Waiting {
                        until: Instant::now() + delay,
                        attempt: attempt + 1,
                    };
                    self.running_count -= 1;
                    self.waiting.insert(i);
                    return Ok(());
                }
                // A failed test job's reports are still evidence (of the failure).
                if !cancelled && !job.reports.is_empty() {
                    let _ = self.ingest_reports(i);
                }
                let outcome_status = if cancelled { Status::Cancelled } else { Status::Failure };
                let reason = if cancelled {
                    "cancelled".to_string()
                } else if timed_out {
                    format!(
                        "timed out after {}",
                        job.timeout.map(|t| t.to_string()).unwrap_or_default()
                    )
                } else if let Some(sig) = outcome.signal {
                    format!("killed by signal {sig}")
                } else {
                    format!("exit code {}", outcome.code.unwrap_or(-1))
                };
                let conclusion = if outcome_status == Status::Failure && job.allow_failure {
                    Status::Success
                } else {
                    outcome_status
                };
                let res = JobResult {
                    job: name,
                    outcome: outcome_status,
                    conclusion,
                    cached: false,
                    attempts: attempt,
                    exit_code: outcome.code,
                    signal: outcome.signal,
                    timed_out,
                    duration_ms,
                    reason: Some(reason),
                    artifact: None,
                };
                self.finish(i, res, ui);
            }
        }
        Ok(())
    }

    /// A successful attempt: digest outputs, ingest reports, fill the cache.
    fn succeeded(&mut self, i: usize, attempt: u32, duration_ms: u64, outcome: Outcome, ui: &mut dyn Ui) -> JobResult {
        let name = self.names[i].clone();
        let job = self.jobs[i];
        let mut res = JobResult {
            job: name.clone(),
            outcome: Status::Success,
            conclusion: Status::Success,
            cached: false,
            attempts: attempt,
            exit_code: outcome.code,
            signal: None,
            timed_out: false,
            duration_ms,
            reason: None,
            artifact: None,
        };
        let (files, problem) = self.collect_outputs(i);
        if let Some(p) = problem {
            return self.fail_after_success(res, p, ui);
        }
        res.artifact = self.record_artifacts(i, &files);
        if let Err(p) = self.ingest_reports(i) {
            return self.fail_after_success(res, p, ui);
        }
        if self.opts.use_cache
            && job.cache
            && !job.inputs.is_empty()
            && let Some(key) = self.cache_key(i)
        {
            let log = std::fs::read(self.log_dir.join(format!("{name}.log"))).unwrap_or_default();
            if let Err(e) = self.cache.store(
                &key,
                cache::Origin {
                    job: &name,
                    run: self.run,
                    duration_ms,
                },
                self.cx.root,
                &files,
                &log,
            ) {
                ui.note(&format!("{name}: could not store the result in the cache: {e}"));
            }
        }
        res
    }

    fn fail_after_success(&self, mut res: JobResult, problem: String, _ui: &mut dyn Ui) -> JobResult {
        res.outcome = Status::Failure;
        res.conclusion = if self.jobs[self.index(&res.job).unwrap_or(0)].allow_failure {
            Status::Success
        } else {
            Status::Failure
        };
        res.reason = Some(problem);
        res
    }

    /// Output and report files that exist after the job; a missing literal
    /// output is a failure.
    fn collect_outputs(&self, i: usize) -> (Vec<String>, Option<String>) {
        let job = self.jobs[i];
        let mut patterns: Vec<&str> = job.outputs.iter().map(|o| o.value.as_str()).collect();
        for r in job
            .reports
            .junit
            .iter()
            .chain(job.reports.coverage.iter())
            .chain(job.reports.sarif.iter())
        {
            patterns.push(r.value.as_str());
        }
        for o in &job.outputs {
            let p = o.value.as_str();
            if !p.contains(['*', '?', '[', '{']) && !self.cx.root.join(p).exists() {
                return (vec![], Some(format!("declared output `{p}` was not written")));
            }
        }
        match files::resolve(self.cx.root, &patterns, false) {
            Ok(f) => (f, None),
            Err(e) => (vec![], Some(format!("cannot read outputs: {e}"))),
        }
    }

    fn record_artifacts(&mut self, i: usize, files: &[String]) -> Option<String> {
        let job = self.jobs[i];
        let declared: Vec<String> = match files::resolve(
            self.cx.root,
            &job.outputs.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            false,
        ) {
            Ok(f) => f,
            Err(_) => return None,
        };
        let mut lines = Vec::new();
        let mut events = Vec::new();
        for f in files.iter().filter(|f| declared.contains(f)) {
            if let Ok((sha, size)) = cache::sha256_file(&self.cx.root.join(f)) {
                events.push(self.event(
                    "artifact.recorded",
                    &self.names[i],
                    json!({ "run": self.run, "job": self.names[i], "path": f, "sha256": sha, "size": size }),
                ));
                lines.push((f.clone(), sha));
            }
        }
        if lines.is_empty() {
            return None;
        }
        self.submit(events);
        let digest = digest_lines(&lines);
        self.artifacts.insert(self.names[i].clone(), lines);
        Some(digest)
    }

    /// Parses the job's reports into evidence events. Err = the reports are
    /// missing or invalid (recorded as `evidence.invalid`).
    fn ingest_reports(&mut self, i: usize) -> Result<(), String> {
        let job = self.jobs[i];
        let name = self.names[i].clone();
        let mut problems = Vec::new();
        for (kind, paths) in [
            (Kind::Junit, &job.reports.junit),
            (Kind::Coverage, &job.reports.coverage),
            (Kind::Sarif, &job.reports.sarif),
        ] {
            if paths.is_empty() {
                continue;
            }
            let patterns: Vec<&str> = paths.iter().map(|p| p.value.as_str()).collect();
            let files = files::resolve(self.cx.root, &patterns, false).unwrap_or_default();
            let mut facts = Vec::new();
            let mut digests = Vec::new();
            let mut errors: Vec<evidence::EvidenceError> = Vec::new();
            if files.is_empty() {
                errors.push(evidence::EvidenceError::new(
                    Path::new(&patterns.join(", ")),
                    None,
                    "no report file was written (did the job write it?)",
                ));
            }
            for f in &files {
                match evidence::parse_file(kind, &self.cx.root.join(f)) {
                    Ok(fact) => {
                        facts.push(fact);
                        digests.push((
                            f.clone(),
                            cache::sha256_file(&self.cx.root.join(f))
                                .map(|d| d.0)
                                .unwrap_or_default(),
                        ));
                    }
                    Err(mut e) => {
                        e.file = PathBuf::from(f);
                        errors.push(e);
                    }
                }
            }
            if !errors.is_empty() {
                for e in &errors {
                    problems.push(format!("{} report {e}", kind.name()));
                }
                let ev = self.event(
                    "evidence.invalid",
                    &name,
                    json!({ "run": self.run, "job": name, "kind": kind.name(), "errors": errors, "commit": self.cx.git.commit }),
                );
                self.submit(vec![ev]);
                continue;
            }
            let merged: Option<Facts> = evidence::merge(facts);
            let ev = self.event(
                "evidence.recorded",
                &name,
                json!({
                    "run": self.run,
                    "job": name,
                    "kind": kind.name(),
                    "files": digests.iter().map(|(f, d)| json!({"path": f, "sha256": d})).collect::<Vec<_>>(),
                    "commit": self.cx.git.commit,
                    "dirty": self.cx.git.dirty,
                    "facts": merged,
                }),
            );
            self.submit(vec![ev]);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn tool_output(&mut self, cmd: &str) -> String {
        if let Some(v) = self.tools.get(cmd) {
            return v.clone();
        }
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .current_dir(self.cx.root)
            .stdin(std::process::Stdio::null())
            .output()
            .map(|o| {
                let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
                s.push_str(&String::from_utf8_lossy(&o.stderr));
                if !o.status.success() {
                    s.push_str(&format!("\n(exit {:?})", o.status.code()));
                }
                s.trim().to_string()
            })
            .unwrap_or_else(|e| format!("cannot run: {e}"));
        self.tools.insert(cmd.to_string(), out.clone());
        out
    }

    /// The cache key of job `i`, or None when an input cannot be read.
    fn cache_key(&mut self, i: usize) -> Option<String> {
        let job = self.jobs[i];
        let patterns: Vec<&str> = job.inputs.iter().map(|p| p.value.as_str()).collect();
        let files = files::resolve(self.cx.root, &patterns, true).ok()?;
        let mut inputs = Vec::with_capacity(files.len());
        for f in files {
            let (sha, _) = cache::sha256_file(&self.cx.root.join(&f)).ok()?;
            inputs.push((f, sha));
        }
        let tools: Vec<(String, String)> = job.tools.iter().map(|t| (t.to_string(), self.tool_output(t))).collect();
        let needs: Vec<(String, String)> = job
            .needs
            .iter()
            .map(|n| {
                let digest = self.index(&n.value).and_then(|j| match &self.states[j] {
                    State::Done(r) => r.artifact.clone(),
                    _ => None,
                });
                (n.value.clone(), digest.unwrap_or_default())
            })
            .collect();
        let mut sh = Sha256::new();
        for s in &job.secrets {
            if let Some(sec) = self.cx.secrets.iter().find(|x| x.name == s.value) {
                sh.update(sec.name.as_bytes());
                sh.update([0]);
                sh.update(sec.value.as_bytes());
                sh.update([0]);
            }
        }
        let definition = json!({
            "run": job.run.value.0,
            "env": job.env,
            "workdir": job.workdir,
            "outputs": job.outputs.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            "inputs": patterns,
            "reports": job.reports,
            "secrets": job.secrets.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
        });
        Some(cache::key(&cache::KeyParts {
            job: &self.names[i],
            definition,
            inputs: &inputs,
            tools: &tools,
            needs: &needs,
            secrets: hex::encode(sh.finalize()),
        }))
    }

    /// Restores job `i` from the cache when possible; true when it did.
    fn try_cache(&mut self, i: usize, ui: &mut dyn Ui) -> Result<bool, RunError> {
        let job = self.jobs[i];
        if !self.opts.use_cache || !job.cache || job.inputs.is_empty() {
            return Ok(false);
        }
        let Some(key) = self.cache_key(i) else { return Ok(false) };
        let Some(manifest) = self.cache.lookup(&key) else {
            return Ok(false);
        };
        if let Err(e) = self.cache.restore(&manifest, self.cx.root) {
            ui.note(&format!("{}: cached result unusable ({e}); running it", self.names[i]));
            return Ok(false);
        }
        let name = self.names[i].clone();
        let files: Vec<String> = manifest.outputs.iter().map(|o| o.path.clone()).collect();
        let mut res = JobResult {
            job: name.clone(),
            outcome: Status::Success,
            conclusion: Status::Success,
            cached: true,
            attempts: 0,
            exit_code: Some(0),
            signal: None,
            timed_out: false,
            duration_ms: 0,
            reason: Some(format!("cached from run {} (key {})", manifest.run, &key[..12])),
            artifact: None,
        };
        res.artifact = self.record_artifacts(i, &files);
        if let Err(p) = self.ingest_reports(i) {
            res = self.fail_after_success(res, p, ui);
        }
        self.finish(i, res, ui);
        Ok(true)
    }
}

/// A job's log file, created on its first byte of output (most no-op jobs
/// print nothing).
struct LazyLog {
    path: PathBuf,
    file: Option<std::fs::File>,
    header: Option<String>,
}

impl LazyLog {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.file.is_none() {
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
            if let Some(h) = self.header.take() {
                f.write_all(h.as_bytes())?;
            }
            self.file = Some(f);
        }
        match &mut self.file {
            Some(f) => f.write_all(bytes),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

fn failed_pending(e: LedgerError) -> Pending {
    // A Pending that reports `e` when waited on.
    let (tx, rx) = mpsc::sync_channel(1);
    let _ = tx.send(Err(e.to_string()));
    Pending::from_receiver(rx)
}
