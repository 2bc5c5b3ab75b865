//! # CI installs dependencies with the organisation's package managers
//!
//! ## What it checks
//! `run:` steps of GitHub Actions workflows and `script`/`before_script`/
//! `after_script` lines of GitLab CI jobs. With the default toolchain
//! (Bun for JavaScript, Poetry for Python — see `policy.toolchain` in
//! lockgate.yaml) it reports `npm install`/`npm ci`, `yarn`/`yarn install`,
//! `pnpm install` and `pip install -r …`/`pip install .`; with another
//! configured manager, installs by the others.
//!
//! ## Why it matters
//! A pipeline that installs with a different tool than developers do
//! ignores the committed lockfile (or reads another one) and builds a
//! dependency tree nobody reviewed.
//!
//! ## Example
//! ```yaml
//! - run: npm ci && npm test
//! ```
//!
//! ## Fix
//! ```yaml
//! - uses: oven-sh/setup-bun@735343b667d3e6f658f44d0eca948eb6282f2b76 # v2.0.2
//! - run: bun install --frozen-lockfile && bun test
//! ```
//! For Python: `poetry install` instead of `pip install -r
//! requirements.txt`. The finding names the command for the configured
//! manager: `bun install --frozen-lockfile`, `npm ci`,
//! `yarn install --immutable`, `pnpm install --frozen-lockfile`,
//! `poetry install`, `uv sync --locked` or `pip install -r requirements.txt`.
//!
//! ## References
//! - https://bun.sh/docs/install/ci
//! - https://python-poetry.org/docs/cli/#install

use crate::policy::model::{Resource, Span};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{base_name, commands, gha_jobs, gha_steps, gitlab_jobs, gitlab_scripts};

pub static RULE: Rule = Rule {
    id: "LG-PKG-005",
    title: "CI installs dependencies with the organisation's package managers",
    severity: Severity::Low,
    resources: &["github.workflow", "gitlab.ci"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "slsa:build-l3"],
    equivalent: &[],
    check,
};

/// The install command a script line runs and the manager it belongs to.
fn install(words: &[String]) -> Option<(&'static str, &'static str)> {
    let tool = base_name(words.first()?);
    let sub = words.get(1).map(String::as_str);
    match (tool, sub) {
        ("npm", Some("install" | "i" | "ci")) => Some(("javascript", "npm")),
        ("yarn", None | Some("install")) => Some(("javascript", "yarn")),
        ("pnpm", Some("install" | "i")) => Some(("javascript", "pnpm")),
        ("bun", Some("install" | "i")) => Some(("javascript", "bun")),
        ("pip" | "pip3", Some("install")) if words.iter().any(|w| w == "-r" || w == "." || w.starts_with("--requirement")) => {
            Some(("python", "pip"))
        }
        ("poetry", Some("install")) => Some(("python", "poetry")),
        ("uv", Some("sync")) => Some(("python", "uv")),
        _ => None,
    }
}

/// What a CI job runs to install from the committed lockfile with `tool`.
fn install_instead(tool: &str) -> Option<&'static str> {
    Some(match tool {
        "bun" => "bun install --frozen-lockfile",
        "npm" => "npm ci",
        "yarn" => "yarn install --immutable",
        "pnpm" => "pnpm install --frozen-lockfile",
        "poetry" => "poetry install",
        "uv" => "uv sync --locked",
        "pip" => "pip install -r requirements.txt",
        _ => return None,
    })
}

fn scripts(r: &Resource) -> Vec<(String, Option<Span>)> {
    let mut out = Vec::new();
    if r.kind == "github.workflow" {
        for job in gha_jobs(r) {
            for step in gha_steps(job) {
                let g = step.body.get("run");
                if let Some(s) = g.str() {
                    out.push((s.to_string(), g.span()));
                }
            }
        }
    } else {
        out.extend(gitlab_scripts(&r.body));
        for job in gitlab_jobs(r) {
            out.extend(gitlab_scripts(&job.body));
        }
    }
    out
}

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    for (script, span) in scripts(r) {
        for c in commands(&script) {
            let Some((ecosystem, used)) = install(&c.words) else { continue };
            let want = cx.tool(ecosystem, if ecosystem == "javascript" { "bun" } else { "poetry" });
            if used != want {
                let instead = match install_instead(&want) {
                    Some(cmd) => format!("run `{cmd}` instead"),
                    None => format!("install with {want} instead"),
                };
                return fail(
                    span,
                    format!(
                        "`{}` installs with {used}, but this organisation uses {want} for {ecosystem}: {instead}",
                        c.words.join(" ")
                    ),
                );
            }
        }
    }
    Outcome::Pass
}
