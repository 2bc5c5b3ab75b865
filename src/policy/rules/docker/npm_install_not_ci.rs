//! # Node dependencies are installed from the lockfile
//!
//! ## What it checks
//! RUN instructions that install a project's dependencies with a plain
//! `npm install` (or `npm i`, no package names given) instead of `npm ci`,
//! or with `yarn install` without `--frozen-lockfile` / `--immutable`.
//!
//! ## Why it matters
//! `npm install` resolves version ranges again and may rewrite the
//! lockfile, so the image gets dependency versions nobody reviewed;
//! `npm ci` installs exactly what `package-lock.json` records and fails if
//! it does not match `package.json`. Reproducible dependency resolution is
//! a basic supply-chain control.
//!
//! ## Example
//! ```dockerfile
//! COPY package*.json ./
//! RUN npm install
//! ```
//!
//! ## Fix
//! ```dockerfile
//! COPY package.json package-lock.json ./
//! RUN npm ci --omit=dev
//! ```
//!
//! ## References
//! - https://docs.npmjs.com/cli/commands/npm-ci
//! - https://slsa.dev/spec/v1.0/requirements

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::{package_args, runs};

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-017",
    title: "Node dependencies are installed from the lockfile",
    severity: Severity::Low,
    resources: &["dockerfile"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for (b, cmds) in runs(r) {
        for c in &cmds {
            for sub in ["install", "i"] {
                if c.is(&["npm"], &[sub])
                    && package_args(c, sub, &["--omit", "--include", "--prefix", "-w", "--workspace"]).is_empty()
                {
                    return fail(
                        Some(b.span),
                        format!("`{}` does not install from the lockfile: use npm ci", c.text()),
                    );
                }
            }
            if c.is(&["yarn"], &["install"]) && !c.has_flag(&["--frozen-lockfile", "--immutable"]) {
                return fail(
                    Some(b.span),
                    format!("`{}` may change the lockfile: add --frozen-lockfile", c.text()),
                );
            }
        }
    }
    Outcome::Pass
}
