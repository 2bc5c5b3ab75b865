//! `lockgate gate …`, `approve`, `reject`, `attest`, `promote`.
//!
//! Every decision and every refused attempt is a ledger event.

use std::io::Write as _;

use anyhow::Result;
use serde_json::json;

use crate::cli::{GateCommand, GlobalArgs};
use crate::exit::{Exit, UserError};
use crate::gates::eval::{self, Context, GateReport, GateStatus, Head, ItemResult};
use crate::gates::state::{self, GateState};
use crate::ledger::projection::Projected;
use crate::ledger::{Actor, Ledger, NewEvent};
use crate::pipeline::history::RunHistory;
use crate::spec::{self, Loaded};

/// Everything a gate command reads, loaded once.
struct World {
    loaded: Loaded,
    history: RunHistory,
    state: GateState,
    head: Head,
    now: jiff::Timestamp,
    audit_verified: Option<bool>,
    delivery: crate::delivery::state::DeliveryState,
    live: Option<serde_json::Value>,
}

impl World {
    fn load(g: &GlobalArgs) -> Result<World> {
        let path = super::spec_path(g)?;
        let loaded = super::load_spec(g, &path)?;
        let cfg = super::ledger_config(g)?;
        let exists = crate::ledger::store::sqlite_path(&cfg.store, &cfg.base).is_none_or(|p| p.exists());
        let mut history: Projected<RunHistory> = Projected::default();
        let mut gstate: Projected<GateState> = Projected::default();
        let mut delivery: Projected<crate::delivery::state::DeliveryState> = Projected::default();
        let mut audit_verified = None;
        if exists {
            let ledger = Ledger::open_read(cfg.clone())?;
            history.catch_up(&ledger)?;
            gstate.catch_up(&ledger)?;
            delivery.catch_up(&ledger)?;
            let uses_audit = loaded.spec.gates.iter().any(|(_, gate)| {
                gate.items.iter().any(|i| {
                    i.value
                        .check
                        .as_ref()
                        .is_some_and(|c| c.value.contains("audit.verified"))
                })
            });
            if uses_audit && let Ok(key) = crate::ledger::read_verifier(&cfg.trusted) {
                audit_verified = Some(ledger.verify(&key).map(|r| r.ok()).unwrap_or(false));
            }
        }
        let root = loaded.root().to_owned();
        // Live measurements, only when a check asks for them and a controller runs.
        let uses_metrics = loaded.spec.gates.iter().any(|(_, gate)| {
            gate.items.iter().any(|i| {
                i.value
                    .check
                    .iter()
                    .chain(i.value.warning.iter())
                    .any(|c| c.value.contains("metric("))
            })
        });
        let live = if uses_metrics {
            crate::delivery::client::Client::try_connect(&root.join(".lockgate"))
                .and_then(|c| c.get("/api/v1/rollouts").ok())
        } else {
            None
        };
        let (commit, _branch) = crate::git::head(&root).unwrap_or((None, None));
        let author = commit.as_ref().and_then(|c| {
            let out = std::process::Command::new("git")
                .args(["log", "-1", "--format=%ae", c])
                .current_dir(&root)
                .output()
                .ok()?;
            let email = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (!email.is_empty()).then(|| format!("user:{email}"))
        });
        let dirty = commit.is_some() && crate::git::dirty(&root);
        Ok(World {
            loaded,
            history: history.state,
            state: gstate.state,
            head: Head { commit, dirty, author },
            now: crate::ledger::now(),
            audit_verified,
            delivery: delivery.state,
            live,
        })
    }

    fn cx(&self) -> Context<'_> {
        Context {
            spec: &self.loaded.spec,
            history: &self.history,
            state: &self.state,
            head: self.head.clone(),
            now: self.now,
            audit_verified: self.audit_verified,
            delivery: &self.delivery,
            live: self.live.as_ref(),
        }
    }

    fn gate_exists(&self, name: &str) -> Result<()> {
        if self.loaded.spec.gates.contains(name) {
            return Ok(());
        }
        let names: Vec<&str> = self.loaded.spec.gates.names().collect();
        let hint = match spec::did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => "lockgate.yaml defines no gates".to_string(),
            None => format!("gates: {}", names.join(", ")),
        };
        Err(UserError::usage(format!("unknown gate `{name}`"))
            .with_hint(hint)
            .into())
    }
}

