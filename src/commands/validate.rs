//! `lockgate validate`: syntax, types, references and cycles of lockgate.yaml.

use std::io::Write as _;

use anyhow::Result;
use serde::Serialize;

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::diag::{Diagnostic, Severity, display_path};
use crate::exit::Exit;
use crate::spec::{self, LoadError};

#[derive(Serialize)]
struct Report<'a> {
    valid: bool,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Summary>,
    errors: Vec<&'a Diagnostic>,
    warnings: Vec<&'a Diagnostic>,
}

#[derive(Serialize)]
struct Summary {
    project: String,
    environments: usize,
    services: usize,
    jobs: usize,
    gates: usize,
}

pub fn run(g: &GlobalArgs, args: ValidateArgs) -> Result<Exit> {
    let path = match args.file {
        Some(p) => p,
        None => super::spec_path(g)?,
    };
    let result = spec::load(&path, spec::process_vars());
    if !args.json {
        let loaded = result.map_err(super::load_error)?;
        super::print_diagnostics(&loaded.warnings, Some(&loaded.source))?;
        if !g.quiet {
            let s = &loaded.spec;
            let green = anstyle::AnsiColor::Green.on_default().bold();
            writeln!(
                anstream::stdout(),
                "{green}✓{green:#} {} is valid: project `{}`, {} environment(s), {} service(s), {} job(s), {} gate(s)",
                display_path(&path),
                s.project.value,
                s.environments.len(),
                s.services.len(),
                s.pipeline.len(),
                s.gates.len()
            )?;
        }
        return Ok(Exit::Ok);
    }
    let file = display_path(&path);
    match result {
        Ok(loaded) => {
            let s = &loaded.spec;
            super::print_json(&Report {
                valid: true,
                file,
                summary: Some(Summary {
                    project: s.project.value.to_string(),
                    environments: s.environments.len(),
                    services: s.services.len(),
                    jobs: s.pipeline.len(),
                    gates: s.gates.len(),
                }),
                errors: vec![],
                warnings: loaded.warnings.iter().collect(),
            })?;
            Ok(Exit::Ok)
        }
        Err(LoadError::Invalid { diagnostics, .. }) => {
            let (errors, warnings) = diagnostics.iter().partition(|d| d.severity == Severity::Error);
            super::print_json(&Report {
                valid: false,
                file,
                summary: None,
                errors,
                warnings,
            })?;
            Ok(Exit::Usage)
        }
        Err(other) => Err(super::load_error(other)),
    }
}
