//! # JavaScript projects use the organisation's package manager
//!
//! ## What it checks
//! Every directory with a `package.json`. The organisation's JavaScript
//! package manager is Bun unless lockgate.yaml says otherwise
//! (`policy: { toolchain: { javascript: npm | yarn | pnpm | bun } }`). The
//! project must have that manager's lockfile (`bun.lock`/`bun.lockb`,
//! `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`) and no other
//! manager's lockfile.
//!
//! ## Why it matters
//! One package manager per organisation means one lockfile format to
//! review, one cache to secure, one set of install scripts to audit, and
//! reproducible installs: a project with two lockfiles installs different
//! trees depending on who runs it. A project without a lockfile installs
//! whatever the registry serves that day.
//!
//! ## Example
//! ```text
//! web/package.json
//! web/package-lock.json      # npm's lockfile, in a Bun organisation
//! ```
//!
//! ## Fix
//! Run `bun install` in the project (it reads `package-lock.json` and
//! `yarn.lock` and writes `bun.lock`), commit `bun.lock` and delete the
//! other lockfiles; in CI run `bun install --frozen-lockfile`.
//!
//! ## References
//! - https://bun.sh/docs/install/lockfile
//! - SLSA Build: reproducible dependency resolution

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-PKG-001",
    title: "JavaScript projects use the organisation's package manager",
    severity: Severity::Medium,
    resources: &["project"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "pci-dss:6.3.2", "slsa:build-l3"],
    equivalent: &[],
    check,
};

const LOCKS: &[(&str, &[&str], &str)] = &[
    ("bun", &["bun.lock", "bun.lockb"], "bun install"),
    ("npm", &["package-lock.json", "npm-shrinkwrap.json"], "npm install"),
    ("yarn", &["yarn.lock"], "yarn install"),
    ("pnpm", &["pnpm-lock.yaml"], "pnpm install"),
];

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let Some(files) = r.get("files").strs() else { return Outcome::Unknown };
    if !files.contains(&"package.json") {
        return Outcome::Pass;
    }
    let tool = cx.tool("javascript", "bun");
    let Some((_, mine, install)) = LOCKS.iter().find(|(t, _, _)| *t == tool) else {
        return Outcome::Unknown;
    };
    for (other, locks, _) in LOCKS.iter().filter(|(t, _, _)| *t != tool) {
        if let Some(l) = files.iter().find(|f| locks.contains(f)) {
            return fail(
                r.get("files").span(),
                format!("{l} is {other}'s lockfile, but this organisation uses {tool}: run `{install}`, commit its lockfile and delete {l}"),
            );
        }
    }
    if !files.iter().any(|f| mine.contains(f)) {
        return fail(
            r.get("files").span(),
            format!("package.json has no {tool} lockfile: run `{install}` and commit {}", mine[0]),
        );
    }
    Outcome::Pass
}
