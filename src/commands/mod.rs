//! One file per subcommand: each adapts arguments to an engine call and
//! prints the result. Shared plumbing (finding and loading the spec,
//! printing diagnostics) lives here.

pub mod audit;
mod cache;
mod completions;
pub mod compliance;
mod delivery;
mod demo;
mod demo_service;
pub mod docs;
mod evidence;
pub mod gate;
mod init;
pub mod logs;
pub mod metrics;
pub mod monitoring;
pub mod rules;
mod run;
pub mod runs;
mod scan;
mod schema;
mod token;
mod validate;

pub use demo::DEMO_SPEC;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::diag::Diagnostic;
use crate::exit::{Exit, Reported, UserError};
use crate::spec::{self, LoadError, Loaded};

pub fn dispatch(cli: Cli) -> Result<Exit> {
    let g = cli.global;
    match cli.command {
        Command::Init(a) => init::run(&g, a),
        Command::Validate(a) => validate::run(&g, a),
        Command::Schema(a) => schema::run(&g, a),
        Command::Scan(a) => scan::run(&g, *a),
        Command::Rules(c) => rules::run(&g, c),
        Command::Compliance(c) => compliance::run(&g, c),
        Command::Demo(a) => demo::run(&g, a),
        Command::Run(a) => run::run(&g, a),
        Command::Runs { limit, json } => runs::run(&g, limit, json),
        Command::Logs { run, job } => logs::run(&g, run, job),
        Command::Evidence(a) => evidence::run(&g, a),
        Command::Cache(c) => cache::run(&g, c),
        Command::Gate(c) => gate::run(&g, c),
        Command::Approve {
            gate,
            comment,
            artifact,
            break_glass,
            reason,
        } => gate::approve(&g, &gate, comment, artifact, break_glass, reason),
        Command::Reject { gate, comment } => gate::reject(&g, &gate, &comment),
        Command::Attest {
            gate,
            item,
            link,
            comment,
        } => gate::attest(&g, &gate, &item, link, comment),
        Command::Promote {
            target,
            env,
            full,
            json,
        } => delivery::promote(&g, &target, env, full, json),
        Command::Serve {
            detach,
            listen,
            tls_cert,
            tls_key,
            insecure,
            log_format,
        } => delivery::serve(
            &g,
            detach,
            listen,
            crate::server::Options {
                tls: tls_cert.zip(tls_key),
                insecure,
                log_json: log_format == crate::cli::LogFormat::Json,
            },
        ),
        Command::Mcp { agent } => token::mcp(&g, &agent),
        Command::Metrics(a) => metrics::run(&g, a),
        Command::Incident(c) => metrics::incident(&g, c),
        Command::Monitoring(c) => monitoring::run(&g, c),
        Command::Docs(a) => docs::run(&g, a),
        Command::Handover(a) => docs::handover(&g, a),
        Command::Token(c) => token::run(&g, c),
        Command::User(c) => token::user(&g, c),
        Command::Stop => delivery::stop(&g),
        Command::Deploy {
            service,
            env,
            version,
            set,
            wait,
            json,
        } => delivery::deploy(&g, &service, env.as_deref(), version, &set, wait, json),
        Command::Rollout(c) => delivery::rollout(&g, c),
        Command::Abort(t) => delivery::action(&g, &t, "abort", false),
        Command::Pause(t) => delivery::action(&g, &t, "pause", false),
        Command::Resume(t) => delivery::action(&g, &t, "resume", false),
        Command::Retry(t) => delivery::action(&g, &t, "retry", false),
        Command::Rollback(t) => delivery::action(&g, &t, "rollback", false),
        Command::DemoService(a) => demo_service::run(a),
        Command::Audit(a) => audit::run(&g, a),
        Command::Completions(a) => completions::run(a),
    }
}

/// The spec file a command works on: `-f`, or the nearest `lockgate.yaml`.
pub fn spec_path(g: &GlobalArgs) -> Result<PathBuf> {
    if let Some(p) = &g.config {
        return Ok(p.clone());
    }
    let cwd = std::env::current_dir()?;
    spec::find(&cwd).ok_or_else(|| {
        UserError::usage(format!("no lockgate.yaml in {} or any parent directory", cwd.display()))
            .with_hint("run `lockgate init` to write one, or pass `-f PATH`")
            .into()
    })
}

/// Loads and validates the spec, printing warnings; on failure prints every
/// diagnostic and returns an error that exits 2.
pub fn load_spec(g: &GlobalArgs, path: &Path) -> Result<Loaded> {
    match spec::load(path, spec::process_vars()) {
        Ok(loaded) => {
            if !g.quiet {
                print_diagnostics(&loaded.warnings, Some(&loaded.source))?;
            }
            Ok(loaded)
        }
        Err(e) => Err(load_error(e)),
    }
}