fn mark(r: ItemResult) -> &'static str {
    match r {
        ItemResult::Pass => "✓",
        ItemResult::Warning => "!",
        ItemResult::Fail => "✗",
        ItemResult::Waiting => "⧗",
    }
}

fn status_word(s: GateStatus) -> &'static str {
    match s {
        GateStatus::Open => "OPEN",
        GateStatus::Failed => "FAILED",
        GateStatus::Waiting => "WAITING",
        GateStatus::Blocked => "BLOCKED",
    }
}

fn render(r: &GateReport) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let env = r
        .environment
        .as_deref()
        .map(|e| format!(" (guards {e})"))
        .unwrap_or_default();
    let _ = writeln!(o, "Gate {} — {}{env}", r.gate, r.title);
    match (r.run, &r.commit) {
        (Some(run), Some(c)) => {
            let _ = writeln!(
                o,
                "  change: run {run} on commit {}{}",
                &c[..c.len().min(12)],
                r.artifact
                    .as_deref()
                    .map(|a| format!(", artifact {}", &a[..a.len().min(19)]))
                    .unwrap_or_default()
            );
        }
        (Some(run), None) => {
            let _ = writeln!(
                o,
                "  change: run {run}{}",
                r.artifact
                    .as_deref()
                    .map(|a| format!(", artifact {}", &a[..a.len().min(19)]))
                    .unwrap_or_default()
            );
        }
        (None, _) => {
            let _ = writeln!(o, "  change: no pipeline run yet");
        }
    }
    for i in &r.items {
        let detail = match i.kind {
            "check" => format!("{}  [{}]", i.observed.join(", "), i.expects),
            _ if i.result == ItemResult::Pass => i.observed.join(", "),
            _ => format!("waiting for {} to attest", i.expects),
        };
        let key = if i.key { " (key)" } else { "" };
        let _ = writeln!(
            o,
            "  {} {:<20} {}{key}: {}",
            mark(i.result),
            i.id,
            i.title,
            crate::diag::sanitize(&detail)
        );
    }
    if let Some(a) = &r.approvals {
        let roles = if a.roles.is_empty() {
            String::new()
        } else {
            format!(" from {}", a.roles.join(" or "))
        };
        let who = if a.valid.is_empty() {
            "none yet".to_string()
        } else {
            a.valid.join(", ")
        };
        let m = if a.valid.len() >= a.required as usize && a.problems.is_empty() {
            "✓"
        } else {
            "⧗"
        };
        let _ = writeln!(
            o,
            "  {m} approvals: {} of {}{roles}: {who}",
            a.valid.len().min(a.required as usize),
            a.required
        );
        for x in &a.expired {
            let _ = writeln!(o, "      expired: {x}");
        }
        for x in &a.problems {
            let _ = writeln!(o, "      {x}");
        }
        for x in &a.rejected_by {
            let _ = writeln!(o, "  ✗ rejected by {}", crate::diag::sanitize(x));
        }
        if let Some(bg) = &a.break_glass {
            let _ = writeln!(o, "  ! BREAK-GLASS override by {}", crate::diag::sanitize(bg));
        }
    }
    if let Some(until) = r.frozen_until {
        let _ = writeln!(o, "  ⧗ frozen until {until}");
    }
    for g in &r.waiting_on_gates {
        let _ = writeln!(o, "  ⧗ waiting on earlier gate `{g}`");
    }
    if let Some(score) = r.score {
        let _ = writeln!(o, "  score: {score}%");
    }
    let _ = writeln!(o, "Status: {}", status_word(r.status));
    let _ = writeln!(o, "{}", r.question);
    for s in &r.suggestions {
        let _ = writeln!(o, "  {:<60}  # {}", s.command, s.text);
    }
    o
}

