//! `lockgate docs` and `lockgate handover`.

use std::io::Write as _;

use anyhow::{Context as _, Result};

use crate::cli::{DocsArgs, GlobalArgs, HandoverArgs};
use crate::exit::{Exit, UserError};
use crate::insight::docs::{self, Facts};

pub fn run(g: &GlobalArgs, a: DocsArgs) -> Result<Exit> {
    let facts = Facts::gather(g)?;
    let files = docs::render(&facts)?;
    if a.check {
        let mut stale = Vec::new();
        for (name, text) in &files {
            let path = a.out.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        }
        if stale.is_empty() {
            writeln!(std::io::stdout(), "✓ {} is current", a.out.display())?;
            return Ok(Exit::Ok);
        }
        eprintln!("stale: {}", stale.join(", "));
        eprintln!(
            "  = hint: run `lockgate docs --out {}` and commit the result",
            a.out.display()
        );
        return Ok(Exit::Failed);
    }
    if a.out.exists() && !a.out.is_dir() {
        return Err(UserError::usage(format!("{} is not a directory", a.out.display()))
            .with_hint("pass a directory with --out")
            .into());
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    for (name, text) in &files {
        let path = a.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        if !g.quiet {
            writeln!(std::io::stdout(), "wrote {}", path.display())?;
        }
    }
    Ok(Exit::Ok)
}

pub fn handover(g: &GlobalArgs, a: HandoverArgs) -> Result<Exit> {
    if a.task.as_ref().is_some_and(|t| t.len() > 4096) {
        return Err(UserError::usage("the task is longer than 4096 bytes").into());
    }
    let facts = Facts::gather(g)?;
    let h = docs::handover(&facts, a.to, a.task.as_deref());
    if a.json {
        super::print_json(&h)?;
    } else {
        std::io::stdout()
            .lock()
            .write_all(docs::handover_markdown(&h).as_bytes())?;
    }
    Ok(Exit::Ok)
}
