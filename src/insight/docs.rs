//! `lockgate docs` and `lockgate handover`: documents that are projections
//! of the spec and the ledger, so they are always current. Output is
//! deterministic — the same spec and ledger give byte-identical files (no
//! "generated at" clock) — so `lockgate docs --check` can fail CI when the
//! checked-in copy is stale.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Value, json};

use super::mermaid::{self, Flowchart};
use crate::cli::GlobalArgs;
use crate::delivery::state::DeliveryState;
use crate::gates::eval::{GateReport, GateStatus};
use crate::ledger::Event;
use crate::ledger::projection::{Projected, Projection};
use crate::pipeline::history::RunHistory;
use crate::spec::{Spec, Strategy};

/// Events the documents mention that no other projection keeps.
#[derive(Default, Debug, Clone)]
pub struct Notable {
    /// Incident events, oldest first (bounded).
    pub incidents: Vec<(u64, String, String, Value)>,
    /// The last disaster-recovery drill: an audit note with subject `dr`
    /// (`lockgate audit note "restore drill passed" --subject dr`) or a `dr.*` event.
    pub last_dr: Option<(u64, String, String)>,
    pub break_glass: Vec<(u64, String, String)>,
}

impl Projection for Notable {
    fn apply(&mut self, e: &Event) {
        let k = e.body.kind.as_str();
        let time = e.body.time.strftime("%Y-%m-%d %H:%M UTC").to_string();
        if k.starts_with("incident.") {
            self.incidents
                .push((e.seq(), time, k.to_string(), e.body.payload.clone()));
            if self.incidents.len() > 200 {
                self.incidents.remove(0);
            }
        } else if k.starts_with("dr.")
            || (k == "audit.note" && (e.body.subject == "dr" || e.body.subject.starts_with("dr/")))
        {
            let what = e.body.payload["message"].as_str().unwrap_or(k).to_string();
            self.last_dr = Some((e.seq(), time, what));
        } else if k == "gate.approved" && e.body.payload["break_glass"] == true {
            self.break_glass.push((e.seq(), time, e.body.actor.to_string()));
        }
    }
}

/// Everything the documents are made of.
pub struct Facts {
    pub spec: Spec,
    pub gates: Vec<GateReport>,
    pub delivery: DeliveryState,
    pub runs: RunHistory,
    pub notable: Notable,
    /// Findings by severity from the project's own scan.
    pub findings: BTreeMap<String, u64>,
    /// Compliance frameworks: id → (title, percent passing).
    pub compliance: BTreeMap<String, (String, f64)>,
}

impl Facts {
    pub fn gather(g: &GlobalArgs) -> Result<Facts> {
        let path = crate::commands::spec_path(g)?;
        let loaded = crate::commands::load_spec(g, &path)?;
        let root = loaded.root().to_path_buf();
        let mut delivery: Projected<DeliveryState> = Projected::default();
        let mut runs: Projected<RunHistory> = Projected::default();
        let mut notable: Projected<Notable> = Projected::default();
        let cfg = crate::commands::ledger_config(g)?;
        if crate::ledger::store::sqlite_path(&cfg.store, &cfg.base).is_none_or(|p| p.exists()) {
            let ledger = crate::commands::open_ledger_read(g)?;
            delivery.catch_up(&ledger)?;
            runs.catch_up(&ledger)?;
            notable.catch_up(&ledger)?;
        }
        let gates = crate::commands::gate::reports(g)?;
        let opts = crate::commands::compliance::project_scan_options(g);
        let mut scan = crate::policy::scan(std::slice::from_ref(&root), &opts);
        let skip: Vec<String> = loaded.spec.policy.skip.iter().map(|s| s.to_string()).collect();
        scan.findings.retain(|f| !skip.contains(&f.rule));
        crate::policy::summarize(&scan.findings, &mut scan.summary);
        let findings = scan
            .summary
            .by_severity
            .iter()
            .map(|(k, v)| (k.clone(), *v as u64))
            .collect();
        let mut compliance = BTreeMap::new();
        for (_, f) in crate::policy::compliance::builtin() {
            let Ok(f) = f else { continue };
            if let Ok(r) = crate::commands::compliance::evaluate(g, &f.id, std::slice::from_ref(&root)) {
                compliance.insert(f.id.clone(), (f.title.clone(), r.summary.percent_passing));
            }
        }
        Ok(Facts {
            spec: loaded.spec,
            gates,
            delivery: delivery.state,
            runs: runs.state,
            notable: notable.state,
            findings,
            compliance,
        })
    }

