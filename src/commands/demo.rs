//! `lockgate demo`: the guided tour on a bundled example project. It needs
//! no configuration and no services; `--keep DIR` leaves the project behind.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::cli::{DemoArgs, GlobalArgs};
use crate::diag::display_path;
use crate::exit::{Exit, UserError};
use crate::spec::{self, CanaryStep, Spec, Strategy};

/// The demo project's lockgate.yaml, embedded in the binary.
pub const DEMO_SPEC: &str = include_str!("../../assets/demo/lockgate.yaml");

#[derive(Serialize)]
struct Explanation {
    project: String,
    promotion: Vec<EnvLine>,
    pipeline: Vec<Vec<String>>,
    gates: Vec<GateLine>,
    services: Vec<ServiceLine>,
    kept_in: Option<String>,
    tour: Vec<TourStep>,
}

/// One command of the live tour, as a person would type it.
#[derive(Serialize)]
struct TourStep {
    title: String,
    user: String,
    command: String,
    exit: i32,
    output: String,
}

/// The demo's clock: a Tuesday morning, so the weekend freeze of production
/// never interferes (try the freeze with LOCKGATE_NOW=2026-11-28T10:00:00Z).
const DEMO_NOW: &str = "2026-11-24T09:00:00Z";

/// (who, arguments, expected exit code, what it shows).
const TOUR: &[(&str, &[&str], i32, &str)] = &[
    (
        "dev",
        &["run", "--progress", "plain", "-q"],
        0,
        "dev runs the pipeline: build, tests, coverage, scan and a DR drill; every result is evidence in the ledger",
    ),
    (
        "dev",
        &["gate", "status", "pipeline-and-deployment"],
        4,
        "the production gate waits: its earlier phases are not open yet",
    ),
    (
        "ines",
        &["attest", "design", "architecture"],
        0,
        "the infrastructure team attests the architecture",
    ),
    (
        "chris",
        &[
            "attest",
            "design",
            "change-approval",
            "--link",
            "https://tickets.shop.example/CHG-1042",
        ],
        0,
        "change management attests the change ticket (a link is required)",
    ),
    (
        "dev",
        &["promote", "dev"],
        0,
        "the design gate is open: the artifact enters dev",
    ),
    (
        "dev",
        &["promote", "staging"],
        0,
        "no high findings and a verified audit trail: on to staging",
    ),
    (
        "dev",
        &["gate", "status", "pipeline-and-deployment"],
        4,
        "evidence is green and staging is deployed; the gate now waits for two release managers",
    ),
    (
        "dev",
        &["approve", "pipeline-and-deployment", "--comment", "looks good to me"],
        4,
        "dev ran the pipeline for this change, so dev's own approval is refused (and the refusal recorded)",
    ),
    (
        "alice",
        &[
            "approve",
            "pipeline-and-deployment",
            "--comment",
            "tests, coverage and scan are green",
        ],
        0,
        "a release manager from the platform team approves",
    ),
    (
        "bob",
        &[
            "approve",
            "pipeline-and-deployment",
            "--comment",
            "checked the rollout plan",
        ],
        0,
        "a second release manager, from another team, approves: the gate opens",
    ),
    (
        "sam",
        &[
            "attest",
            "production-readiness",
            "runbooks",
            "--link",
            "https://wiki.shop.example/runbooks/web",
        ],
        0,
        "an SRE attests the runbooks",
    ),
    (
        "dev",
        &["promote", "production"],
        0,
        "both production gates are open: promoted",
    ),
    (
        "sam",
        &["serve", "--detach"],
        0,
        "the on-call SRE starts the controller: it supervises the services and hosts their proxies",
    ),
    (
        "sam",
        &["deploy", "web", "--env", "production", "--version", "v1", "--wait"],
        0,
        "v1 goes live in production (the gates are open; a first deployment has nothing to canary against)",
    ),
    (
        "sam",
        &["deploy", "web", "--env", "production", "--version", "v2", "--wait"],
        0,
        "customers keep shopping (live traffic from now on) while v2 is canaried: 10% → 25% → 50% → 100%, measured every second",
    ),
    (
        "sam",
        &[
            "deploy",
            "web",
            "--env",
            "production",
            "--version",
            "v3",
            "--set",
            "ERROR_RATE=0.3",
            "--wait",
        ],
        1,
        "v3 answers 30% of requests with errors: its analysis fails, the rollout aborts and all traffic returns to v2 by itself",
    ),
    (
        "sam",
        &["rollout", "status", "web", "--env", "production"],
        0,
        "what the on-call engineer sees: v2 stable, v3 aborted, the measurements against their thresholds",
    ),
    (
        "dev",
        &["audit", "log", "--kind", "rollout.*"],
        0,
        "every step, measurement and the abort are ledger events too",
    ),
    (
        "dev",
        &["audit", "log", "--kind", "gate.*"],
        0,
        "the audit trail of every gate decision, including the refusal",
    ),
    (
        "dev",
        &["audit", "verify"],
        0,
        "and proof that nobody edited it afterwards",
    ),
    (
        "sam",
        &["stop"],
        0,
        "the controller stops, and the services with it (`lockgate serve` brings v2 back)",
    ),
];