pub fn run(g: &GlobalArgs, cmd: GateCommand) -> Result<Exit> {
    match cmd {
        GateCommand::List { json } => {
            let w = World::load(g)?;
            let cx = w.cx();
            let reports: Vec<GateReport> = w
                .loaded
                .spec
                .gates
                .names()
                .filter_map(|n| eval::evaluate(&cx, n))
                .collect();
            if json {
                super::print_json(&reports)?;
            } else {
                let mut out = std::io::stdout().lock();
                if reports.is_empty() {
                    writeln!(out, "lockgate.yaml defines no gates")?;
                }
                for r in &reports {
                    let done = r.items.iter().filter(|i| i.result == ItemResult::Pass).count();
                    writeln!(
                        out,
                        "{:<8} {:<28} {:<14} {done}/{} items  {}",
                        status_word(r.status),
                        r.gate,
                        r.environment.as_deref().unwrap_or("-"),
                        r.items.len(),
                        r.question
                    )?;
                }
            }
            Ok(Exit::Ok)
        }
        GateCommand::Status { gate, json } => {
            let w = World::load(g)?;
            w.gate_exists(&gate)?;
            let r = eval::evaluate(&w.cx(), &gate).ok_or_else(|| UserError::usage(format!("unknown gate `{gate}`")))?;
            if json {
                super::print_json(&r)?;
            } else {
                anstream::stdout().lock().write_all(render(&r).as_bytes())?;
            }
            Ok(r.status.exit())
        }
        GateCommand::Evaluate { gate, json } => {
            let w = World::load(g)?;
            w.gate_exists(&gate)?;
            let r = eval::evaluate(&w.cx(), &gate).ok_or_else(|| UserError::usage(format!("unknown gate `{gate}`")))?;
            let mut ledger = super::open_ledger(g)?;
            let ev = ledger.append(evaluated_event(&r))?;
            if json {
                super::print_json(&r)?;
            } else {
                anstream::stdout().lock().write_all(render(&r).as_bytes())?;
                writeln!(std::io::stdout(), "recorded as event {}", ev.seq())?;
            }
            Ok(r.status.exit())
        }
    }
}

fn evaluated_event(r: &GateReport) -> NewEvent {
    NewEvent::json(
        Actor::local(),
        state::EVALUATED,
        format!("gate/{}", r.gate),
        json!({
            "gate": r.gate,
            "status": r.status,
            "score": r.score,
            "run": r.run,
            "commit": r.commit,
            "artifact": r.artifact,
            "items": r.items.iter().map(|i| json!({
                "id": i.id, "kind": i.kind, "result": i.result, "expects": i.expects,
                "observed": i.observed, "evidence": i.evidence, "key": i.key, "weight": i.weight,
            })).collect::<Vec<_>>(),
            "approvals": r.approvals,
            "frozen_until": r.frozen_until,
            "waiting_on_gates": r.waiting_on_gates,
        }),
    )
}

/// Records a refused attempt and returns the error to exit with.
fn refuse(
    g: &GlobalArgs,
    actor: &Actor,
    exit: Exit,
    action: &str,
    gate: &str,
    reason: String,
    hint: String,
) -> anyhow::Error {
    let event = NewEvent::json(
        actor.clone(),
        state::REFUSED,
        format!("gate/{gate}"),
        json!({ "action": action, "gate": gate, "reason": reason }),
    );
    match super::open_ledger(g).and_then(|mut l| Ok(l.append(event)?)) {
        Ok(ev) => UserError::new(exit, format!("{reason} (refusal recorded as event {})", ev.seq()))
            .with_hint(hint)
            .into(),
        Err(e) => e.context(format!("{reason}; recording the refusal failed too")),
    }
}

/// Agents never approve or attest a gate guarding production: a person
/// does. Refused (and recorded) here, in the engine, so no surface can
/// get around it.
fn agents_keep_off_production(
    g: &GlobalArgs,
    actor: &Actor,
    spec: &spec::Spec,
    gdef: &spec::Gate,
    gate: &str,
    action: &str,
) -> Result<()> {
    if actor.kind == crate::ledger::ActorKind::Agent
        && let Some(env) = gdef.environment.as_ref().map(|e| e.value.to_string())
        && crate::mcp::is_production(spec, &env)
    {
        let what = if action == "approve" {
            "approve a gate guarding"
        } else {
            "attest items of a gate guarding"
        };
        return Err(refuse(
            g,
            actor,
            Exit::Blocked,
            action,
            gate,
            format!("{actor} is an AI agent: agents never {what} production ({env})"),
            format!("ask a person to {action} it: `lockgate {action}` or the web UI"),
        ));
    }
    Ok(())
}

