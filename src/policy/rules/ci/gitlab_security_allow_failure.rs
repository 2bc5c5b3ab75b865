//! # GitLab security scan jobs are not allowed to fail
//!
//! ## What it checks
//! GitLab CI jobs whose name, stage or `extends` marks them as security
//! checks (`security`, `scan`, `sast`, `dast`, `secret_detection`,
//! `dependency_scanning`, `container_scanning`, `trivy`, `snyk`, `audit`,
//! `lockgate`, `checkov`, …) that set `allow_failure: true`.
//!
//! ## Why it matters
//! A security gate that may fail is no gate: findings, and scanners that
//! crash or time out, turn into a yellow icon while the pipeline goes on
//! to deploy. Change-management controls expect security checks to block
//! a release until their findings are resolved or explicitly accepted.
//!
//! ## Example
//! ```yaml
//! container_scanning:
//!   stage: test
//!   script: trivy image --exit-code 1 "$IMAGE"
//!   allow_failure: true
//! ```
//!
//! ## Fix
//! Remove `allow_failure` (or list only the exit codes that mean "no
//! result", with `allow_failure: exit_codes:`), and accept findings through
//! the scanner's own suppression mechanism.
//!
//! ## References
//! - https://docs.gitlab.com/ee/ci/yaml/#allow_failure
//! - SOC 2 CC8.1, SOX IT general controls (change management)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_docker::gitlab_jobs;

pub static RULE: Rule = Rule {
    id: "LG-CI-012",
    title: "GitLab security scan jobs are not allowed to fail",
    severity: Severity::Medium,
    resources: &["gitlab.ci"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "pci-dss:6.2.4", "slsa:build-l2"],
    equivalent: &[],
    check,
};

const MARKERS: &[&str] = &[
    "security",
    "scan",
    "sast",
    "dast",
    "secret_detection",
    "secret-detection",
    "dependency_scanning",
    "container_scanning",
    "license_scanning",
    "trivy",
    "snyk",
    "grype",
    "audit",
    "checkov",
    "tfsec",
    "semgrep",
    "gitleaks",
    "lockgate",
    "vulnerab",
];

fn security(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    MARKERS.iter().any(|m| l.contains(m))
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for j in gitlab_jobs(r) {
        // `allow_failure: {exit_codes: …}` is a block: only the plain `true` counts.
        let Some(a) = j.body.attr("allow_failure") else {
            continue;
        };
        if a.value.as_bool() != Some(true) {
            continue;
        }
        let mut names = vec![j.ident.clone()];
        names.extend(j.body.get("stage").str().map(str::to_string));
        names.extend(
            j.body
                .get("extends")
                .strs()
                .unwrap_or_default()
                .into_iter()
                .map(str::to_string),
        );
        if names.iter().any(|n| security(n)) {
            return fail(Some(a.span), format!("security job `{}` is allowed to fail", j.ident));
        }
    }
    Outcome::Pass
}
