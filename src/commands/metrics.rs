//! `lockgate metrics` and `lockgate incident`: thin adapters over
//! [`crate::insight::dora`] (definitions in `docs/metrics.md`).

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Result;
use jiff::SignedDuration;
use serde_json::json;

use crate::cli::{GlobalArgs, IncidentCommand, MetricsArgs};
use crate::exit::{Exit, UserError};
use crate::insight::dora::{self, Incidents, Metric, Report};
use crate::ledger::projection::Projection;
use crate::ledger::{Actor, Event, Ledger};
use crate::spec::{Duration, Spec};

pub fn run(g: &GlobalArgs, a: MetricsArgs) -> Result<Exit> {
    let (report, events) = compute(g, &a)?;
    if a.json {
        super::print_json(&report)?;
    } else {
        let mut text = render(&report);
        if report.deployment_frequency.deployments == 0
            && let Some(last) = last_deployment(&events, &report)
        {
            let _ = writeln!(
                text,
                "\nhint: no deployments to {} in this period; the last was at {last}: try a longer --since",
                report.env
            );
        }
        anstream::stdout().lock().write_all(text.as_bytes())?;
    }
    Ok(Exit::Ok)
}

/// The report `lockgate metrics` prints (also the MCP `dora_metrics` tool),
/// with the events it was computed from.
pub fn compute(g: &GlobalArgs, a: &MetricsArgs) -> Result<(dora::Report, Vec<Event>)> {
    let path = super::spec_path(g)?;
    let loaded = super::load_spec(g, &path)?;
    let spec = &loaded.spec;
    let env = environment(spec, a.env.as_deref())?;
    if let Some(s) = &a.service
        && !spec.services.contains(s)
    {
        return Err(UserError::usage(format!("unknown service `{s}`"))
            .with_hint(format!("services: {}", names(spec.services.names())))
            .into());
    }
    let period = parse_since(&a.since)?;
    let events = read_events(g)?;
    let gates: Vec<String> = spec
        .gates
        .iter()
        .filter(|(_, gd)| gd.environment.as_ref().is_some_and(|e| e.value == env))
        .map(|(n, _)| n.to_string())
        .collect();
    let envdef = spec.environments.get(&env);
    let guarded = !gates.is_empty()
        || envdef.is_some_and(|e| e.promote_from.is_some() || e.approvals.is_some() || !e.freeze.is_empty());
    let params = dora::Params {
        env,
        service: a.service.clone(),
        period,
        now: crate::ledger::now(),
        gates,
        guarded,
    };
    let root = loaded.root().to_owned();
    let report = dora::report(&events, &params, &|c| dora::git_committer_time(&root, c));
    Ok((report, events))
}