/// What a decision recorded: its event, a sentence for people, and the
/// gate as it stands afterwards.
#[derive(Debug, serde::Serialize)]
pub struct Decided {
    pub event: u64,
    pub message: String,
    pub gate: Option<GateReport>,
}

impl Decided {
    fn print(&self) -> Result<Exit> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", self.message)?;
        if let Some(r) = &self.gate {
            writeln!(
                out,
                "gate `{}` is now {}: {}",
                r.gate,
                status_word(r.status),
                r.question
            )?;
        }
        Ok(Exit::Ok)
    }
}

/// The gates' reports as they stand (`lockgate gate list`).
pub fn reports(g: &GlobalArgs) -> Result<Vec<GateReport>> {
    let w = World::load(g)?;
    let cx = w.cx();
    Ok(w.loaded
        .spec
        .gates
        .names()
        .filter_map(|n| eval::evaluate(&cx, n))
        .collect())
}

/// One gate's report (`lockgate gate status`).
pub fn report(g: &GlobalArgs, gate: &str) -> Result<GateReport> {
    let w = World::load(g)?;
    w.gate_exists(gate)?;
    eval::evaluate(&w.cx(), gate).ok_or_else(|| UserError::usage(format!("unknown gate `{gate}`")).into())
}

/// Evaluates a gate and records the evaluation (`lockgate gate evaluate`).
pub fn evaluate_as(g: &GlobalArgs, actor: &Actor, gate: &str) -> Result<(GateReport, u64)> {
    let r = report(g, gate)?;
    let mut ledger = super::open_ledger(g)?;
    let mut ev = evaluated_event(&r);
    ev.actor = actor.clone();
    let ev = ledger.append(ev)?;
    Ok((r, ev.seq()))
}

pub fn approve(
    g: &GlobalArgs,
    gate: &str,
    comment: Option<String>,
    artifact: Option<String>,
    break_glass: bool,
    reason: Option<String>,
) -> Result<Exit> {
    approve_as(g, &Actor::local(), gate, comment, artifact, break_glass, reason)?.print()
}

