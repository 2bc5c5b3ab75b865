//! # Workflows do not grant write-all permissions
//!
//! ## What it checks
//! `permissions: write-all` at the top of a GitHub workflow or on one of
//! its jobs.
//!
//! ## Why it matters
//! The `GITHUB_TOKEN` gets write access to contents, packages, pull
//! requests, deployments and more. Any compromised step (a hijacked action,
//! an injected script) can then push code, publish packages or approve
//! changes. Grant each job only the scopes it needs.
//!
//! ## Example
//! ```yaml
//! permissions: write-all
//! ```
//!
//! ## Fix
//! ```yaml
//! permissions:
//!   contents: read
//! ```
//!
//! ## Differences from Checkov
//! CKV2_GHA_1 looks at the top-level `permissions` only; this rule also
//! reports jobs with `permissions: write-all`.
//!
//! ## References
//! - https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token
//! - SLSA Build L3: isolated, least-privileged builds

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::gha_jobs;

pub static RULE: Rule = Rule {
    id: "LG-CI-004",
    title: "Workflows do not grant write-all permissions",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "soc2:CC6.3", "pci-dss:7.2.1", "sox:itgc-access"],
    equivalent: &["CKV2_GHA_1"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = r.get("permissions");
    if g.str() == Some("write-all") {
        return fail(g.span(), "the workflow grants write-all permissions to GITHUB_TOKEN");
    }
    for job in gha_jobs(r) {
        let g = job.body.get("permissions");
        if g.str() == Some("write-all") {
            return fail(
                g.span(),
                format!("job `{}` grants write-all permissions to GITHUB_TOKEN", job.ident),
            );
        }
    }
    Outcome::Pass
}
