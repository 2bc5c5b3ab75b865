//! `lockgate compliance`: framework reports from a scan plus the project's
//! own process evidence (ledger, approvals, gates).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::cli::{ComplianceCommand, ComplianceFormat, GlobalArgs};
use crate::exit::{Exit, UserError};
use crate::policy::compliance::{self, Framework, LedgerState, Problem, ProcessFact, Provenance};
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
        let problems = compliance::check(spec, Some(&text), &f);
        return Ok((f, problems));
    }
    for (name, f) in compliance::builtin() {
        let f = f.map_err(|e| anyhow::anyhow!("built-in framework {e}"))?;
        if f.id.eq_ignore_ascii_case(spec) {
            let text = crate::policy::rules::FRAMEWORK_FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t);
            let problems = compliance::check(&name, text, &f);
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
    let (facts, provenance) = process_facts(g);
    let now = crate::ledger::now().strftime("%Y-%m-%d %H:%M UTC").to_string();
    let scanned = paths.iter().map(|p| p.display().to_string()).collect();
    Ok(compliance::evaluate(
        &fw, &scan, &facts, scanned, now, problems, provenance,
    ))
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
        eprintln!("warning: {}: {}", p.place(), p.message);
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

/// One recorded promotion, as the ledger has it.
struct PromotionRec {
    seq: u64,
    env: String,
    commit: Option<String>,
    artifact: Option<String>,
    gates: Vec<String>,
    break_glass: bool,
}

/// One recorded approval.
struct ApprovalRec {
    seq: u64,
    gate: String,
    actor: String,
    run: Option<u64>,
    commit: Option<String>,
    artifact: Option<String>,
    break_glass: bool,
}

/// What the ledger records about changes reaching environments.
#[derive(Default)]
struct Operated {
    promotions: Vec<PromotionRec>,
    approvals: Vec<ApprovalRec>,
    /// Refused approvals by the change's own author or pipeline trigger.
    sod_refusals: Vec<u64>,
    /// run id → who triggered it.
    triggers: BTreeMap<u64, String>,
}

fn read_operated(ledger: &crate::ledger::Ledger) -> Result<Operated> {
    use crate::gates::state;
    let mut o = Operated::default();
    let str_of = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    ledger.scan(1, &mut |e| {
        let p = &e.body.payload;
        match e.body.kind.as_str() {
            state::PROMOTED => o.promotions.push(PromotionRec {
                seq: e.seq(),
                env: str_of(p, "environment").unwrap_or_default(),
                commit: str_of(p, "commit"),
                artifact: str_of(p, "artifact"),
                gates: p
                    .get("gates")
                    .and_then(|g| g.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|g| g.as_str().map(str::to_string))
                    .collect(),
                break_glass: p.get("break_glass").and_then(|b| b.as_bool()).unwrap_or(false),
            }),
            state::APPROVED => o.approvals.push(ApprovalRec {
                seq: e.seq(),
                gate: str_of(p, "gate").unwrap_or_default(),
                actor: e.body.actor.to_string(),
                run: p.get("run").and_then(|r| r.as_u64()),
                commit: str_of(p, "commit"),
                artifact: str_of(p, "artifact"),
                break_glass: p.get("break_glass").and_then(|b| b.as_bool()).unwrap_or(false),
            }),
            state::REFUSED if str_of(p, "reason").is_some_and(|r| r.starts_with("segregation of duties")) => {
                o.sod_refusals.push(e.seq())
            }
            "run.started" => {
                o.triggers.insert(e.seq(), e.body.actor.to_string());
            }
            _ => {}
        }
        Ok(true)
    })?;
    Ok(o)
}

/// `user:EMAIL` of a commit's author, as approvals name people.
fn author_of(root: &Path, commit: &str, cache: &mut BTreeMap<String, Option<String>>) -> Option<String> {
    cache
        .entry(commit.to_string())
        .or_insert_with(|| {
            let out = std::process::Command::new("git")
                .args(["log", "-1", "--format=%ae", commit])
                .current_dir(root)
                .output()
                .ok()?;
            let email = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (out.status.success() && !email.is_empty()).then(|| format!("user:{email}"))
        })
        .clone()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// lockgate's own evidence for process controls, from the project here:
/// its lockgate.yaml (the controls as designed) and its ledger (the
/// controls in operation). Also what the report was made from.
fn process_facts(g: &GlobalArgs) -> (BTreeMap<String, ProcessFact>, Provenance) {
    let mut facts = BTreeMap::new();
    let mut prov = Provenance::default();
    let spec = super::spec_path(g)
        .ok()
        .and_then(|p| crate::spec::load(&p, crate::spec::process_vars()).ok());
    let Some(loaded) = spec else {
        for (id, _) in compliance::PROCESS {
            facts.insert(
                id.to_string(),
                ProcessFact {
                    detail: "no valid lockgate.yaml here: process controls cannot be evidenced".into(),
                    ..ProcessFact::default()
                },
            );
        }
        return (facts, prov);
    };
    let s = &loaded.spec;
    let root = loaded.root().to_owned();
    prov.project = Some(s.project.value.to_string());
    if let Some((Some(commit), _)) = crate::git::head(&root) {
        prov.dirty = crate::git::dirty(&root);
        prov.commit = Some(commit);
    }
    let fact = |ok: bool, detail: String, events: Vec<u64>| ProcessFact {
        ok: Some(ok),
        detail,
        events,
    };

    // The ledger: verified first, then read for what it records.
    let mut operated = None;
    let audit = match super::open_ledger_read(g) {
        Err(e) => fact(false, format!("{e}"), vec![]),
        Ok(ledger) => {
            operated = read_operated(&ledger).ok();
            let key = super::ledger_config(g).ok().map(|c| c.trusted).filter(|p| p.exists());
            match key.map(|k| crate::ledger::read_verifier(&k)) {
                Some(Ok(key)) => match ledger.verify(&key) {
                    Ok(v) => {
                        prov.ledger = Some(LedgerState {
                            events: v.events,
                            root: v.root.clone(),
                            verified: v.ok(),
                            checkpoint: v.verified_up_to,
                        });
                        if v.ok() {
                            fact(
                                true,
                                format!(
                                    "{} events verified (hash chain, Merkle tree); {} signed checkpoint(s); root {}",
                                    v.events,
                                    v.checkpoints,
                                    &v.root[..v.root.len().min(16)]
                                ),
                                vec![],
                            )
                        } else {
                            fact(
                                false,
                                "`lockgate audit verify` fails: the ledger was altered".into(),
                                vec![],
                            )
                        }
                    }
                    Err(e) => fact(false, format!("the ledger cannot be verified: {e}"), vec![]),
                },
                _ => fact(false, "no pinned verifier key (`lockgate audit pubkey`)".into(), vec![]),
            }
        }
    };
    let operated = operated.unwrap_or_default();

    // Approvals each environment needs: its own, or its gates'.
    let mut required: BTreeMap<String, (u32, bool)> = BTreeMap::new();
    for (name, e) in s.environments.entries.iter() {
        if let Some(a) = e.approvals.as_ref().filter(|a| a.required >= 1) {
            required.insert(name.value.to_string(), (a.required, a.not_author));
        }
    }
    for (_, gate) in s.gates.entries.iter() {
        if let (Some(env), Some(a)) = (&gate.environment, gate.approvals.as_ref().filter(|a| a.required >= 1)) {
            let r = required.entry(env.value.to_string()).or_insert((0, false));
            *r = (r.0.max(a.required), r.1 || a.not_author);
        }
    }

    // Change approval: designed, and every recorded promotion into an
    // environment that needs approvals had them.
    let approvals_for = |p: &PromotionRec| -> Vec<&ApprovalRec> {
        let mut seen = std::collections::BTreeSet::new();
        operated
            .approvals
            .iter()
            .filter(|a| {
                a.seq < p.seq
                    && !a.break_glass
                    && p.gates.contains(&a.gate)
                    && a.commit == p.commit
                    && a.artifact == p.artifact
            })
            .filter(|a| seen.insert(a.actor.clone()))
            .collect()
    };
    let guarded: Vec<&PromotionRec> = operated
        .promotions
        .iter()
        .filter(|p| required.contains_key(&p.env))
        .collect();
    let (mut short, mut glass, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for p in &guarded {
        events.push(p.seq);
        let got = approvals_for(p);
        events.extend(got.iter().map(|a| a.seq));
        if p.break_glass {
            glass.push(p.seq);
        } else if (got.len() as u32) < required[&p.env].0 {
            short.push(format!(
                "#{} to {} had {} of {}",
                p.seq,
                p.env,
                got.len(),
                required[&p.env].0
            ));
        }
    }
    events.sort_unstable();
    events.dedup();
    let design: Vec<String> = required
        .iter()
        .map(|(env, (n, na))| {
            format!(
                "{env} needs {n} approval(s){}",
                if *na { ", not by the author" } else { "" }
            )
        })
        .collect();
    let glass_note = if glass.is_empty() {
        String::new()
    } else {
        format!(
            "; {} by break-glass override ({}) — review the recorded reasons",
            plural(glass.len(), "promotion", "promotions"),
            glass.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(", ")
        )
    };
    facts.insert(
        "change-approval".into(),
        if design.is_empty() {
            fact(
                false,
                "no environment in lockgate.yaml requires approvals".into(),
                vec![],
            )
        } else if !short.is_empty() {
            fact(
                false,
                format!(
                    "{}; but promotions without the approvals were recorded: {}",
                    design.join("; "),
                    short.join(", ")
                ),
                events,
            )
        } else if guarded.is_empty() {
            fact(
                true,
                format!(
                    "{} (as designed; no promotion into these environments is recorded yet)",
                    design.join("; ")
                ),
                events,
            )
        } else {
            fact(
                true,
                format!(
                    "{}; {} recorded, each with its approvals{glass_note}",
                    design.join("; "),
                    plural(guarded.len(), "promotion", "promotions")
                ),
                events,
            )
        },
    );

    // Segregation of duties: designed, no counted approval by the change's
    // author or its pipeline's trigger, and the refusals that show it works.
    let sod_envs: Vec<&str> = required
        .iter()
        .filter(|(_, (_, na))| *na)
        .map(|(e, _)| e.as_str())
        .collect();
    let mut authors = BTreeMap::new();
    let (mut violations, mut checked) = (Vec::new(), Vec::new());
    for p in guarded.iter().filter(|p| required[&p.env].1) {
        for a in approvals_for(p) {
            checked.push(a.seq);
            let by_author = p
                .commit
                .as_deref()
                .and_then(|c| author_of(&root, c, &mut authors))
                .is_some_and(|who| who == a.actor);
            let by_trigger = a
                .run
                .and_then(|r| operated.triggers.get(&r))
                .is_some_and(|t| *t == a.actor);
            if by_author || by_trigger {
                violations.push(a.seq);
            }
        }
    }
    let mut sod_events: Vec<u64> = checked.iter().chain(&operated.sod_refusals).copied().collect();
    sod_events.sort_unstable();
    sod_events.dedup();
    let refusals = if operated.sod_refusals.is_empty() {
        String::new()
    } else {
        format!(
            "; {} by the author or trigger refused",
            plural(operated.sod_refusals.len(), "approval attempt", "approval attempts")
        )
    };
    facts.insert(
        "segregation-of-duties".into(),
        if sod_envs.is_empty() {
            fact(
                false,
                "no environment forbids the author from approving (approvals.not_author)".into(),
                vec![],
            )
        } else if !violations.is_empty() {
            fact(
                false,
                format!(
                    "approvals by the change's own author or trigger were counted: {}",
                    violations.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(", ")
                ),
                violations,
            )
        } else {
            fact(
                true,
                format!(
                    "authors cannot approve their own change in {}; {} checked against commit authors and pipeline triggers{refusals}",
                    sod_envs.join(", "),
                    plural(checked.len(), "recorded approval", "recorded approvals")
                ),
                sod_events,
            )
        },
    );

    // Gated deployments: designed, and every recorded promotion into a
    // gated environment went through its gates.
    let gated: BTreeMap<String, Vec<String>> = s.gates.entries.iter().fold(BTreeMap::new(), |mut m, (n, gate)| {
        if let Some(e) = &gate.environment {
            m.entry(e.value.to_string())
                .or_insert_with(Vec::new)
                .push(n.value.to_string());
        }
        m
    });
    let into_gated: Vec<&PromotionRec> = operated
        .promotions
        .iter()
        .filter(|p| gated.contains_key(&p.env))
        .collect();
    let ungated: Vec<u64> = into_gated
        .iter()
        .filter(|p| p.gates.is_empty())
        .map(|p| p.seq)
        .collect();
    let design = gated
        .iter()
        .map(|(env, gs)| format!("{} → {env}", gs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    facts.insert(
        "gated-deployments".into(),
        if gated.is_empty() {
            fact(false, "no gate guards an environment".into(), vec![])
        } else if !ungated.is_empty() {
            fact(
                false,
                format!(
                    "gates: {design}; but promotions recorded without passing a gate: {}",
                    ungated.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(", ")
                ),
                ungated,
            )
        } else {
            fact(
                true,
                format!(
                    "gates: {design}; {} recorded through their gates",
                    plural(into_gated.len(), "promotion", "promotions")
                ),
                into_gated.iter().map(|p| p.seq).collect(),
            )
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
            (Some(job), Some(check)) => fact(
                true,
                format!("job `{job}` reports SARIF; a gate checks `{check}`"),
                vec![],
            ),
            (None, _) => fact(false, "no pipeline job reports SARIF findings".into(), vec![]),
            (Some(job), None) => fact(
                false,
                format!("job `{job}` reports SARIF but no gate checks policy findings"),
                vec![],
            ),
        },
    );
    facts.insert(
        "tests-in-pipeline".into(),
        match checks.iter().find(|c| c.contains("tests.")) {
            Some(c) => fact(true, format!("a gate checks `{c}`"), vec![]),
            None => fact(false, "no gate checks test results".into(), vec![]),
        },
    );
    facts.insert("audit-trail".into(), audit);
    (facts, prov)
}