/// Approves (or overrides, break-glass) the change under review at `gate`
/// as `actor`; every refusal is recorded.
pub fn approve_as(
    g: &GlobalArgs,
    actor: &Actor,
    gate: &str,
    comment: Option<String>,
    artifact: Option<String>,
    break_glass: bool,
    reason: Option<String>,
) -> Result<Decided> {
    let w = World::load(g)?;
    w.gate_exists(gate)?;
    let spec = &w.loaded.spec;
    let gdef = &spec
        .gates
        .get(gate)
        .map(|x| &x.0)
        .ok_or_else(|| UserError::usage("unknown gate"))?;
    let who = actor.to_string();
    agents_keep_off_production(g, actor, spec, gdef, gate, "approve")?;
    let (roles, team) = eval::roles_of(spec, &who);
    let run = eval::run_under_review(&w.history, &w.head);
    let Some(run) = run else {
        return Err(refuse(
            g,
            actor,
            Exit::Blocked,
            "approve",
            gate,
            "there is nothing to approve: no pipeline run for the change under review".into(),
            "run the pipeline first: `lockgate run`".into(),
        ));
    };
    if let Some(a) = &artifact
        && run.artifact.as_deref() != Some(a.as_str())
    {
        return Err(refuse(
            g,
            actor,
            Exit::Conflict,
            "approve",
            gate,
            format!(
                "artifact {a} was superseded: the change under review is now {}",
                run.artifact.as_deref().unwrap_or("-")
            ),
            format!("review the new artifact (`lockgate gate status {gate}`) and approve it"),
        ));
    }
    let rules = eval::approval_rules(spec, gdef);
    if break_glass {
        let reason = reason.unwrap_or_default();
        if reason.trim().is_empty() {
            return Err(UserError::usage("a break-glass override needs a reason")
                .with_hint("--reason \"SEV1: checkout down\"")
                .into());
        }
        let allowed: Vec<String> = rules
            .map(|r| r.break_glass.iter().map(|x| x.value.to_string()).collect())
            .unwrap_or_default();
        if !roles.iter().any(|r| allowed.iter().any(|a| a == r)) {
            return Err(refuse(
                g,
                actor,
                Exit::Blocked,
                "break-glass",
                gate,
                format!(
                    "{who} may not override gate `{gate}`: break-glass is allowed for {}",
                    if allowed.is_empty() {
                        "no role".into()
                    } else {
                        allowed.join(", ")
                    }
                ),
                "roles come from `people:` in lockgate.yaml".into(),
            ));
        }
        return record_approval(
            g,
            gate,
            run,
            actor,
            roles.first().copied(),
            team,
            comment,
            Some(reason),
            true,
        );
    }
    let Some(rules) = rules else {
        return Err(UserError::usage(format!("gate `{gate}` takes no approvals"))
            .with_hint("add `approvals:` to the gate or to its environment")
            .into());
    };
    if rules.not_author {
        if w.head.author.as_deref() == Some(who.as_str()) {
            return Err(refuse(
                g,
                actor,
                Exit::Blocked,
                "approve",
                gate,
                format!("segregation of duties: {who} authored this change and may not approve it"),
                "ask another approver to review it".into(),
            ));
        }
        if run.trigger == who {
            return Err(refuse(
                g,
                actor,
                Exit::Blocked,
                "approve",
                gate,
                format!(
                    "segregation of duties: {who} ran the pipeline for this change (run {}) and may not approve it",
                    run.run
                ),
                "ask another approver to review it".into(),
            ));
        }
    }
    let role = if rules.roles.is_empty() {
        None
    } else {
        match rules.roles.iter().find(|r| roles.contains(&r.value.as_str())) {
            Some(r) => Some(r.value.as_str()),
            None => {
                let wanted: Vec<&str> = rules.roles.iter().map(|r| r.value.as_str()).collect();
                return Err(refuse(
                    g,
                    actor,
                    Exit::Blocked,
                    "approve",
                    gate,
                    format!(
                        "{who} does not hold a role allowed to approve `{gate}` ({})",
                        wanted.join(", ")
                    ),
                    "roles come from `people:` in lockgate.yaml".into(),
                ));
            }
        }
    };
    let already = w
        .state
        .approvals
        .get(gate)
        .into_iter()
        .flatten()
        .any(|d| !d.break_glass && d.actor == who && d.artifact == run.artifact && d.commit == run.commit);
    if already {
        return Err(refuse(
            g,
            actor,
            Exit::Conflict,
            "approve",
            gate,
            format!("{who} already approved this artifact at `{gate}`; one person counts once"),
            format!("`lockgate gate status {gate}` shows who else can approve"),
        ));
    }
    record_approval(g, gate, run, actor, role, team, comment, None, false)
}

#[allow(clippy::too_many_arguments)]
fn record_approval(
    g: &GlobalArgs,
    gate: &str,
    run: &crate::pipeline::history::RunInfo,
    actor: &Actor,
    role: Option<&str>,
    team: Option<&str>,
    comment: Option<String>,
    reason: Option<String>,
    break_glass: bool,
) -> Result<Decided> {
    let mut ledger = super::open_ledger(g)?;
    let ev = ledger.append(NewEvent::json(
        actor.clone(),
        state::APPROVED,
        format!("gate/{gate}"),
        json!({
            "gate": gate, "run": run.run, "commit": run.commit, "artifact": run.artifact,
            "role": role, "team": team, "comment": comment, "break_glass": break_glass, "reason": reason,
        }),
    ))?;
    drop(ledger);
    let w = World::load(g)?;
    let message = if break_glass {
        format!(
            "BREAK-GLASS override of `{gate}` by {actor} recorded as event {}; it is flagged in every report",
            ev.seq()
        )
    } else {
        format!("approval of `{gate}` by {actor} recorded as event {}", ev.seq())
    };
    Ok(Decided {
        event: ev.seq(),
        message,
        gate: eval::evaluate(&w.cx(), gate),
    })
}

pub fn reject(g: &GlobalArgs, gate: &str, comment: &str) -> Result<Exit> {
    reject_as(g, &Actor::local(), gate, comment)?.print()
}