/// Steps during which customers' traffic flows through production's proxy.
const LOAD_FROM: &str = "v2";
const LOAD_UNTIL: &str = "v3";

#[derive(Serialize)]
struct EnvLine {
    name: String,
    rules: Vec<String>,
}

#[derive(Serialize)]
struct GateLine {
    name: String,
    title: String,
    environment: Option<String>,
    checks: Vec<String>,
    attestations: Vec<String>,
}

#[derive(Serialize)]
struct ServiceLine {
    name: String,
    strategy: String,
    detail: String,
}

pub fn run(g: &GlobalArgs, args: DemoArgs) -> Result<Exit> {
    let file = Path::new("demo/lockgate.yaml");
    let spec = spec::parse_str(file, DEMO_SPEC, Default::default())
        .map_err(|d| anyhow::anyhow!("internal error: the bundled demo does not parse: {}", d.message))?;
    let problems = spec::validate(file, &spec);
    if let Some(d) = problems.first() {
        anyhow::bail!("internal error: the bundled demo does not validate: {}", d.message);
    }
    let (dir, kept_in) = match &args.keep {
        Some(dir) => (dir.clone(), Some(keep(dir)?)),
        None => {
            let dir = std::env::temp_dir().join(format!("lockgate-demo-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            keep(&dir)?;
            (dir, None)
        }
    };
    let mut ex = explain(&spec, kept_in);
    if !args.json && !g.quiet {
        anstream::stdout().lock().write_all(render_intro(&ex).as_bytes())?;
    }
    let tour = run_tour(&dir, args.json || g.quiet);
    if args.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    ex.tour = tour?;
    if args.json {
        super::print_json(&ex)?;
    } else if !g.quiet {
        anstream::stdout().lock().write_all(render_next(&ex).as_bytes())?;
    }
    Ok(Exit::Ok)
}

/// Writes the demo project to `dir` (which must not already hold one).
fn keep(dir: &Path) -> Result<String> {
    let target = dir.join("lockgate.yaml");
    if target.exists() {
        return Err(UserError::usage(format!("{} already exists", display_path(&target)))
            .with_hint("choose an empty directory for --keep")
            .into());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("cannot create {}/src", dir.display()))?;
    std::fs::write(
        dir.join("src/cart.rs"),
        "// The demo shop's cart. Changing this file re-runs the build job.\n",
    )?;
    // Three free ports in a row (dev, staging, production), so demos never collide.
    let base = free_ports(3).unwrap_or(18080);
    let text = DEMO_SPEC.replace("port: 18080", &format!("port: {base}"));
    std::fs::write(&target, text).with_context(|| format!("cannot write {}", target.display()))?;
    Ok(display_path(dir))
}

fn free_ports(n: u16) -> Option<u16> {
    for _ in 0..50 {
        let first = crate::delivery::target::free_port().ok()?;
        if first > 65_000 {
            continue;
        }
        if (0..n).all(|i| std::net::TcpListener::bind(("127.0.0.1", first + i)).is_ok()) {
            return Some(first);
        }
    }
    None
}

/// Stops the demo's controller however the tour ends.
struct StopController<'a> {
    exe: &'a Path,
    dir: &'a Path,
}

impl Drop for StopController<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new(self.exe)
            .arg("stop")
            .current_dir(self.dir)
            .env_remove("LOCKGATE_CONFIG")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

fn production_proxy(dir: &Path) -> Option<std::net::SocketAddr> {
    let text = std::fs::read_to_string(dir.join("lockgate.yaml")).ok()?;
    let base: u16 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("port: ")?.trim().parse().ok())?;
    Some(std::net::SocketAddr::from(([127, 0, 0, 1], base + 2)))
}