    fn status(r: &GateReport) -> &'static str {
        match r.status {
            GateStatus::Open => "open",
            GateStatus::Failed => "failed",
            GateStatus::Waiting => "waiting",
            GateStatus::Blocked => "blocked",
        }
    }

    fn gates_of(&self, env: &str) -> Vec<&GateReport> {
        self.gates
            .iter()
            .filter(|r| r.environment.as_deref() == Some(env))
            .collect()
    }

    fn stable(&self, service: &str, env: &str) -> String {
        self.delivery
            .units
            .get(&(service.to_string(), env.to_string()))
            .and_then(|u| u.stable.clone())
            .unwrap_or_else(|| "not deployed".into())
    }
}

/// The analysis conditions of a canary, e.g. `error_rate < 1%`.
fn conditions(s: &Strategy) -> Vec<String> {
    match s {
        Strategy::Canary(c) => c
            .analysis
            .as_ref()
            .map(|a| a.0.conditions.iter().map(|x| x.value.to_string()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn step_text(s: &crate::spec::CanaryStep) -> String {
    match s {
        crate::spec::CanaryStep::Weight(p) => format!("{p}"),
        crate::spec::CanaryStep::Pause(Some(d)) => format!("pause {d}"),
        crate::spec::CanaryStep::Pause(None) => "pause".into(),
    }
}

fn strategy_text(s: &Strategy) -> String {
    match s {
        Strategy::Canary(c) => format!(
            "canary: steps {} every {}{}",
            c.steps
                .iter()
                .map(|x| step_text(&x.value))
                .collect::<Vec<_>>()
                .join(" → "),
            c.interval,
            if conditions(s).is_empty() {
                String::new()
            } else {
                format!(
                    ", analysis {}",
                    conditions(s)
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
        Strategy::BlueGreen(_) => {
            "blue-green: the new version starts beside the old; traffic switches at once after its checks".into()
        }
        Strategy::Rolling(r) => format!("rolling: {} instance(s) at a time, each health-checked", r.batch),
    }
}

/// Environments in promotion order (roots first, then what promotes from them).
fn env_order(spec: &Spec) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names: Vec<String> = spec.environments.names().map(str::to_string).collect();
    while out.len() < names.len() {
        let before = out.len();
        for (n, e) in spec.environments.iter() {
            if out.iter().any(|x| x == n) {
                continue;
            }
            let ready = e.promote_from.as_ref().is_none_or(|p| out.contains(&p.value));
            if ready {
                out.push(n.to_string());
            }
        }
        if out.len() == before {
            // A cycle cannot pass validation; keep the rest in file order.
            out.extend(names.iter().filter(|n| !out.contains(n)).cloned().collect::<Vec<_>>());
        }
    }
    out
}

fn promotion_diagram(f: &Facts) -> String {
    let mut d = Flowchart::new("LR");
    for env in env_order(&f.spec) {
        d.node(&mermaid::id("env", &env), &env, "stadium");
    }
    for (name, e) in f.spec.environments.iter() {
        let gates: Vec<String> = f
            .gates_of(name)
            .iter()
            .map(|r| format!("{} ({})", r.gate, Facts::status(r)))
            .collect();
        let mut text = gates.join(", ");
        if let Some(a) = &e.approvals {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!("{} approval(s)", a.required));
        }
        if let Some(from) = &e.promote_from {
            let t = if text.is_empty() { "promote".to_string() } else { text };
            d.edge(&mermaid::id("env", &from.value), &mermaid::id("env", name), Some(&t));
        }
    }
    d.render()
}

fn pipeline_diagram(spec: &Spec) -> String {
    let mut d = Flowchart::new("TD");
    for (name, _) in spec.pipeline.iter() {
        d.node(&mermaid::id("job", name), name, "box");
    }
    for (name, j) in spec.pipeline.iter() {
        for n in &j.needs {
            d.edge(&mermaid::id("job", &n.value), &mermaid::id("job", name), None);
        }
    }
    d.render()
}

fn topology_diagram(f: &Facts) -> String {
    let mut d = Flowchart::new("LR");
    d.node("clients", "clients", "stadium");
    for env in env_order(&f.spec) {
        let services: Vec<&str> = f
            .spec
            .services
            .iter()
            .filter(|(_, s)| s.environments.is_empty() || s.environments.iter().any(|e| e.value == env))
            .map(|(n, _)| n)
            .collect();
        if services.is_empty() {
            continue;
        }
        d.subgraph(&mermaid::id("sg", &env), &env);
        for s in &services {
            let key = format!("{s}.{env}");
            d.node(&mermaid::id("proxy", &key), &format!("{s} proxy (lockgate)"), "hex");
            d.node(&mermaid::id("ver", &key), &format!("{s} {}", f.stable(s, &env)), "box");
        }
        d.end();
        for s in &services {
            let key = format!("{s}.{env}");
            d.edge("clients", &mermaid::id("proxy", &key), None);
            d.edge(&mermaid::id("proxy", &key), &mermaid::id("ver", &key), Some("stable"));
            if let Some(r) = f
                .delivery
                .units
                .get(&(s.to_string(), env.clone()))
                .and_then(|u| u.active())
            {
                let cid = mermaid::id("canary", &key);
                d.node(&cid, &format!("{s} {} ({})", r.to, r.strategy), "box");
                d.dotted(&mermaid::id("proxy", &key), &cid, &format!("{}%", r.weight));
            }
        }
    }
    d.render()
}

fn gates_diagram(f: &Facts) -> String {
    let mut d = Flowchart::new("LR");
    for (name, gate) in f.spec.gates.iter() {
        let st = f
            .gates
            .iter()
            .find(|r| r.gate == name)
            .map(Facts::status)
            .unwrap_or("unknown");
        let env = gate
            .0
            .environment
            .as_ref()
            .map(|e| format!(" → {}", e.value))
            .unwrap_or_default();
        d.node(
            &mermaid::id("gate", name),
            &format!("{name}: {} item(s), {st}{env}", gate.0.items.len()),
            "box",
        );
    }
    for (name, gate) in f.spec.gates.iter() {
        for a in &gate.0.after {
            d.edge(&mermaid::id("gate", &a.value), &mermaid::id("gate", name), None);
        }
    }
    d.render()
}

const HEADER: &str = "<!-- Generated by `lockgate docs` from lockgate.yaml and the audit ledger. Do not edit: run `lockgate docs` again. -->\n\n";

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `infrastructure.md`.
pub fn infrastructure(f: &Facts) -> String {
    let s = &f.spec;
    let mut o = String::from(HEADER);
    let _ = writeln!(o, "# {} — infrastructure\n", s.project.value);
    if let Some(d) = &s.description {
        let _ = writeln!(o, "{d}\n");
    }
    let _ = writeln!(o, "## Infrastructure Architecture\n");
    let _ = writeln!(
        o,
        "{} service(s) in {} environment(s). Each service runs as supervised instances behind lockgate's weighted proxy, which splits traffic between the stable and a new version during a rollout and measures each version.\n",
        s.services.names().count(),
        s.environments.names().count()
    );
    o.push_str(&topology_diagram(f));
    let _ = writeln!(
        o,
        "\n| service | command | health | instances | strategy |\n|---|---|---|---|---|"
    );
    for (name, svc) in s.services.iter() {
        let health = svc
            .health
            .as_ref()
            .map(|h| format!("`{}`", h.0.path))
            .unwrap_or_else(|| "process alive".into());
        let _ = writeln!(
            o,
            "| {name} | `{}` | {health} | {} | {} |",
            md_cell(&svc.run.value.0),
            svc.instances,
            md_cell(&strategy_text(&svc.strategy))
        );
    }
    let _ = writeln!(o, "\n## Environment Configuration\n");
    let _ = writeln!(
        o,
        "| environment | target | promoted from | approvals | freeze windows | deployed |\n|---|---|---|---|---|---|"
    );
    for env in env_order(s) {
        let Some(e) = s.environments.get(&env) else { continue };
        let approvals = e
            .approvals
            .as_ref()
            .map(|a| {
                let roles: Vec<String> = a.roles.iter().map(|r| r.value.to_string()).collect();
                format!(
                    "{}{}{}",
                    a.required,
                    if roles.is_empty() {
                        String::new()
                    } else {
                        format!(" from {}", roles.join("/"))
                    },
                    if a.not_author { ", not the author" } else { "" }
                )
            })
            .unwrap_or_else(|| "none".into());
        let deployed: Vec<String> = s
            .services
            .names()
            .map(|svc| format!("{svc} {}", f.stable(svc, &env)))
            .collect();
        let _ = writeln!(
            o,
            "| {env} | {} | {} | {} | {} | {} |",
            md_cell(&format!("{:?}", e.target).to_lowercase()),
            e.promote_from
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_else(|| "—".into()),
            md_cell(&approvals),
            if e.freeze.is_empty() {
                "none".into()
            } else {
                md_cell(
                    &e.freeze
                        .iter()
                        .map(|w| w.value.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            },
            md_cell(&deployed.join(", "))
        );
    }
    let _ = writeln!(o, "\n## Security Controls\n");
    let _ = writeln!(
        o,
        "- Every change, decision and deployment is an event in a hash-chained, signed audit ledger (`lockgate audit verify`)."
    );
    let people = s.people.len();
    let _ = writeln!(
        o,
        "- {people} named person(s) hold approval roles; segregation of duties and quorum are enforced by the gates."
    );
    let secrets: Vec<&str> = s.secrets.names().collect();
    let _ = writeln!(
        o,
        "- Secrets used by jobs: {} (masked in logs, never written to the ledger).",
        if secrets.is_empty() {
            "none".into()
        } else {
            secrets.join(", ")
        }
    );
    let _ = writeln!(
        o,
        "- Infrastructure-code scan of this repository: {}.",
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .map(|k| format!("{} {k}", f.findings.get(*k).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !f.notable.break_glass.is_empty() {
        let _ = writeln!(o, "- Break-glass overrides on record: {}.", f.notable.break_glass.len());
    }
    if !f.compliance.is_empty() {
        let _ = writeln!(o, "\n| framework | controls passing |\n|---|---|");
        for (id, (title, pct)) in &f.compliance {
            let _ = writeln!(o, "| {id} — {} | {pct:.0}% |", md_cell(title));
        }
    }
    let _ = writeln!(o, "\n## Monitoring Setup\n");
    let _ = writeln!(
        o,
        "- `lockgate serve` exposes `/metrics` (Prometheus), `/healthz` and `/readyz`; `lockgate monitoring export` writes alerting rules and a Grafana dashboard."
    );
    for (name, svc) in s.services.iter() {
        let conds = conditions(&svc.strategy);
        if !conds.is_empty() {
            let _ = writeln!(
                o,
                "- {name}: each canary step is judged by {}.",
                conds.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let _ = writeln!(o, "\n## Scaling Strategy\n");
    for (name, svc) in s.services.iter() {
        let _ = writeln!(
            o,
            "- {name}: {} instance(s) per version; new versions roll out by {}.",
            svc.instances,
            strategy_text(&svc.strategy)
        );
    }
    let _ = writeln!(o, "\n## Disaster Recovery\n");
    let _ = writeln!(
        o,
        "- The previous stable version of each service stays warm for an instant `lockgate rollback SERVICE --env ENV`; after that, a rollback redeploys it with the variables it ran with."
    );
    let _ = writeln!(
        o,
        "- A controller killed hard re-adopts its running instances and resumes or rolls back its rollouts on restart; state is rebuilt from the ledger."
    );
    let _ = writeln!(
        o,
        "- The ledger can be exported and verified anywhere: `lockgate audit export --out DIR`, `lockgate audit verify --bundle DIR --pubkey KEY`."
    );
    match &f.notable.last_dr {
        Some((seq, time, what)) => {
            let _ = writeln!(
                o,
                "- Last disaster-recovery drill: {time} — {} (ledger event {seq}).",
                md_cell(what)
            );
        }
        None => {
            let _ = writeln!(
                o,
                "- No disaster-recovery drill is on record: run one and record it with `lockgate audit note \"restore drill: …\" --subject dr`."
            );
        }
    }
    let incidents: Vec<&(u64, String, String, Value)> = f.notable.incidents.iter().rev().take(10).collect();
    if !incidents.is_empty() {
        let _ = writeln!(
            o,
            "\nRecent incidents:\n\n| event | time | what | service | environment |\n|---|---|---|---|---|"
        );
        for (seq, time, kind, p) in incidents {
            let _ = writeln!(
                o,
                "| {seq} | {time} | {kind} | {} | {} |",
                md_cell(p["service"].as_str().unwrap_or("")),
                md_cell(p["env"].as_str().unwrap_or(""))
            );
        }
    }
    o
}

/// `deployment.md`.
pub fn deployment(f: &Facts) -> String {
    let s = &f.spec;
    let mut o = String::from(HEADER);
    let _ = writeln!(o, "# {} — deployment\n", s.project.value);
    let _ = writeln!(o, "## Deployment Pipelines\n");
    let _ = writeln!(
        o,
        "`lockgate run` runs the pipeline as a graph, in parallel where it can, cached by the hash of each job's inputs; its reports become evidence for the gates.\n"
    );
    o.push_str(&pipeline_diagram(s));
    let _ = writeln!(o, "\n| job | needs | reports |\n|---|---|---|");
    for (name, j) in s.pipeline.iter() {
        let needs: Vec<String> = j.needs.iter().map(|n| n.value.clone()).collect();
        let reports = serde_json::to_value(&j.reports)
            .ok()
            .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>().join(", ")))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "| {name} | {} | {} |",
            if needs.is_empty() {
                "—".into()
            } else {
                needs.join(", ")
            },
            if reports.is_empty() { "—".into() } else { reports }
        );
    }
    if let Some(last) = f.runs.runs.values().next_back() {
        let _ = writeln!(
            o,
            "\nLatest run: {} ({}), commit {}.",
            last.run,
            last.status,
            last.commit.as_deref().map(|c| &c[..c.len().min(12)]).unwrap_or("—")
        );
    }
    let _ = writeln!(o, "\n## Environment Configuration\n");
    let _ = writeln!(
        o,
        "Changes move through the environments in this order; an arrow names the gates guarding the environment it points to.\n"
    );
    o.push_str(&promotion_diagram(f));
    let _ = writeln!(o, "\nThe gates and their order (phases):\n");
    o.push_str(&gates_diagram(f));
    let _ = writeln!(
        o,
        "\n| gate | guards | items | status | waiting on |\n|---|---|---|---|---|"
    );
    for r in &f.gates {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            r.gate,
            r.environment.as_deref().unwrap_or("—"),
            r.items.len(),
            Facts::status(r),
            md_cell(&r.question)
        );
    }
    let _ = writeln!(o, "\n## Operations Guide\n");
    let _ = writeln!(o, "| task | command |\n|---|---|");
    for (task, cmd) in [
        ("run the pipeline", "lockgate run"),
        ("see what a gate waits on", "lockgate gate status GATE"),
        (
            "approve (never your own change)",
            "lockgate approve GATE --comment \"…\"",
        ),
        ("promote a change", "lockgate promote ENV"),
        ("start the controller", "lockgate serve --detach"),
        ("deploy", "lockgate deploy SERVICE --env ENV --wait"),
        ("watch a rollout", "lockgate rollout status SERVICE --env ENV --watch"),
        ("stop a bad rollout", "lockgate abort SERVICE --env ENV"),
        ("roll back", "lockgate rollback SERVICE --env ENV"),
        (
            "record an incident",
            "lockgate incident open --service SERVICE --env ENV",
        ),
        ("delivery performance", "lockgate metrics"),
        ("verify the audit trail", "lockgate audit verify"),
        ("refresh these documents", "lockgate docs --out plan"),
    ] {
        let _ = writeln!(o, "| {task} | `{cmd}` |");
    }
    o
}

/// The documents, checked: every Mermaid block must pass [`mermaid::check`].
pub fn render(f: &Facts) -> Result<Vec<(&'static str, String)>> {
    let docs = vec![
        ("infrastructure.md", infrastructure(f)),
        ("deployment.md", deployment(f)),
    ];
    for (name, text) in &docs {
        for (i, b) in mermaid::blocks(text).iter().enumerate() {
            mermaid::check(b).map_err(|e| {
                anyhow::anyhow!("internal error: diagram {} of {name} is not valid Mermaid: {e}", i + 1)
            })?;
        }
    }
    Ok(docs)
}

// ---- handover ----------------------------------------------------------------

#[derive(Serialize)]
pub struct Handover {
    pub to: crate::cli::HandoverTo,
    pub task: String,
    pub project: String,
    pub infrastructure_state: Value,
    pub operational_context: Value,
    pub success_criteria: Vec<String>,
    pub dependencies: Value,
    pub risk_factors: Vec<String>,
}

pub fn handover(f: &Facts, to: crate::cli::HandoverTo, task: Option<&str>) -> Handover {
    use crate::cli::HandoverTo as T;
    let s = &f.spec;
    let units: Vec<Value> = s
        .services
        .names()
        .flat_map(|svc| {
            env_order(s).into_iter().map(move |env| (svc.to_string(), env))
        })
        .map(|(svc, env)| {
            let u = f.delivery.units.get(&(svc.clone(), env.clone()));
            json!({
                "service": svc, "environment": env,
                "stable": u.and_then(|u| u.stable.clone()),
                "rollout": u.and_then(|u| u.active()).map(|r| json!({ "to": r.to, "phase": r.phase, "weight": r.weight })),
                "last_outcome": u.and_then(|u| u.rollout.as_ref().filter(|r| r.ended.is_some()).or(u.history.last())).map(|r| json!({ "to": r.to, "phase": r.phase, "reason": r.reason })),
            })
        })
        .collect();
    let last_runs: Vec<Value> = f
        .runs
        .runs
        .values()
        .rev()
        .take(5)
        .map(|r| json!({ "run": r.run, "status": r.status, "trigger": r.trigger, "commit": r.commit.as_deref().map(|c| &c[..c.len().min(12)]) }))
        .collect();
    let gates: Vec<Value> = f
        .gates
        .iter()
        .map(|r| json!({ "gate": r.gate, "environment": r.environment, "status": Facts::status(r), "question": r.question }))
        .collect();
    let mut criteria =
        vec!["every gate guarding production is open with its evidence, without break-glass".to_string()];
    let mut risks: Vec<String> = f
        .gates
        .iter()
        .filter(|r| r.status != GateStatus::Open)
        .map(|r| format!("gate `{}` is {}: {}", r.gate, Facts::status(r), r.question))
        .collect();
    if f.runs.runs.values().next_back().is_some_and(|r| r.status == "failed") {
        risks.push("the latest pipeline run failed".into());
    }
    for ((svc, env), u) in &f.delivery.units {
        let last = u.rollout.as_ref().filter(|r| r.ended.is_some()).or(u.history.last());
        if let Some(r) = last
            && matches!(r.phase, crate::delivery::state::Phase::Aborted)
        {
            risks.push(format!("the last rollout of {svc} to {env} ({}) was aborted", r.to));
        }
    }
    if !f.notable.break_glass.is_empty() {
        risks.push(format!(
            "{} break-glass override(s) on record",
            f.notable.break_glass.len()
        ));
    }
    if f.notable.last_dr.is_none() {
        risks.push("no disaster-recovery drill on record".into());
    }
    let high = f.findings.get("critical").copied().unwrap_or(0) + f.findings.get("high").copied().unwrap_or(0);
    match to {
        T::Security => {
            criteria.push("no critical or high scanner findings (`lockgate scan --fail-on high` exits 0)".into());
            criteria.push("secrets only from the secrets store; none in the ledger or logs".into());
            if high > 0 {
                risks.push(format!("{high} critical/high infrastructure-code finding(s)"));
            }
        }
        T::Performance => {
            criteria
                .push("canary analysis thresholds hold at every step; no rollout aborted on latency or errors".into());
            for (name, svc) in s.services.iter() {
                for a in conditions(&svc.strategy) {
                    criteria.push(format!("{name}: {a}"));
                }
            }
        }
        T::Compliance => {
            criteria.push("the audit ledger verifies (`lockgate audit verify`) and is exported for the auditor".into());
            for (id, (_, pct)) in &f.compliance {
                criteria.push(format!("{id}: {pct:.0}% of controls passing today"));
                if *pct < 100.0 {
                    risks.push(format!("{id}: {:.0}% of controls not passing", 100.0 - pct));
                }
            }
        }
        T::Code => {
            criteria.push("the pipeline passes (`lockgate run`), with its test and coverage evidence".into());
        }
    }
    Handover {
        to,
        task: task.unwrap_or("continue the work on this project").to_string(),
        project: s.project.value.to_string(),
        infrastructure_state: json!({ "environments": env_order(s), "units": units }),
        operational_context: json!({ "recent_runs": last_runs, "gates": gates,
            "incidents": f.notable.incidents.iter().rev().take(5).map(|(seq, time, kind, p)| json!({ "event": seq, "time": time, "kind": kind, "service": p["service"], "env": p["env"] })).collect::<Vec<_>>(),
            "commands": ["lockgate gate status GATE", "lockgate deploy SERVICE --env ENV --wait", "lockgate rollback SERVICE --env ENV", "lockgate audit log"] }),
        success_criteria: criteria,
        dependencies: json!({
            "services": s.services.names().collect::<Vec<_>>(),
            "pipeline": s.pipeline.iter().map(|(n, j)| json!({ "job": n, "needs": j.needs.iter().map(|x| x.value.clone()).collect::<Vec<_>>() })).collect::<Vec<_>>(),
            "people": s.people.keys().collect::<Vec<_>>(),
        }),
        risk_factors: risks,
    }
}

pub fn handover_markdown(h: &Handover) -> String {
    let mut o = String::new();
    let to = serde_json::to_value(h.to)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(o, "# Handover to {to}: {}\n", h.project);
    let _ = writeln!(o, "**Task:** {}\n", h.task);
    let _ = writeln!(o, "## Infrastructure state\n");
    let _ = writeln!(
        o,
        "| service | environment | stable | rollout | last outcome |\n|---|---|---|---|---|"
    );
    for u in h.infrastructure_state["units"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            u["service"].as_str().unwrap_or(""),
            u["environment"].as_str().unwrap_or(""),
            u["stable"].as_str().unwrap_or("not deployed"),
            u["rollout"]["phase"]
                .as_str()
                .map(|p| format!("{p} at {}%", u["rollout"]["weight"]))
                .unwrap_or_else(|| "—".into()),
            u["last_outcome"]["phase"]
                .as_str()
                .map(|p| format!("{} {p}", u["last_outcome"]["to"].as_str().unwrap_or("")))
                .unwrap_or_else(|| "—".into()),
        );
    }
    let _ = writeln!(o, "\n## Operational context\n");
    for g in h.operational_context["gates"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "- gate `{}` ({}): {}",
            g["gate"].as_str().unwrap_or(""),
            g["status"].as_str().unwrap_or(""),
            g["question"].as_str().unwrap_or("")
        );
    }
    for r in h.operational_context["recent_runs"].as_array().into_iter().flatten() {
        let _ = writeln!(
            o,
            "- run {} {} by {}",
            r["run"],
            r["status"].as_str().unwrap_or(""),
            r["trigger"].as_str().unwrap_or("")
        );
    }
    let _ = writeln!(o, "\n## Success criteria\n");
    for c in &h.success_criteria {
        let _ = writeln!(o, "- {c}");
    }
    let _ = writeln!(o, "\n## Dependencies and integration\n");
    let _ = writeln!(
        o,
        "- services: {}",
        h.dependencies["services"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    );
    for j in h.dependencies["pipeline"].as_array().into_iter().flatten() {
        let needs = j["needs"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "- job `{}`{}",
            j["job"].as_str().unwrap_or(""),
            if needs.is_empty() {
                String::new()
            } else {
                format!(" after {needs}")
            }
        );
    }
    let _ = writeln!(o, "\n## Risk factors\n");
    if h.risk_factors.is_empty() {
        let _ = writeln!(o, "- none known");
    }
    for r in &h.risk_factors {
        let _ = writeln!(o, "- {r}");
    }
    o
}