/// Rejects the change under review at `gate` as `actor`.
pub fn reject_as(g: &GlobalArgs, actor: &Actor, gate: &str, comment: &str) -> Result<Decided> {
    if comment.trim().is_empty() {
        return Err(UserError::usage("a rejection needs a comment")
            .with_hint("say what must change: --comment \"…\"")
            .into());
    }
    let w = World::load(g)?;
    w.gate_exists(gate)?;
    let spec = &w.loaded.spec;
    let gdef = &spec
        .gates
        .get(gate)
        .map(|x| &x.0)
        .ok_or_else(|| UserError::usage("unknown gate"))?;
    let who = actor.to_string();
    let (roles, team) = eval::roles_of(spec, &who);
    let Some(run) = eval::run_under_review(&w.history, &w.head) else {
        return Err(refuse(
            g,
            actor,
            Exit::Blocked,
            "reject",
            gate,
            "there is nothing to reject: no pipeline run for the change under review".into(),
            "run the pipeline first".into(),
        ));
    };
    if let Some(rules) = eval::approval_rules(spec, gdef)
        && !rules.roles.is_empty()
        && !rules.roles.iter().any(|r| roles.contains(&r.value.as_str()))
    {
        return Err(refuse(
            g,
            actor,
            Exit::Blocked,
            "reject",
            gate,
            format!("{who} does not hold a role allowed to decide on `{gate}`"),
            "roles come from `people:` in lockgate.yaml".into(),
        ));
    }
    let mut ledger = super::open_ledger(g)?;
    let ev = ledger.append(NewEvent::json(actor.clone(), state::REJECTED, format!("gate/{gate}"), json!({ "gate": gate, "run": run.run, "commit": run.commit, "artifact": run.artifact, "comment": comment, "team": team })))?;
    drop(ledger);
    let w = World::load(g)?;
    Ok(Decided {
        event: ev.seq(),
        message: format!(
            "rejection of `{gate}` by {who} recorded as event {}; the gate fails until the change is replaced",
            ev.seq()
        ),
        gate: eval::evaluate(&w.cx(), gate),
    })
}

pub fn attest(g: &GlobalArgs, gate: &str, item: &str, link: Option<String>, comment: Option<String>) -> Result<Exit> {
    attest_as(g, &Actor::local(), gate, item, link, comment)?.print()
}

/// Attests a manual item of `gate` as `actor`.
pub fn attest_as(
    g: &GlobalArgs,
    actor: &Actor,
    gate: &str,
    item: &str,
    link: Option<String>,
    comment: Option<String>,
) -> Result<Decided> {
    let w = World::load(g)?;
    w.gate_exists(gate)?;
    let spec = &w.loaded.spec;
    let gdef = &spec
        .gates
        .get(gate)
        .map(|x| &x.0)
        .ok_or_else(|| UserError::usage("unknown gate"))?;
    let items: Vec<(String, &spec::GateItem)> = gdef
        .items
        .iter()
        .map(|i| (spec::item_id(&i.value.0), &i.value.0))
        .collect();
    let Some((_, it)) = items.iter().find(|(id, _)| id == item) else {
        let ids: Vec<&str> = items
            .iter()
            .filter(|(_, i)| !i.attest.is_empty())
            .map(|(id, _)| id.as_str())
            .collect();
        return Err(UserError::usage(format!("gate `{gate}` has no item `{item}`"))
            .with_hint(format!("items to attest: {}", ids.join(", ")))
            .into());
    };
    if it.attest.is_empty() {
        return Err(
            UserError::usage(format!("`{item}` is an automatic check, not an attestation"))
                .with_hint("it is judged from evidence; run the pipeline")
                .into(),
        );
    }
    if it.link == spec::LinkRequirement::Required && link.as_deref().is_none_or(|l| l.trim().is_empty()) {
        return Err(
            UserError::usage(format!("`{item}` needs a link (a change ticket or a document)"))
                .with_hint("--link https://…")
                .into(),
        );
    }
    let who = actor.to_string();
    agents_keep_off_production(g, actor, spec, gdef, gate, "attest")?;
    let (roles, _) = eval::roles_of(spec, &who);
    let allowed: Vec<&str> = it.attest.iter().map(|r| r.value.as_str()).collect();
    let Some(role) = allowed.iter().find(|r| roles.contains(r)) else {
        return Err(refuse(
            g,
            actor,
            Exit::Blocked,
            "attest",
            gate,
            format!(
                "{who} does not hold a role that may attest `{item}` ({})",
                allowed.join(", ")
            ),
            "roles come from `people:` in lockgate.yaml".into(),
        ));
    };
    let mut ledger = super::open_ledger(g)?;
    let ev = ledger.append(NewEvent::json(
        actor.clone(),
        state::ATTESTED,
        format!("gate/{gate}"),
        json!({ "gate": gate, "item": item, "role": role, "link": link, "comment": comment, "commit": w.head.commit }),
    ))?;
    drop(ledger);
    let message = format!(
        "`{item}` of `{gate}` attested by {who} as {role}; recorded as event {}",
        ev.seq()
    );
    let w = World::load(g)?;
    Ok(Decided {
        event: ev.seq(),
        message,
        gate: eval::evaluate(&w.cx(), gate),
    })
}