/// Runs the tour's commands with this very binary, as the people of the
/// demo project, printing each command and its output as it goes.
fn run_tour(dir: &Path, silent: bool) -> Result<Vec<TourStep>> {
    let exe = std::env::current_exe().context("cannot find the lockgate binary to run the tour")?;
    let bold = anstyle::Style::new().bold();
    let mut steps = Vec::new();
    let mut out = anstream::stdout();
    if !silent {
        writeln!(
            out,
            "{bold}Live tour{bold:#} — the commands below run for real in the demo project (clock: {DEMO_NOW})\n"
        )?;
    }
    let _stop = StopController { exe: &exe, dir };
    let mut load: Option<crate::delivery::load::Load> = None;
    for (i, (who, args, want, title)) in TOUR.iter().enumerate() {
        let user = format!("{who}@shop.example");
        if args.first() == Some(&"deploy")
            && args.contains(&LOAD_FROM)
            && let Some(addr) = production_proxy(dir)
        {
            load = Some(crate::delivery::load::Load::start(
                addr,
                2,
                std::time::Duration::from_millis(4),
                u64::MAX,
            ));
        }
        let result = std::process::Command::new(&exe)
            .args(*args)
            .current_dir(dir)
            .env("LOCKGATE_USER", &user)
            .env("LOCKGATE_NOW", DEMO_NOW)
            .env("NO_COLOR", "1")
            .env_remove("LOCKGATE_CONFIG")
            .env_remove("LOCKGATE_STORE")
            .output()
            .context("cannot run a tour step")?;
        let exit = result.status.code().unwrap_or(-1);
        let mut output = String::from_utf8_lossy(&result.stdout).into_owned();
        output.push_str(&String::from_utf8_lossy(&result.stderr));
        let command = format!(
            "lockgate {}",
            args.iter()
                .map(|a| if a.contains(' ') {
                    format!("\"{a}\"")
                } else {
                    a.to_string()
                })
                .collect::<Vec<_>>()
                .join(" ")
        );
        if !silent {
            writeln!(out, "{bold}{}. {title}{bold:#}", i + 1)?;
            writeln!(out, "$ LOCKGATE_USER={user} {command}")?;
            for line in output.lines() {
                writeln!(out, "  {line}")?;
            }
            writeln!(out, "  (exit {exit})\n")?;
        }
        if args.first() == Some(&"deploy")
            && args.contains(&LOAD_UNTIL)
            && let Some(l) = load.take()
        {
            let r = l.finish();
            let line = format!(
                "customers' traffic during the two rollouts: {} requests, {} answered by v3 ({} of them errors) before the abort, {} lost to a switch",
                r.requests,
                r.versions.get("v3").copied().unwrap_or(0),
                r.errors_by_version.get("v3").copied().unwrap_or(0),
                r.lost()
            );
            if !silent {
                writeln!(out, "  {line}\n")?;
            }
            output.push_str(&line);
            output.push('\n');
        }
        if exit != *want {
            anyhow::bail!(
                "internal error: demo step {} (`{command}`) exited {exit}, expected {want}:\n{output}",
                i + 1
            );
        }
        steps.push(TourStep {
            title: title.to_string(),
            user,
            command,
            exit,
            output,
        });
    }
    Ok(steps)
}

fn explain(spec: &Spec, kept_in: Option<String>) -> Explanation {
    let promotion = spec::promotion_order(spec)
        .into_iter()
        .map(|name| {
            let env = spec.environments.get(&name);
            let mut rules = Vec::new();
            if let Some(env) = env {
                if let Some(a) = &env.approvals {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.value.as_str()).collect();
                    let mut r = format!("{} approval(s)", a.required);
                    if !roles.is_empty() {
                        let _ = write!(r, " from {}", roles.join(", "));
                    }
                    if a.not_author {
                        r.push_str(", never the change's author");
                    }
                    let _ = write!(r, ", valid {}", a.expires);
                    rules.push(r);
                    if !a.break_glass.is_empty() {
                        let roles: Vec<&str> = a.break_glass.iter().map(|r| r.value.as_str()).collect();
                        rules.push(format!(
                            "break-glass override by {} (with a reason, flagged in reports)",
                            roles.join(", ")
                        ));
                    }
                }
                for f in &env.freeze {
                    let reason = f.value.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
                    rules.push(format!("frozen {}{reason}", f.value));
                }
            }
            EnvLine { name, rules }
        })
        .collect();
    let gates = spec
        .gates
        .entries
        .iter()
        .map(|(k, g)| {
            let mut checks = Vec::new();
            let mut attestations = Vec::new();
            for item in &g.items {
                let it = &item.value;
                let title = it
                    .title
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| spec::item_id(it));
                if let Some(c) = &it.check {
                    checks.push(format!("{title}: {}", c.value));
                } else {
                    let roles: Vec<&str> = it.attest.iter().map(|r| r.value.as_str()).collect();
                    attestations.push(format!("{title} (signed by {})", roles.join(" or ")));
                }
            }
            GateLine {
                name: k.value.clone(),
                title: g
                    .title
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| k.value.clone()),
                environment: g.environment.as_ref().map(|e| e.value.clone()),
                checks,
                attestations,
            }
        })
        .collect();
    let services = spec
        .services
        .iter()
        .map(|(name, s)| {
            let detail = match &s.strategy {
                Strategy::Canary(c) => {
                    let steps: Vec<String> = c
                        .steps
                        .iter()
                        .map(|s| match &s.value {
                            CanaryStep::Weight(w) => w.to_string(),
                            CanaryStep::Pause(Some(d)) => format!("pause {d}"),
                            CanaryStep::Pause(None) => "pause until promoted".into(),
                        })
                        .collect();
                    let mut d = format!("{} every {}", steps.join(" → "), c.interval);
                    if let Some(a) = &c.analysis {
                        let conds: Vec<&str> = a.conditions.iter().map(|c| c.value.as_str()).collect();
                        let _ = write!(
                            d,
                            "; aborts and rolls back when more than {} measurement(s) fail: {}",
                            a.failure_limit,
                            conds.join(", ")
                        );
                    }
                    d
                }
                Strategy::BlueGreen(b) => format!(
                    "switch at once after preview checks; old version kept warm {}",
                    b.rollback_window
                ),
                Strategy::Rolling(r) => format!("{} instance(s) at a time", r.batch),
            };
            ServiceLine {
                name: name.to_string(),
                strategy: s.strategy.name().to_string(),
                detail,
            }
        })
        .collect();
    Explanation {
        project: spec.project.value.to_string(),
        promotion,
        pipeline: spec::job_stages(spec),
        gates,
        services,
        kept_in,
        tour: Vec::new(),
    }
}

