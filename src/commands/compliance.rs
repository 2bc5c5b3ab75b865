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
    time: jiff::Timestamp,
    env: String,
    commit: Option<String>,
    artifact: Option<String>,
    gates: Vec<String>,
    break_glass: bool,
}

/// One recorded approval.
struct ApprovalRec {
    seq: u64,
    time: jiff::Timestamp,
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
                time: e.body.time,
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
                time: e.body.time,
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

/// `user:EMAIL` of a commit's author, as approvals name people; `None`
/// when git here does not know the commit (a shallow clone, rewritten
/// history) or it is no commit id.
fn author_of(root: &Path, commit: &str, cache: &mut BTreeMap<String, Option<String>>) -> Option<String> {
    if commit.is_empty() || commit.len() > 64 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    cache
        .entry(commit.to_string())
        .or_insert_with(|| {
            let out = std::process::Command::new("git")
                .args(["log", "-1", "--format=%ae", "--end-of-options", commit])
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

fn seqs(list: &[u64]) -> String {
    list.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(", ")
}

/// The approvals one gate asks for, as the gate engine applies them.
struct GateNeeds {
    env: String,
    required: u32,
    not_author: bool,
    expires: std::time::Duration,
}

/// lockgate's own evidence for process controls, from the project here:
/// its lockgate.yaml (the controls as designed) and its ledger (the
/// controls in operation) — the ledger only when it verifies against its
/// pinned key. Also what the report was made from.
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

    // The ledger: verified first; its records count only if it verifies.
    let mut operated: Result<Operated, String> = Err("there is no ledger here".into());
    let audit = match super::open_ledger_read(g) {
        Err(e) => fact(false, format!("{e}"), vec![]),
        Ok(ledger) => {
            let key = super::ledger_config(g).ok().map(|c| c.trusted).filter(|p| p.exists());
            let unverified = |prov: &mut Provenance| {
                prov.ledger = Some(LedgerState {
                    events: ledger.size().unwrap_or(0),
                    root: "not computed".into(),
                    verified: false,
                    checkpoint: None,
                });
            };
            let audit = match key.map(|k| crate::ledger::read_verifier(&k)) {
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
                    Err(e) => {
                        unverified(&mut prov);
                        fact(false, format!("the ledger cannot be verified: {e}"), vec![])
                    }
                },
                _ => {
                    unverified(&mut prov);
                    fact(false, "no pinned verifier key (`lockgate audit pubkey`)".into(), vec![])
                }
            };
            operated = if audit.ok == Some(true) {
                read_operated(&ledger).map_err(|e| format!("the ledger cannot be read: {e}"))
            } else {
                Err("the ledger does not verify here, so its records are not used as evidence".into())
            };
            audit
        }
    };
    // Designed, but the records cannot be trusted or read: cannot be told.
    let unknown = |design: &str, why: &str| ProcessFact {
        ok: None,
        detail: format!("{design}; {why}"),
        events: vec![],
    };

    // What each gate guarding an environment asks for, as the engine applies
    // it (an environment's approvals are collected at its first gate).
    let mut needs: BTreeMap<String, GateNeeds> = BTreeMap::new();
    for (name, gate) in s.gates.entries.iter() {
        if let (Some(env), Some(a)) = (
            &gate.environment,
            crate::gates::eval::approval_rules(s, gate).filter(|a| a.required >= 1),
        ) {
            needs.insert(
                name.value.to_string(),
                GateNeeds {
                    env: env.value.to_string(),
                    required: a.required,
                    not_author: a.not_author,
                    expires: a.expires.0,
                },
            );
        }
    }
    let guarded_envs: std::collections::BTreeSet<&str> = needs.values().map(|n| n.env.as_str()).collect();
    // Approvals configured where no gate will ever ask for them.
    let unasked: Vec<String> = s
        .environments
        .entries
        .iter()
        .filter(|(name, e)| {
            e.approvals.as_ref().is_some_and(|a| a.required >= 1) && !guarded_envs.contains(name.value.as_str())
        })
        .map(|(name, _)| name.value.to_string())
        .collect();
    let design: Vec<String> = needs
        .iter()
        .map(|(gate, n)| {
            format!(
                "{} needs {} approval(s) at gate {gate}{}",
                n.env,
                n.required,
                if n.not_author { ", not by the author" } else { "" }
            )
        })
        .collect();
    let design = design.join("; ");

    // The approvals counted for a promotion at one gate: of the same commit
    // and artifact, before it, not expired by then, one per person.
    let counted = |o: &'_ Operated, p: &PromotionRec, gate: &str, n: &GateNeeds| -> Vec<(u64, String, Option<u64>)> {
        let mut seen = std::collections::BTreeSet::new();
        o.approvals
            .iter()
            .filter(|a| {
                a.seq < p.seq
                    && !a.break_glass
                    && a.gate == gate
                    && a.commit == p.commit
                    && a.artifact == p.artifact
                    && p.time.duration_since(a.time).unsigned_abs() <= n.expires
            })
            .filter(|a| seen.insert(a.actor.clone()))
            .map(|a| (a.seq, a.actor.clone(), a.run))
            .collect()
    };

    // Change approval.
    let change = if needs.is_empty() {
        fact(
            false,
            if unasked.is_empty() {
                "no environment or gate in lockgate.yaml requires approvals".into()
            } else {
                format!(
                    "{} require(s) approvals, but no gate guards it, so they are never asked for",
                    unasked.join(", ")
                )
            },
            vec![],
        )
    } else {
        match &operated {
            Err(why) => unknown(&design, why),
            Ok(o) => {
                let (mut short, mut glass, mut events, mut promotions) = (Vec::new(), Vec::new(), Vec::new(), 0);
                for p in o.promotions.iter().filter(|p| guarded_envs.contains(p.env.as_str())) {
                    promotions += 1;
                    events.push(p.seq);
                    if p.break_glass {
                        glass.push(p.seq);
                        continue;
                    }
                    for (gate, n) in needs.iter().filter(|(_, n)| n.env == p.env) {
                        if !p.gates.contains(gate) {
                            short.push(format!("#{} to {} did not pass gate {gate}", p.seq, p.env));
                            continue;
                        }
                        let got = counted(o, p, gate, n);
                        events.extend(got.iter().map(|a| a.0));
                        if (got.len() as u32) < n.required {
                            short.push(format!(
                                "#{} to {} had {} of {} at gate {gate}",
                                p.seq,
                                p.env,
                                got.len(),
                                n.required
                            ));
                        }
                    }
                }
                events.sort_unstable();
                events.dedup();
                let glass_note = if glass.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} by break-glass override ({}) — review the recorded reasons",
                        plural(glass.len(), "promotion", "promotions"),
                        seqs(&glass)
                    )
                };
                let unasked_note = if unasked.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; approvals of {} are never asked for (no gate guards it)",
                        unasked.join(", ")
                    )
                };
                if !short.is_empty() {
                    fact(
                        false,
                        format!(
                            "{design}; but promotions without their approvals were recorded: {}{glass_note}{unasked_note}",
                            short.join(", ")
                        ),
                        events,
                    )
                } else if promotions == 0 {
                    fact(
                        unasked.is_empty(),
                        format!(
                            "{design} (as designed; no promotion into these environments is recorded yet){unasked_note}"
                        ),
                        events,
                    )
                } else {
                    fact(
                        unasked.is_empty(),
                        format!(
                            "{design}; {} recorded, each with its approvals{glass_note}{unasked_note}",
                            plural(promotions - glass.len(), "promotion", "promotions")
                        ),
                        events,
                    )
                }
            }
        }
    };
    facts.insert("change-approval".into(), change);

    // Segregation of duties: no counted approval by the change's author or
    // its pipeline's trigger, at gates that forbid it.
    let sod_gates: Vec<String> = needs
        .iter()
        .filter(|(_, n)| n.not_author)
        .map(|(gate, n)| format!("{} (gate {gate})", n.env))
        .collect();
    let sod = if sod_gates.is_empty() {
        fact(
            false,
            "no gate forbids the author from approving (approvals.not_author)".into(),
            vec![],
        )
    } else {
        let design = format!("authors cannot approve their own change in {}", sod_gates.join(", "));
        match &operated {
            Err(why) => unknown(&design, why),
            Ok(o) => {
                let mut authors = BTreeMap::new();
                let (mut checked, mut violations, mut unresolved) = (
                    std::collections::BTreeSet::new(),
                    std::collections::BTreeSet::new(),
                    std::collections::BTreeSet::new(),
                );
                for p in o.promotions.iter().filter(|p| !p.break_glass) {
                    for (gate, n) in needs
                        .iter()
                        .filter(|(g, n)| n.env == p.env && n.not_author && p.gates.contains(g))
                    {
                        let author = p.commit.as_deref().and_then(|c| author_of(&root, c, &mut authors));
                        for (seq, actor, run) in counted(o, p, gate, n) {
                            let by_trigger = run.and_then(|r| o.triggers.get(&r)).is_some_and(|t| *t == actor);
                            match &author {
                                _ if by_trigger => {
                                    violations.insert(seq);
                                }
                                Some(a) if *a == actor => {
                                    violations.insert(seq);
                                }
                                Some(_) => {
                                    checked.insert(seq);
                                }
                                None => {
                                    unresolved.insert(p.commit.clone().unwrap_or_else(|| "(no commit)".into()));
                                }
                            }
                        }
                    }
                }
                let refusals = if o.sod_refusals.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} by the author or trigger refused",
                        plural(o.sod_refusals.len(), "approval attempt", "approval attempts")
                    )
                };
                if !violations.is_empty() {
                    let v: Vec<u64> = violations.into_iter().collect();
                    fact(
                        false,
                        format!(
                            "approvals by the change's own author or trigger were counted: {}",
                            seqs(&v)
                        ),
                        v,
                    )
                } else if !unresolved.is_empty() {
                    let list: Vec<String> = unresolved.into_iter().map(|c| c.chars().take(12).collect()).collect();
                    unknown(
                        &design,
                        &format!(
                            "the authors of commit(s) {} are not in this git checkout (a shallow clone?), so their approvals cannot be checked",
                            list.join(", ")
                        ),
                    )
                } else {
                    let mut events: Vec<u64> = checked.iter().chain(&o.sod_refusals).copied().collect();
                    events.sort_unstable();
                    events.dedup();
                    fact(
                        true,
                        format!(
                            "{design}; {} checked against commit authors and pipeline triggers{refusals}",
                            plural(checked.len(), "recorded approval", "recorded approvals")
                        ),
                        events,
                    )
                }
            }
        }
    };
    facts.insert("segregation-of-duties".into(), sod);

    // Gated deployments: every recorded promotion into a gated environment
    // went through its gates.
    let gated: BTreeMap<String, Vec<String>> = s.gates.entries.iter().fold(BTreeMap::new(), |mut m, (n, gate)| {
        if let Some(e) = &gate.environment {
            m.entry(e.value.to_string())
                .or_insert_with(Vec::new)
                .push(n.value.to_string());
        }
        m
    });
    let design = gated
        .iter()
        .map(|(env, gs)| format!("{} → {env}", gs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let gated_fact = if gated.is_empty() {
        fact(false, "no gate guards an environment".into(), vec![])
    } else {
        match &operated {
            Err(why) => unknown(&format!("gates: {design}"), why),
            Ok(o) => {
                let into: Vec<&PromotionRec> = o.promotions.iter().filter(|p| gated.contains_key(&p.env)).collect();
                let ungated: Vec<u64> = into
                    .iter()
                    .filter(|p| !gated[&p.env].iter().all(|g| p.gates.contains(g)))
                    .map(|p| p.seq)
                    .collect();
                if !ungated.is_empty() {
                    fact(
                        false,
                        format!(
                            "gates: {design}; but promotions recorded without passing their gates: {}",
                            seqs(&ungated)
                        ),
                        ungated,
                    )
                } else {
                    fact(
                        true,
                        format!(
                            "gates: {design}; {} recorded through their gates",
                            plural(into.len(), "promotion", "promotions")
                        ),
                        into.iter().map(|p| p.seq).collect(),
                    )
                }
            }
        }
    };
    facts.insert("gated-deployments".into(), gated_fact);

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
