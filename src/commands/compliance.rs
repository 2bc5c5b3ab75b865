//! `lockgate compliance`: framework reports from a scan plus the project's
//! own process evidence (ledger, approvals, gates).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::cli::{ComplianceCommand, ComplianceFormat, GlobalArgs};
use crate::exit::{Exit, UserError};
use crate::policy::compliance::{self, Framework, Problem, ProcessFact};
use crate::policy::{self, ScanOptions};

pub fn run(g: &GlobalArgs, cmd: ComplianceCommand) -> Result<Exit> {
    match cmd {
        ComplianceCommand::List { json } => {
            let list: Vec<(String, Framework)> = compliance::builtin()
                .into_iter()
                .filter_map(|(n, f)| f.ok().map(|f| (n, f)))
                .collect();
            if json {
                let v: Vec<_> = list
                    .iter()
                    .map(|(_, f)| serde_json::json!({ "id": f.id, "title": f.title, "controls": f.controls.len() }))
                    .collect();
                super::print_json(&v)?;
            } else {
                let mut out = anstream::stdout().lock();
                for (_, f) in &list {
                    writeln!(out, "{:<12} {:>3} controls  {}", f.id, f.controls.len(), f.title)?;
                }
            }
            Ok(Exit::Ok)
        }
        ComplianceCommand::Report {
            framework,
            format,
            output,
            paths,
            fail_under,
        } => report(g, &framework, format, output, paths, fail_under),
    }
}

fn load_framework(spec: &str) -> Result<(Framework, Vec<Problem>)> {
    let as_path = Path::new(spec);
    if spec.ends_with(".yaml") || spec.ends_with(".yml") || as_path.is_file() {
        let text = std::fs::read_to_string(as_path)
            .map_err(|e| UserError::usage(format!("cannot read framework file {spec}: {e}")))?;
        let f = compliance::parse(spec, &text).map_err(|e| {
            UserError::usage(format!("framework file {e}"))
                .with_hint("a framework file has id, title and controls: [{ id, title, description, rules, process }]")
        })?;
        let problems = compliance::check(spec, &f);
        return Ok((f, problems));
    }
    for (name, f) in compliance::builtin() {
        let f = f.map_err(|e| anyhow::anyhow!("built-in framework {e}"))?;
        if f.id.eq_ignore_ascii_case(spec) {
            let problems = compliance::check(&name, &f);
            return Ok((f, problems));
        }
    }
    let ids: Vec<String> = compliance::builtin()
        .into_iter()
        .filter_map(|(_, f)| f.ok().map(|f| f.id))
        .collect();
    Err(UserError::usage(format!("no framework {spec:?}"))
        .with_hint(format!(
            "built in: {}; or pass a framework file (FILE.yaml)",
            ids.join(", ")
        ))
        .into())
}

fn report(
    g: &GlobalArgs,
    framework: &str,
    format: ComplianceFormat,
    output: Option<PathBuf>,
    paths: Vec<PathBuf>,
    fail_under: Option<f64>,
) -> Result<Exit> {
    let r = evaluate(g, framework, &paths)?;
    let text = match format {
        ComplianceFormat::Md => compliance::markdown(&r),
        ComplianceFormat::Html => compliance::html(&r),
        ComplianceFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
    };
    write_report(&r, &text, output, fail_under)
}

/// The project's scan options from lockgate.yaml's `policy:` section.
pub fn project_scan_options(g: &GlobalArgs) -> ScanOptions {
    let mut opts = ScanOptions::default();
    if let Some(loaded) = super::spec_path(g)
        .ok()
        .and_then(|p| crate::spec::load(&p, crate::spec::process_vars()).ok())
    {
        let p = &loaded.spec.policy;
        opts.exclude = p.exclude.iter().map(|x| x.to_string()).collect();
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&p.toolchain) {
            opts.toolchain = m
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
                .collect();
        }
    }
    opts
}

/// A compliance report of `paths` against `framework` (an id or a file).
pub fn evaluate(g: &GlobalArgs, framework: &str, paths: &[PathBuf]) -> Result<compliance::Report> {
    let (fw, problems) = load_framework(framework)?;
    for p in paths {
        if !p.exists() {
            return Err(UserError::usage(format!("{} does not exist", p.display())).into());
        }
    }
    // The project's exclusions and toolchain apply, as for `lockgate scan`.
    let opts = project_scan_options(g);
    let scan = policy::scan(paths, &opts);
    let facts = process_facts(g);
    let now = crate::ledger::now().strftime("%Y-%m-%d %H:%M UTC").to_string();
    let scanned = paths.iter().map(|p| p.display().to_string()).collect();
    Ok(compliance::evaluate(&fw, &scan, &facts, scanned, now, problems))
}

fn write_report(r: &compliance::Report, text: &str, output: Option<PathBuf>, fail_under: Option<f64>) -> Result<Exit> {
    match &output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {}", p.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    for p in &r.problems {
        eprintln!("warning: {}: {}", p.file, p.message);
    }
    eprintln!(
        "{}: {} of {} controls passing ({} %), {} failing, {} not evidenced",
        r.title,
        r.summary.passing,
        r.summary.controls,
        r.summary.percent_passing,
        r.summary.failing,
        r.summary.not_evidenced
    );
    Ok(match fail_under {
        Some(min) if r.summary.percent_passing < min => Exit::Failed,
        _ => Exit::Ok,
    })
}

