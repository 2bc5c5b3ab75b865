//! `lockgate evidence`: facts recorded from a run's reports.

use std::io::Write as _;

use anyhow::Result;
use serde_json::Value;

use crate::cli::{EvidenceArgs, GlobalArgs};
use crate::evidence::{self, Facts, Kind};
use crate::exit::{Exit, UserError};

fn describe(kind: &str, v: &Value) -> String {
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    let f = |k: &str| v.get(k).and_then(Value::as_f64);
    match kind {
        "junit" => {
            let mut s = format!(
                "{} tests: {} passed, {} failed, {} skipped",
                n("total"),
                n("passed"),
                n("failed"),
                n("skipped")
            );
            if let Some(names) = v.get("failing").and_then(Value::as_array).filter(|a| !a.is_empty()) {
                let names: Vec<&str> = names.iter().filter_map(Value::as_str).take(5).collect();
                s.push_str(&format!(" (failing: {})", names.join(", ")));
            }
            s
        }
        "coverage" => {
            let mut s = format!(
                "lines {:.2}% ({}/{})",
                f("lines").unwrap_or(0.0),
                n("lines_covered"),
                n("lines_total")
            );
            if let Some(b) = f("branches") {
                s.push_str(&format!(", branches {b:.2}%"));
            }
            s
        }
        "sarif" => {
            let sev = v
                .get("severity")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, c)| format!("{k} {c}")).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            format!(
                "{} findings: {} errors, {} warnings, {} notes{}",
                n("results"),
                n("errors"),
                n("warnings"),
                n("notes"),
                if sev.is_empty() {
                    String::new()
                } else {
                    format!(" ({sev})")
                }
            )
        }
        _ => v.to_string(),
    }
}

pub fn run(g: &GlobalArgs, args: EvidenceArgs) -> Result<Exit> {
    if let Some(file) = &args.file {
        let kind_name = args.kind.as_deref().unwrap_or_default();
        let kind = Kind::parse(kind_name).ok_or_else(|| {
            UserError::usage(format!("unknown report kind `{kind_name}`")).with_hint("use junit, coverage or sarif")
        })?;
        return match evidence::parse_file(kind, file) {
            Ok(facts) => {
                if args.json {
                    super::print_json(&facts)?;
                } else {
                    let v = match &facts {
                        Facts::Tests(t) => serde_json::to_value(t)?,
                        Facts::Coverage(c) => serde_json::to_value(c)?,
                        Facts::Sarif(s) => serde_json::to_value(s)?,
                    };
                    writeln!(
                        std::io::stdout(),
                        "{}: {}",
                        crate::diag::display_path(file),
                        describe(kind.name(), &v)
                    )?;
                }
                Ok(Exit::Ok)
            }
            Err(e) => Err(
                UserError::new(Exit::Failed, format!("invalid {} report {e}", kind.name()))
                    .with_hint("the file must be a report the tool wrote in this format")
                    .into(),
            ),
        };
    }
    let h = super::runs::history(g)?;
    let r = super::runs::pick(&h, args.run.as_deref())?;
    if args.json {
        super::print_json(
            &serde_json::json!({ "run": r.run, "commit": r.commit, "dirty": r.dirty, "evidence": r.evidence }),
        )?;
        return Ok(Exit::Ok);
    }
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "run {} ({}), commit {}{}",
        r.run,
        r.status,
        r.commit.as_deref().unwrap_or("-"),
        if r.dirty { " with uncommitted changes" } else { "" }
    )?;
    if r.evidence.is_empty() {
        writeln!(out, "  no evidence: no job of this run declares `reports:`")?;
    }
    let red = anstyle::AnsiColor::Red.on_default().bold();
    for e in &r.evidence {
        if e.valid {
            writeln!(
                out,
                "  {:<10} {:<9} {}  (event {})",
                e.job,
                e.kind,
                describe(&e.kind, &e.detail),
                e.seq
            )?;
        } else {
            let errs: Vec<String> = e
                .detail
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|x| {
                            format!(
                                "{}: {}",
                                x.get("file").and_then(Value::as_str).unwrap_or("?"),
                                x.get("message").and_then(Value::as_str).unwrap_or("?")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<10} {:<9} {red}invalid{red:#}: {}  (event {})",
                e.job,
                e.kind,
                crate::diag::sanitize(&errs.join("; ")),
                e.seq
            )?;
        }
    }
    Ok(Exit::Ok)
}
