//! One file per subcommand: each adapts arguments to an engine call and
//! prints the result. Shared plumbing (finding and loading the spec,
//! printing diagnostics) lives here.

mod completions;
mod demo;
mod init;
mod schema;
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
        Command::Demo(a) => demo::run(&g, a),
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

/// Writes `value` as pretty JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
