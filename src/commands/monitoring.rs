//! `lockgate monitoring export`: Prometheus rules, an Alertmanager route
//! and a Grafana dashboard, built from the spec by
//! [`crate::insight::monitoring`].

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::cli::{GlobalArgs, MonitoringCommand};
use crate::exit::{Exit, UserError};
use crate::insight::monitoring;

pub fn run(g: &GlobalArgs, cmd: MonitoringCommand) -> Result<Exit> {
    match cmd {
        MonitoringCommand::Export { out } => export(g, &out),
    }
}

fn export(g: &GlobalArgs, out: &Path) -> Result<Exit> {
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    if out.exists() && !out.is_dir() {
        return Err(
            UserError::usage(format!("{} exists and is not a directory", out.display()))
                .with_hint("pass a directory to write into with `--out DIR`")
                .into(),
        );
    }
    let files = monitoring::export(&loaded.spec);
    // Only lockgate's own files are written; anything else in DIR stays.
    for f in &files {
        let dest = out.join(f.path);
        let dir = dest.parent().unwrap_or(out);
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_atomic(&dest, f.text.as_bytes())?;
    }
    if !g.quiet {
        let mut stdout = anstream::stdout().lock();
        for f in &files {
            writeln!(stdout, "wrote {}", out.join(f.path).display())?;
        }
        let slos = loaded.spec.services.iter().filter(|(_, s)| s.slo.is_some()).count();
        if slos == 0 {
            writeln!(
                stdout,
                "note: no service declares `slo:`, so there are no burn-rate alerts (see {})",
                out.join("README.md").display()
            )?;
        }
    }
    Ok(Exit::Ok)
}

/// Writes `bytes` to `dest` through a temporary file in the same directory,
/// so a reader (Prometheus reloading its rules) never sees half a file.
fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<()> {
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, dest).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}", dest.display())
    })
}
