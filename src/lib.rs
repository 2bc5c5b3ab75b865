//! lockgate: commit to production through quality gates, progressive
//! delivery and a tamper-evident audit ledger.
//!
//! The binary (`src/main.rs`) only calls [`run`]. Surfaces (`cli` +
//! `commands`) hold no business logic; engines and core modules do. See
//! `ARCHITECTURE.md` for the layout.

pub mod cli;
pub mod commands;
pub mod delivery;
pub mod diag;
pub mod evidence;
pub mod exit;
pub mod gates;
pub mod git;
pub mod insight;
pub mod ledger;
pub mod mcp;
pub mod notify;
pub mod pipeline;
pub mod policy;
pub mod scaffold;
pub mod server;
pub mod spec;

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::exit::{Exit, Reported, UserError};

/// Parses `args`, runs the command and returns the process exit code.
/// Errors are printed here, once, in one format.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with exit 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage.code() } else { 0 });
        }
    };
    let choice = match cli.global.color {
        cli::ColorWhen::Auto => anstream::ColorChoice::Auto,
        cli::ColorWhen::Always => anstream::ColorChoice::Always,
        cli::ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    match commands::dispatch(cli) {
        Ok(exit) => exit.into(),
        Err(err) => report(&err).into(),
    }
}

/// Prints `err` for a person and picks the exit code.
fn report(err: &anyhow::Error) -> Exit {
    if exit::is_broken_pipe(err) {
        // The reader went away (e.g. `lockgate schema | head`): not a crash.
        return Exit::Ok;
    }
    if let Some(Reported(code)) = err.downcast_ref::<Reported>() {
        return *code;
    }
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let green = anstyle::AnsiColor::Green.on_default().bold();
    let mut stderr = anstream::stderr();
    for e in err.chain() {
        let store_err =
            e.downcast_ref::<ledger::store::StoreError>()
                .or(match e.downcast_ref::<ledger::LedgerError>() {
                    Some(ledger::LedgerError::Store(inner)) => Some(inner),
                    _ => None,
                });
        if let Some(ledger::store::StoreError::Busy { path, .. }) = store_err {
            let _ = writeln!(
                stderr,
                "{red}error{red:#}: the ledger at {path} is locked by another process"
            );
            let _ = writeln!(
                stderr,
                "  {green}hint{green:#}: another lockgate command is writing; try again when it has finished"
            );
            return Exit::Conflict;
        }
        if let Some(ledger::LedgerError::Key { path, reason }) = e.downcast_ref::<ledger::LedgerError>() {
            let _ = writeln!(
                stderr,
                "{red}error{red:#}: ledger key {}: {}",
                diag::display_path(path),
                diag::sanitize(reason)
            );
            let _ = writeln!(
                stderr,
                "  {green}hint{green:#}: the key signs checkpoints; keep it private (mode 600) and backed up"
            );
            return Exit::Usage;
        }
        if let Some(ledger::store::StoreError::Unsupported(what)) = store_err {
            let _ = writeln!(
                stderr,
                "{red}error{red:#}: unsupported ledger store: {}",
                diag::sanitize(what)
            );
            let _ = writeln!(stderr, "  {green}hint{green:#}: use `--store sqlite:PATH`");
            return Exit::Usage;
        }
    }
    if let Some(user) = err.chain().find_map(|e| e.downcast_ref::<UserError>()) {
        let _ = writeln!(stderr, "{red}error{red:#}: {}", diag::sanitize(&user.message));
        if let Some(hint) = &user.hint {
            let _ = writeln!(stderr, "  {green}hint{green:#}: {}", diag::sanitize(hint));
        }
        return user.exit;
    }
    let _ = writeln!(stderr, "{red}error{red:#}: {}", diag::sanitize(&err.to_string()));
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {}", diag::sanitize(&cause.to_string()));
    }
    Exit::Failed
}