/// Turns a [`LoadError`] into a printed report and an exit-2 error.
pub fn load_error(e: LoadError) -> anyhow::Error {
    match e {
        LoadError::Invalid {
            diagnostics,
            source_text,
            ..
        } => {
            if let Err(io) = print_diagnostics(&diagnostics, Some(&source_text)) {
                return io.into();
            }
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == crate::diag::Severity::Error)
                .count();
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{} error{} found; nothing was run",
                errors,
                if errors == 1 { "" } else { "s" }
            );
            Reported(Exit::Usage).into()
        }
        LoadError::NotFound { start } => UserError::usage(format!(
            "no lockgate.yaml in {} or any parent directory",
            start.display()
        ))
        .with_hint("run `lockgate init` to write one, or pass `-f PATH`")
        .into(),
        LoadError::Io { path, source } => {
            let hint = match source.kind() {
                std::io::ErrorKind::NotFound => "check the path, or run `lockgate init` to create lockgate.yaml",
                std::io::ErrorKind::PermissionDenied => "check the file's permissions (and those of its directories)",
                _ => "check that the path names a readable lockgate.yaml",
            };
            UserError::usage(format!(
                "cannot read {}: {}",
                crate::diag::display_path(&path),
                io_reason(&source)
            ))
            .with_hint(hint)
            .into()
        }
    }
}

/// An I/O error's reason without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

pub fn print_diagnostics(diags: &[Diagnostic], source: Option<&str>) -> std::io::Result<()> {
    let mut stderr = anstream::stderr().lock();
    for d in diags {
        write!(stderr, "{}", d.render(source))?;
    }
    Ok(())
}

/// Where this project's ledger is: `--store`/`LOCKGATE_STORE`, else
/// `ledger.store` of lockgate.yaml, else `.lockgate/ledger.db` beside it.
pub fn ledger_config(g: &GlobalArgs) -> Result<crate::ledger::Config> {
    let path = match &g.config {
        Some(p) => Some(p.clone()),
        None => spec::find(&std::env::current_dir()?),
    };
    match path {
        Some(path) => {
            let loaded = load_spec(g, &path)?;
            let root = loaded.root().to_owned();
            let settings = &loaded.spec.ledger;
            let origin = match &settings.origin {
                Some(o) => o.to_string(),
                None => format!("lockgate/{}", spec::slug_name(&loaded.spec.project.value)),
            };
            let mut cfg = crate::ledger::Config::in_dir(&root.join(".lockgate"), &origin);
            cfg.base = root.clone();
            if let Some(store) = g
                .store
                .clone()
                .or_else(|| settings.store.as_ref().map(|s| s.to_string()))
            {
                cfg.store = store;
            }
            if let Some(key) = &settings.key {
                cfg.key = root.join(key.as_str());
                cfg.trusted = cfg.key.with_extension("pub");
            }
            Ok(cfg)
        }
        None => match &g.store {
            Some(store) => {
                let cwd = std::env::current_dir()?;
                let state = crate::ledger::store::sqlite_path(store, &cwd)
                    .and_then(|p| p.parent().map(Path::to_path_buf))
                    .unwrap_or_else(|| cwd.clone());
                let mut cfg = crate::ledger::Config::in_dir(&state, "lockgate/ledger");
                cfg.store = store.clone();
                cfg.base = cwd;
                Ok(cfg)
            }
            None => Err(UserError::usage(format!(
                "no lockgate.yaml in {} or any parent directory, and no --store",
                std::env::current_dir()?.display()
            ))
            .with_hint("run inside a project (`lockgate init`), or pass `--store sqlite:PATH`")
            .into()),
        },
    }
}

/// Opens (creating on first use) the project's ledger for appending.
pub fn open_ledger(g: &GlobalArgs) -> Result<crate::ledger::Ledger> {
    Ok(crate::ledger::Ledger::open(ledger_config(g)?)?)
}

/// Opens the project's ledger for reading; it must exist.
pub fn open_ledger_read(g: &GlobalArgs) -> Result<crate::ledger::Ledger> {
    let cfg = ledger_config(g)?;
    if let Some(path) = crate::ledger::store::sqlite_path(&cfg.store, &cfg.base)
        && !path.exists()
    {
        return Err(UserError::usage(format!(
            "there is no ledger yet at {}",
            crate::diag::display_path(&path)
        ))
        .with_hint("the first command that records something creates it, e.g. `lockgate audit note \"ledger started\"`")
        .into());
    }
    Ok(crate::ledger::Ledger::open_read(cfg)?)
}

/// Writes `value` as pretty JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    // Write through io::Error so a closed pipe is recognised as one.
    let text = serde_json::to_string_pretty(value)?;
    out.write_all(text.as_bytes())?;
    writeln!(out)?;
    Ok(())
}