pub fn incident(g: &GlobalArgs, c: IncidentCommand) -> Result<Exit> {
    match c {
        IncidentCommand::Open {
            service,
            env,
            caused_by,
            title,
            json: json_out,
        } => {
            let path = super::spec_path(g)?;
            let loaded = super::load_spec(g, &path)?;
            let env = environment(&loaded.spec, Some(&env))?;
            if !loaded.spec.services.contains(&service) {
                return Err(UserError::usage(format!("unknown service `{service}`"))
                    .with_hint(format!("services: {}", names(loaded.spec.services.names())))
                    .into());
            }
            let mut ledger = super::open_ledger(g)?;
            let was_open = incidents(&ledger)?.open_for(&service, &env).map(|i| i.id);
            let ev = ledger.append(dora::incident_open_event(
                Actor::local(),
                &service,
                &env,
                caused_by.as_deref(),
                title.as_deref(),
                "cli",
            ))?;
            let id = was_open.unwrap_or(ev.seq());
            if json_out {
                super::print_json(&json!({ "incident": id, "updated": was_open.is_some(), "event": ev.seq() }))?;
            } else if was_open.is_some() {
                writeln!(
                    std::io::stdout(),
                    "incident {id} of {service} in {env} is already open: updated (event {}); it counts once",
                    ev.seq()
                )?;
            } else {
                writeln!(
                    std::io::stdout(),
                    "incident {id} opened for {service} in {env}; resolve it with `lockgate incident resolve {id}`"
                )?;
            }
            Ok(Exit::Ok)
        }
        IncidentCommand::Resolve {
            id,
            service,
            env,
            json: json_out,
        } => {
            let mut ledger = super::open_ledger(g)?;
            let state = incidents(&ledger)?;
            let found = match (&id, &service, &env) {
                (Some(id), _, _) => {
                    let n: u64 = id.trim_start_matches('#').parse().map_err(|_| {
                        UserError::usage(format!("`{id}` is not an incident id"))
                            .with_hint("ids are numbers: `lockgate incident list` shows them")
                    })?;
                    state.all.get(&n).cloned().ok_or_else(|| {
                        UserError::usage(format!("there is no incident {n}"))
                            .with_hint("`lockgate incident list` shows the incidents")
                    })?
                }
                (None, Some(s), Some(e)) => state.open_for(s, e).cloned().ok_or_else(|| {
                    UserError::usage(format!("{s} has no open incident in {e}"))
                        .with_hint("`lockgate incident list` shows the incidents")
                })?,
                _ => {
                    return Err(UserError::usage("which incident? give its id, or --service and --env")
                        .with_hint("e.g. `lockgate incident resolve 42` or `lockgate incident resolve --service web --env production`")
                        .into());
                }
            };
            if let Some(r) = found.resolved {
                return Err(
                    UserError::usage(format!("incident {} was already resolved at {r}", found.id))
                        .with_hint("open a new one with `lockgate incident open` if it is back")
                        .into(),
                );
            }
            let ev = ledger.append(dora::incident_resolve_event(
                Actor::local(),
                &found.service,
                &found.env,
                Some(found.id),
                "cli",
            ))?;
            let took = ev.body.time.duration_since(found.opened).as_secs().max(0);
            if json_out {
                super::print_json(
                    &json!({ "incident": found.id, "resolved": ev.body.time, "event": ev.seq(), "restore_s": took }),
                )?;
            } else {
                writeln!(
                    std::io::stdout(),
                    "incident {} of {} in {} resolved after {} (event {})",
                    found.id,
                    found.service,
                    found.env,
                    human(took as f64),
                    ev.seq()
                )?;
            }
            Ok(Exit::Ok)
        }
        IncidentCommand::List { json: json_out } => {
            let events = read_events(g)?;
            let mut state = Incidents::default();
            for e in &events {
                state.apply(e);
            }
            if json_out {
                let all: Vec<_> = state.all.values().collect();
                super::print_json(&all)?;
                return Ok(Exit::Ok);
            }
            let mut out = String::new();
            if state.all.is_empty() {
                out.push_str("no incidents recorded\n");
            } else {
                let _ = writeln!(
                    out,
                    "{:<6} {:<12} {:<12} {:<10} {:<21} {:<10} {:<10} title",
                    "id", "service", "env", "caused by", "opened", "status", "restore"
                );
                for i in state.all.values() {
                    let (status, took) = match i.resolved {
                        Some(r) => ("resolved", human(r.duration_since(i.opened).as_secs().max(0) as f64)),
                        None => ("open", "-".into()),
                    };
                    let _ = writeln!(
                        out,
                        "{:<6} {:<12} {:<12} {:<10} {:<21} {:<10} {:<10} {}",
                        i.id,
                        i.service,
                        i.env,
                        i.caused_by.as_deref().unwrap_or("-"),
                        i.opened.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                        status,
                        took,
                        i.title.as_deref().unwrap_or("")
                    );
                }
            }
            anstream::stdout().lock().write_all(out.as_bytes())?;
            Ok(Exit::Ok)
        }
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() { "(none)".into() } else { v.join(", ") }
}

/// `--env`, else `production`, else the last environment declared.
fn environment(spec: &Spec, env: Option<&str>) -> Result<String> {
    match env {
        Some(e) if spec.environments.contains(e) => Ok(e.to_string()),
        Some(e) => Err(UserError::usage(format!("unknown environment `{e}`"))
            .with_hint(format!("environments: {}", names(spec.environments.names())))
            .into()),
        None if spec.environments.contains("production") => Ok("production".into()),
        None => spec.environments.names().last().map(str::to_string).ok_or_else(|| {
            UserError::usage("lockgate.yaml declares no environments")
                .with_hint("add one under `environments:`")
                .into()
        }),
    }
}

fn parse_since(s: &str) -> Result<SignedDuration> {
    let d = Duration::parse(s).map_err(|e| {
        UserError::usage(format!("--since {s}: {e}"))
            .with_hint("give the period as an age, e.g. `--since 30d` or `--since 2w`")
    })?;
    let d = SignedDuration::try_from(d.as_std())
        .ok()
        .filter(|d| !d.is_zero() && d.as_secs() <= 100 * 366 * 86_400);
    d.ok_or_else(|| {
        UserError::usage(format!(
            "--since {s}: the period must be longer than 0 and at most 100 years"
        ))
        .with_hint("e.g. `--since 30d`")
        .into()
    })
}

/// Every event of the ledger, in ledger order (none when there is no ledger yet).
fn read_events(g: &GlobalArgs) -> Result<Vec<Event>> {
    let cfg = super::ledger_config(g)?;
    if let Some(path) = crate::ledger::store::sqlite_path(&cfg.store, &cfg.base)
        && !path.exists()
    {
        return Ok(Vec::new());
    }
    let ledger = Ledger::open_read(cfg)?;
    let mut events = Vec::new();
    ledger.scan(1, &mut |e| {
        events.push(e);
        Ok(true)
    })?;
    Ok(events)
}

fn incidents(ledger: &Ledger) -> Result<Incidents> {
    let mut p = crate::ledger::projection::Projected::new(Incidents::default());
    p.catch_up(ledger)?;
    Ok(p.state)
}

fn last_deployment(events: &[Event], r: &Report) -> Option<jiff::Timestamp> {
    events
        .iter()
        .rev()
        .find(|e| {
            let p = &e.body.payload;
            e.body.kind == "rollout.completed"
                && p["env"].as_str() == Some(r.env.as_str())
                && r.service.as_deref().is_none_or(|s| p["service"].as_str() == Some(s))
        })
        .map(|e| e.body.time)
}

/// `90s`, `12m`, `3.5h`, `2.1d`.
fn human(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0}s")
    } else if s < 7_200.0 {
        format!("{:.0}m", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1}h", s / 3_600.0)
    } else {
        format!("{:.1}d", s / 86_400.0)
    }
}

