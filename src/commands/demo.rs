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
}

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
    let kept_in = match &args.keep {
        Some(dir) => Some(keep(dir)?),
        None => None,
    };
    let ex = explain(&spec, kept_in);
    if args.json {
        super::print_json(&ex)?;
    } else if !g.quiet {
        anstream::stdout().lock().write_all(render(&ex).as_bytes())?;
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
    std::fs::write(&target, DEMO_SPEC).with_context(|| format!("cannot write {}", target.display()))?;
    Ok(display_path(dir))
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
    }
}

fn render(ex: &Explanation) -> String {
    let bold = anstyle::Style::new().bold();
    let dim = anstyle::Style::new().dimmed();
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
    let _ = writeln!(o, "\n{bold}Next{bold:#}");
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
                vec!["build".to_string()],
                vec!["test".into(), "coverage".into(), "scan".into()]
            ]
        );
    }
}
