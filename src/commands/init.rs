//! `lockgate init [DIR]`: write a starter lockgate.yaml for the repository.

use std::io::Write as _;

use anyhow::Result;

use crate::cli::{GlobalArgs, InitArgs};
use crate::diag::display_path;
use crate::exit::{Exit, UserError};
use crate::scaffold::{self, InitError, InitOptions};

pub fn run(g: &GlobalArgs, args: InitArgs) -> Result<Exit> {
    let opts = InitOptions {
        dir: &args.dir,
        name: args.name.as_deref(),
        force: args.force,
        dry_run: args.dry_run,
        timezone: scaffold::local_timezone(),
    };
    let report = scaffold::init(&opts).map_err(|e| match e {
        InitError::Exists { path } => UserError::usage(format!("{} already exists", display_path(&path)))
            .with_hint("pass --force to overwrite it, or --dry-run to print the new file instead"),
        InitError::NotADirectory { path } => UserError::usage(format!("{} is not a directory", display_path(&path)))
            .with_hint("pass the repository's directory"),
        InitError::Io { path, source } => UserError::usage(format!(
            "cannot access {}: {}",
            display_path(&path),
            super::io_reason(&source)
        ))
        .with_hint("check that the directory exists and that you may write to it"),
    })?;
    // The generated file must always validate; check before telling the user it is ready.
    let problems = crate::spec::parse_str(&report.path, &report.content, crate::spec::process_vars())
        .map(|s| crate::spec::validate(&report.path, &s))
        .unwrap_or_else(|d| vec![*d]);
    if problems.iter().any(|d| d.severity == crate::diag::Severity::Error) {
        super::print_diagnostics(&problems, Some(&report.content))?;
        anyhow::bail!("internal error: the generated lockgate.yaml does not validate; please report this");
    }
    if args.json {
        super::print_json(&report)?;
        return Ok(Exit::Ok);
    }
    if args.dry_run {
        std::io::stdout().lock().write_all(report.content.as_bytes())?;
        return Ok(Exit::Ok);
    }
    if !g.quiet {
        let mut out = anstream::stdout().lock();
        let green = anstyle::AnsiColor::Green.on_default().bold();
        if report.detection.found.is_empty() {
            writeln!(out, "No build system recognised; wrote a pipeline that only scans.")?;
        } else {
            for f in &report.detection.found {
                let where_ = if f.dir.is_empty() {
                    String::new()
                } else {
                    format!(" in {}/", f.dir)
                };
                writeln!(out, "detected {}{where_}", f.ecosystem.label())?;
            }
        }
        for p in &report.written {
            writeln!(out, "{green}wrote{green:#} {}", display_path(p))?;
        }
        writeln!(
            out,
            "\nNext:\n  lockgate validate        check the file\n  lockgate demo            see what lockgate does with a project like this"
        )?;
    }
    Ok(Exit::Ok)
}