fn environment<'s>(spec: &'s spec::Spec, env: &str) -> Result<&'s spec::Environment> {
    spec.environments.get(env).ok_or_else(|| {
        let names: Vec<&str> = spec.environments.names().collect();
        UserError::usage(format!("unknown environment `{env}`"))
            .with_hint(format!("environments: {}", names.join(", ")))
            .into()
    })
}

/// Before a deployment to `env`: the change under review must have passed
/// the gates guarding `env`. When it was not promoted there yet, this
/// promotes it (or refuses, recorded, with the gate's exit code). Returns
/// the commit under review, the default version to deploy.
pub fn ensure_deployable(g: &GlobalArgs, env: &str) -> Result<Option<String>> {
    ensure_deployable_as(g, &Actor::local(), env, &mut |r| print_blocking(r))
}

/// [`ensure_deployable`] for `actor`; `blocked` sees the gates that are not open.
pub fn ensure_deployable_as(
    g: &GlobalArgs,
    actor: &Actor,
    env: &str,
    blocked: &mut dyn FnMut(&[GateReport]),
) -> Result<Option<String>> {
    let w = World::load(g)?;
    let spec = &w.loaded.spec;
    let envdef = environment(spec, env)?;
    let guarded = envdef.promote_from.is_some()
        || envdef.approvals.is_some()
        || !envdef.freeze.is_empty()
        || spec
            .gates
            .iter()
            .any(|(_, gd)| gd.environment.as_ref().is_some_and(|e| e.value == env));
    let run = eval::run_under_review(&w.history, &w.head);
    let commit = run.and_then(|r| r.commit.clone()).or_else(|| w.head.commit.clone());
    let version = commit.map(|c| c.chars().take(12).collect::<String>());
    if !guarded {
        return Ok(version);
    }
    if let Some(run) = run
        && w.state
            .promotions
            .get(env)
            .into_iter()
            .flatten()
            .any(|p| p.artifact == run.artifact && p.commit == run.commit)
    {
        return Ok(version);
    }
    drop(w);
    promote_as(g, actor, env, false, blocked)?;
    Ok(version)
}

fn print_blocking(reports: &[GateReport]) {
    for r in reports {
        let _ = anstream::stderr().lock().write_all(render(r).as_bytes());
    }
}

pub fn promote(g: &GlobalArgs, env: &str, json_out: bool) -> Result<Exit> {
    let mut blocking = Vec::new();
    let result = promote_as(g, &Actor::local(), env, true, &mut |r| blocking = r.to_vec());
    match result {
        Ok(p) => {
            if json_out {
                super::print_json(
                    &json!({ "promoted": true, "environment": env, "event": p.event, "artifact": p.artifact, "break_glass": p.break_glass }),
                )?;
            } else {
                let flag = if p.break_glass { " (BREAK-GLASS)" } else { "" };
                writeln!(
                    std::io::stdout(),
                    "promoted run {} (artifact {}) to {env}{flag}; recorded as event {}",
                    p.run,
                    p.artifact.as_deref().unwrap_or("-"),
                    p.event
                )?;
            }
            Ok(Exit::Ok)
        }
        Err(e) => {
            if !blocking.is_empty() {
                if json_out {
                    super::print_json(&json!({ "promoted": false, "environment": env, "gates": blocking }))?;
                } else {
                    print_blocking(&blocking);
                }
            }
            Err(e)
        }
    }
}

/// A promotion recorded.
#[derive(Debug, serde::Serialize)]
pub struct Promoted {
    pub environment: String,
    pub event: u64,
    pub run: u64,
    pub artifact: Option<String>,
    pub break_glass: bool,
}