fn show(m: &Metric) -> String {
    let v = |x: f64| match m.unit {
        "seconds" => human(x),
        "ratio" => format!("{:.1}%", x * 100.0),
        _ => format!("{x:.2}"),
    };
    match m.value {
        Some(x) => v(x),
        None => "-".into(),
    }
}

fn trend(m: &Metric) -> String {
    let prev = match (m.previous, m.unit) {
        (None, _) => "-".to_string(),
        (Some(p), "seconds") => human(p),
        (Some(p), "ratio") => format!("{:.1}%", p * 100.0),
        (Some(p), _) => format!("{p:.2}"),
    };
    let Some(t) = &m.trend else {
        return format!("prev {prev}");
    };
    let arrow = match t.direction {
        dora::Direction::Up => "↑",
        dora::Direction::Down => "↓",
        dora::Direction::Flat => "→",
    };
    let pct = t.change_pct.map(|p| format!(" {p:+.0}%")).unwrap_or_default();
    let judged = match t.better {
        Some(true) => " better",
        Some(false) => " worse",
        None => "",
    };
    format!("prev {prev} {arrow}{pct}{judged}")
}

fn row(out: &mut String, name: &str, m: &Metric, extra: &str) {
    let band = m.band.map(|b| b.to_string()).unwrap_or_default();
    let value = show(m);
    let note = if m.value.is_none() {
        m.reason.clone().unwrap_or_default()
    } else {
        extra.to_string()
    };
    let _ = writeln!(out, "  {name:<26} {value:>9}  {band:<7} {:<28} {note}", trend(m));
}

