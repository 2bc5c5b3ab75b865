//! # Workflows declare GITHUB_TOKEN permissions
//!
//! ## What it checks
//! A GitHub workflow must set `permissions` at the top level, or on every
//! one of its jobs.
//!
//! ## Why it matters
//! Without `permissions`, the token gets the repository's or organisation's
//! default, which is read-write for every scope in many (older) setups. The
//! workflow then silently holds far more power than it needs, and changing
//! a setting elsewhere changes what every workflow can do. Declaring the
//! scopes in the workflow makes least privilege explicit and reviewable.
//!
//! ## Example
//! ```yaml
//! on: push
//! jobs:
//!   build:
//!     runs-on: ubuntu-latest
//!     steps:
//!       - run: make
//! ```
//!
//! ## Fix
//! ```yaml
//! permissions:
//!   contents: read
//! ```
//!
//! ## References
//! - https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions
//! - https://github.com/ossf/scorecard/blob/main/docs/checks.md#token-permissions

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::gha_jobs;

pub static RULE: Rule = Rule {
    id: "LG-CI-005",
    title: "Workflows declare GITHUB_TOKEN permissions",
    severity: Severity::Medium,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "soc2:CC6.3", "pci-dss:7.2.1", "sox:itgc-access"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("permissions").is_missing() {
        return Outcome::Pass;
    }
    let jobs = gha_jobs(r);
    match jobs.iter().find(|j| j.body.get("permissions").is_missing()) {
        Some(j) => fail(
            Some(j.span),
            format!(
                "the workflow sets no top-level permissions and job `{}` sets none either",
                j.ident
            ),
        ),
        None => Outcome::Pass,
    }
}