/// lockgate's own evidence for process controls, from the project here.
fn process_facts(g: &GlobalArgs) -> BTreeMap<String, ProcessFact> {
    let mut facts = BTreeMap::new();
    let unknown = |why: &str| ProcessFact {
        ok: None,
        detail: why.to_string(),
    };
    let spec = super::spec_path(g)
        .ok()
        .and_then(|p| crate::spec::load(&p, crate::spec::process_vars()).ok());
    let Some(loaded) = spec else {
        for (id, _) in compliance::PROCESS {
            facts.insert(
                id.to_string(),
                unknown("no valid lockgate.yaml here: process controls cannot be evidenced"),
            );
        }
        return facts;
    };
    let s = &loaded.spec;
    let fact = |ok: bool, detail: String| ProcessFact { ok: Some(ok), detail };

    let approving: Vec<String> = s
        .environments
        .entries
        .iter()
        .filter_map(|(name, e)| e.approvals.as_ref().filter(|a| a.required >= 1).map(|a| (name, a)))
        .map(|(name, a)| {
            format!(
                "{} needs {} approval(s){}",
                name.value,
                a.required,
                if a.not_author { ", not by the author" } else { "" }
            )
        })
        .collect();
    facts.insert(
        "change-approval".into(),
        if approving.is_empty() {
            fact(false, "no environment in lockgate.yaml requires approvals".into())
        } else {
            fact(true, approving.join("; "))
        },
    );
    let sod: Vec<&str> = s
        .environments
        .entries
        .iter()
        .filter(|(_, e)| e.approvals.as_ref().is_some_and(|a| a.required >= 1 && a.not_author))
        .map(|(n, _)| n.value.as_str())
        .collect();
    facts.insert(
        "segregation-of-duties".into(),
        if sod.is_empty() {
            fact(
                false,
                "no environment forbids the author from approving (approvals.not_author)".into(),
            )
        } else {
            fact(
                true,
                format!("authors cannot approve their own change in {}", sod.join(", ")),
            )
        },
    );
    let gated: Vec<String> = s
        .gates
        .entries
        .iter()
        .filter_map(|(n, gate)| gate.environment.as_ref().map(|e| format!("{} → {}", n.value, e.value)))
        .collect();
    facts.insert(
        "gated-deployments".into(),
        if gated.is_empty() {
            fact(false, "no gate guards an environment".into())
        } else {
            fact(true, format!("gates: {}", gated.join(", ")))
        },
    );
    let checks: Vec<String> = s
        .gates
        .entries
        .iter()
        .flat_map(|(_, gate)| {
            gate.items
                .iter()
                .filter_map(|i| i.value.check.as_ref().map(|c| c.value.to_string()))
        })
        .collect();
    let sarif_jobs: Vec<&str> = s
        .pipeline
        .entries
        .iter()
        .filter(|(_, j)| !j.reports.sarif.is_empty())
        .map(|(n, _)| n.value.as_str())
        .collect();
    let policy_check = checks.iter().find(|c| c.contains("policy.") || c.contains("sarif."));
    facts.insert(
        "scan-in-pipeline".into(),
        match (sarif_jobs.first(), policy_check) {
            (Some(job), Some(check)) => fact(true, format!("job `{job}` reports SARIF; a gate checks `{check}`")),
            (None, _) => fact(false, "no pipeline job reports SARIF findings".into()),
            (Some(job), None) => fact(
                false,
                format!("job `{job}` reports SARIF but no gate checks policy findings"),
            ),
        },
    );
    facts.insert(
        "tests-in-pipeline".into(),
        match checks.iter().find(|c| c.contains("tests.")) {
            Some(c) => fact(true, format!("a gate checks `{c}`")),
            None => fact(false, "no gate checks test results".into()),
        },
    );
    facts.insert(
        "audit-trail".into(),
        match super::open_ledger_read(g) {
            Err(e) => fact(false, format!("{e}")),
            Ok(ledger) => {
                let key = super::ledger_config(g).ok().map(|c| c.trusted).filter(|p| p.exists());
                match key.map(|k| crate::ledger::read_verifier(&k)) {
                    Some(Ok(key)) => match ledger.verify(&key) {
                        Ok(v) if v.ok() => fact(
                            true,
                            format!(
                                "{} events verified; {} signed checkpoint(s); root {}",
                                v.events,
                                v.checkpoints,
                                &v.root[..v.root.len().min(16)]
                            ),
                        ),
                        Ok(_) => fact(false, "`lockgate audit verify` fails: the ledger was altered".into()),
                        Err(e) => fact(false, format!("the ledger cannot be verified: {e}")),
                    },
                    _ => fact(false, "no pinned verifier key (`lockgate audit pubkey`)".into()),
                }
            }
        },
    );
    facts
}
