//! `lockgate run`: the pipeline, as a graph, with cache, evidence and ledger.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Result;

use crate::cli::{GlobalArgs, ProgressMode, RunArgs};
use crate::exit::{Exit, UserError};
use crate::ledger::Actor;
use crate::pipeline::executor::Local;
use crate::pipeline::progress::{Plain, Tty, status_line};
use crate::pipeline::run::{self, Context, GitInfo, Options, RunStatus, Status};

pub fn run(g: &GlobalArgs, args: RunArgs) -> Result<Exit> {
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    let root = loaded.root().to_owned();
    let spec = &loaded.spec;
    if spec.pipeline.is_empty() {
        return Err(UserError::usage("lockgate.yaml has no pipeline jobs")
            .with_hint("add jobs under `pipeline:`, e.g. `build: { run: make }`")
            .into());
    }
    run::select(spec, &args.jobs).map_err(|m| {
        UserError::usage(m).with_hint("`lockgate validate` lists problems; job names are the keys under `pipeline:`")
    })?;
    let secrets = run::resolve_secrets(spec, &root).map_err(|m| {
        UserError::usage(m).with_hint("secrets come from the environment or a file, as declared under `secrets:`")
    })?;
    let ledger = super::open_ledger(g)?;
    let interrupted = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, interrupted.clone())?;
    }
    let parallel = args
        .jobs_parallel
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let opts = Options {
        jobs: args.jobs.clone(),
        parallel: parallel.max(1),
        use_cache: !args.no_cache,
        keep_going: args.keep_going,
        trigger: Actor::local(),
        event: "run".into(),
    };
    let executor = Local::default();
    let cx = Context {
        root: &root,
        spec,
        secrets: &secrets,
        git: GitInfo::detect(&root),
        executor: &executor,
        interrupted,
    };
    let tty = match args.progress {
        ProgressMode::Auto => std::io::stderr().is_terminal() && !args.json,
        ProgressMode::Tty => true,
        ProgressMode::Plain => false,
    };
    let color = match anstream::ColorChoice::global() {
        anstream::ColorChoice::Never => false,
        anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi => true,
        anstream::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none()
                && (if tty {
                    std::io::stderr().is_terminal()
                } else {
                    std::io::stdout().is_terminal()
                })
        }
    };
    let mut ui: Box<dyn run::Ui> = if tty {
        Box::new(Tty::new(color))
    } else {
        Box::new(Plain::new(color, g.quiet || args.json))
    };
    let (report, _ledger) = run::run(&cx, ledger, &opts, ui.as_mut())?;
    drop(ui);
    if args.json {
        super::print_json(&report)?;
    } else {
        let mut err = anstream::stderr().lock();
        for j in report.jobs.iter().filter(|j| j.outcome == Status::Failure && !j.cached) {
            let log = std::fs::read_to_string(report.log_dir.join(format!("{}.log", j.job))).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(15)..];
            writeln!(err, "\n{}", status_line(j, color))?;
            if !tail.is_empty() {
                writeln!(err, "  last {} line(s) of its log:", tail.len())?;
                for l in tail {
                    writeln!(err, "  | {}", crate::diag::sanitize(l))?;
                }
            }
            writeln!(err, "  full log: lockgate logs {} {}", report.run, j.job)?;
        }
        let count = |s: Status| report.jobs.iter().filter(|j| j.conclusion == s && !j.cached).count();
        let cached = report.jobs.iter().filter(|j| j.cached).count();
        let verdict = match report.status {
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "was cancelled",
        };
        if !g.quiet || report.status != RunStatus::Succeeded {
            writeln!(
                err,
                "run {} {verdict} in {:.1}s: {} succeeded, {} cached, {} failed, {} skipped{}",
                report.run,
                report.duration_ms as f64 / 1000.0,
                count(Status::Success),
                cached,
                count(Status::Failure),
                count(Status::Skipped),
                if count(Status::Cancelled) > 0 {
                    format!(", {} cancelled", count(Status::Cancelled))
                } else {
                    String::new()
                }
            )?;
        }
    }
    Ok(match report.status {
        RunStatus::Succeeded => Exit::Ok,
        RunStatus::Failed => Exit::Failed,
        RunStatus::Cancelled => Exit::Interrupted,
    })
}