/// Promotes the change under review to `env` as `actor` when every gate
/// guarding `env` is open; `blocked` sees the gates that are not.
/// `may_wait` lets an `on_freeze: wait` environment sleep out its freeze.
pub fn promote_as(
    g: &GlobalArgs,
    actor: &Actor,
    env: &str,
    may_wait: bool,
    blocked: &mut dyn FnMut(&[GateReport]),
) -> Result<Promoted> {
    let mut w = World::load(g)?;
    let spec = &w.loaded.spec;
    let envdef = environment(spec, env)?;
    let on_freeze = envdef.on_freeze;
    let promote_from = envdef.promote_from.as_ref().map(|p| p.value.clone());
    let gates: Vec<String> = spec
        .gates
        .iter()
        .filter(|(_, gd)| gd.environment.as_ref().is_some_and(|e| e.value == env))
        .map(|(n, _)| n.to_string())
        .collect();
    loop {
        let cx = w.cx();
        let Some(run) = eval::run_under_review(&w.history, &w.head) else {
            return Err(refuse(
                g,
                actor,
                Exit::Blocked,
                "promote",
                env,
                format!("nothing to promote to {env}: no pipeline run for the change under review"),
                "run the pipeline first: `lockgate run`".into(),
            ));
        };
        if let Some(from) = &promote_from
            && !w
                .state
                .promotions
                .get(from)
                .into_iter()
                .flatten()
                .any(|p| p.artifact == run.artifact && p.commit == run.commit)
        {
            return Err(refuse(
                g,
                actor,
                Exit::Blocked,
                "promote",
                env,
                format!("this artifact has not reached `{from}` yet; {env} is promoted from {from}"),
                format!("promote it there first: `lockgate promote {from}`"),
            ));
        }
        let reports: Vec<GateReport> = gates.iter().filter_map(|n| eval::evaluate(&cx, n)).collect();
        let mut ledger = super::open_ledger(g)?;
        ledger.append_batch(
            reports
                .iter()
                .map(|r| {
                    let mut e = evaluated_event(r);
                    e.actor = actor.clone();
                    e
                })
                .collect(),
            true,
        )?;
        let worst = reports
            .iter()
            .map(|r| r.status)
            .max_by_key(|s| match s {
                GateStatus::Failed => 3,
                GateStatus::Blocked => 2,
                GateStatus::Waiting => 1,
                GateStatus::Open => 0,
            })
            .unwrap_or(GateStatus::Open);
        if worst == GateStatus::Blocked
            && may_wait
            && on_freeze == spec::FreezeAction::Wait
            && let Some(until) = reports.iter().filter_map(|r| r.frozen_until).max()
        {
            let wait = w.now.duration_until(until);
            writeln!(
                std::io::stderr(),
                "{env} is frozen until {until}; waiting (on_freeze: wait)"
            )?;
            std::thread::sleep(std::time::Duration::try_from(wait).unwrap_or_default());
            w.now = until.max(crate::ledger::now());
            continue;
        }
        if worst != GateStatus::Open {
            let blocking: Vec<GateReport> = reports
                .iter()
                .filter(|r| r.status != GateStatus::Open)
                .cloned()
                .collect();
            blocked(&blocking);
            let names: Vec<&str> = blocking.iter().map(|r| r.gate.as_str()).collect();
            return Err(refuse(
                g,
                actor,
                worst.exit(),
                "promote",
                env,
                format!("{env} is guarded by gate(s) that are not open: {}", names.join(", ")),
                blocking.first().map(|r| r.question.clone()).unwrap_or_default(),
            ));
        }
        let break_glass = reports
            .iter()
            .any(|r| r.approvals.as_ref().is_some_and(|a| a.break_glass.is_some()));
        let ev = ledger.append(NewEvent::json(
            actor.clone(),
            state::PROMOTED,
            format!("env/{env}"),
            json!({
                "environment": env, "run": run.run, "commit": run.commit, "artifact": run.artifact,
                "gates": gates, "break_glass": break_glass,
            }),
        ))?;
        return Ok(Promoted {
            environment: env.to_string(),
            event: ev.seq(),
            run: run.run,
            artifact: run.artifact.clone(),
            break_glass,
        });
    }
}