fn render_intro(ex: &Explanation) -> String {
    let bold = anstyle::Style::new().bold();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{bold}lockgate demo{bold:#} — the bundled example project `{}`\n",
        ex.project
    );
    let _ = writeln!(
        o,
        "lockgate.yaml declares how a change travels from commit to production. This one is valid;"
    );
    let _ = writeln!(o, "here is what it asks for.\n");
    let _ = writeln!(
        o,
        "{bold}1. Environments{bold:#}, in promotion order: {}",
        ex.promotion
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    );
    for e in &ex.promotion {
        for r in &e.rules {
            let _ = writeln!(o, "   {}: {r}", e.name);
        }
    }
    let _ = writeln!(
        o,
        "\n{bold}2. Pipeline{bold:#}, run as a graph (jobs in one stage run in parallel, cached by input hash):"
    );
    for (i, stage) in ex.pipeline.iter().enumerate() {
        let _ = writeln!(o, "   stage {}: {}", i + 1, stage.join(", "));
    }
    let _ = writeln!(
        o,
        "\n{bold}3. Gates{bold:#} — four phases; each opens only on evidence and signatures:"
    );
    for g in &ex.gates {
        let env = g
            .environment
            .as_deref()
            .map(|e| format!(" (guards {e})"))
            .unwrap_or_default();
        let _ = writeln!(o, "   {}{env}", g.title);
        for c in &g.checks {
            let _ = writeln!(o, "     check  {c}");
        }
        for a in &g.attestations {
            let _ = writeln!(o, "     attest {a}");
        }
    }
    let _ = writeln!(o, "\n{bold}4. Services{bold:#} and how new versions roll out:");
    for s in &ex.services {
        let _ = writeln!(o, "   {} ({}): {}", s.name, s.strategy, s.detail);
    }
    let _ = writeln!(
        o,
        "\n{bold}5. The ledger{bold:#}: every step above is recorded as a hash-chained, signed event, so an"
    );
    let _ = writeln!(
        o,
        "   auditor can verify who changed production, who approved it, and that nothing was edited."
    );
    o
}

fn render_next(ex: &Explanation) -> String {
    let bold = anstyle::Style::new().bold();
    let dim = anstyle::Style::new().dimmed();
    let mut o = String::new();
    let _ = writeln!(o, "{bold}Next{bold:#}");
    match &ex.kept_in {
        Some(dir) => {
            let _ = writeln!(
                o,
                "   The demo project is in {dir}/. Try:  cd {dir} && lockgate validate"
            );
        }
        None => {
            let _ = writeln!(
                o,
                "   lockgate demo --keep demo     keep this project in ./demo to explore it"
            );
        }
    }
    let _ = writeln!(
        o,
        "   lockgate init                 write a lockgate.yaml for your own repository"
    );
    let _ = writeln!(
        o,
        "   {dim}lockgate --help               all commands and exit codes{dim:#}"
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_demo_is_valid() {
        let spec = spec::parse_str(Path::new("demo.yaml"), DEMO_SPEC, Default::default()).unwrap();
        assert!(spec::validate(Path::new("demo.yaml"), &spec).is_empty());
        assert_eq!(
            spec::job_stages(&spec),
            vec![
                vec!["build".to_string(), "dr-drill".into()],
                vec!["test".into(), "coverage".into(), "scan".into()]
            ]
        );
    }
}