/// The human report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let scope = match &r.service {
        Some(s) => format!("{s} in {}", r.env),
        None => r.env.clone(),
    };
    let _ = writeln!(
        out,
        "DORA metrics for {scope}: {} → {} ({:.0} days, UTC; bands: {})",
        r.period.start.strftime("%Y-%m-%d %H:%M"),
        r.period.end.strftime("%Y-%m-%d %H:%M"),
        r.period.days,
        r.bands
    );
    let _ = writeln!(
        out,
        "\nFour keys{:>22}  band    trend against the previous period",
        "value"
    );
    let f = &r.deployment_frequency;
    row(
        &mut out,
        "deployment frequency",
        &f.per_week,
        &format!(
            "{} deployments on {} days (before: {} on {})",
            f.deployments, f.deployment_days, f.previous_deployments, f.previous_deployment_days
        ),
    );
    let l = &r.lead_time;
    row(
        &mut out,
        "lead time (median)",
        &l.median,
        &format!("{} deployments measured", l.measured),
    );
    row(&mut out, "lead time (p90)", &l.p90, "");
    row(&mut out, "  pipeline (median)", &l.pipeline, "");
    row(&mut out, "  approval wait (median)", &l.approval_wait, "");
    row(&mut out, "  rollout (median)", &l.rollout, "");
    let c = &r.change_failure_rate;
    row(
        &mut out,
        "change failure rate",
        &c.rate,
        &format!(
            "{} of {} changes: {} aborted, {} rolled back, {} with an incident",
            c.failed, c.changes, c.aborted, c.rolled_back, c.with_incident
        ),
    );
    let t = &r.time_to_restore;
    row(
        &mut out,
        "time to restore (median)",
        &t.median,
        &format!("{} restored, {} still open", t.restored, t.unrestored),
    );
    row(&mut out, "time to restore (p90)", &t.p90, "");
    let _ = writeln!(
        out,
        "  {:<26} {:>9}",
        "overall band",
        r.overall.map(|b| b.to_string()).unwrap_or_else(|| "-".into())
    );
    let s = &r.success;
    let _ = writeln!(out, "\nSuccess metrics");
    row(&mut out, "deployment success rate", &s.deployment_success_rate, "");
    row(&mut out, "change success rate", &s.change_success_rate, "");
    let _ = writeln!(
        out,
        "  {:<26} {:>9}  {:<7} prev {}",
        "rollbacks", s.rollback_count, "", s.previous_rollback_count
    );
    row(&mut out, "gate pass rate", &s.gate_pass_rate, "");
    row(&mut out, "mean approval wait", &s.mean_approval_wait, "");
    row(&mut out, "automation coverage", &s.automation_coverage, "");
    if !r.deployments.is_empty() {
        let _ = writeln!(out, "\nChanges in the period");
        let _ = writeln!(
            out,
            "  {:<8} {:<10} {:<14} {:<12} {:<18} {:>9}  failure",
            "rollout", "service", "version", "outcome", "started", "lead time"
        );
        for d in &r.deployments {
            let _ = writeln!(
                out,
                "  {:<8} {:<10} {:<14} {:<12} {:<18} {:>9}  {}",
                d.rollout,
                d.service,
                d.version,
                d.outcome,
                d.started.strftime("%Y-%m-%d %H:%M").to_string(),
                d.lead_time_s.map(|s| human(s as f64)).unwrap_or_else(|| "-".into()),
                d.failure.as_deref().unwrap_or(if d.strategy == "rollback" {
                    "(rollback redeploy)"
                } else {
                    ""
                })
            );
        }
    }
    if !r.incidents.is_empty() {
        let _ = writeln!(out, "\nIncidents opened in the period: {}", r.incidents.len());
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
