//! # Workflow actions are pinned to a commit SHA
//!
//! ## What it checks
//! Every `uses:` of a GitHub Actions workflow step (and of a reusable
//! workflow job) that refers to another repository must end in a full
//! 40-character commit SHA. Local actions (`./…`) and Docker images pinned
//! by digest pass.
//!
//! ## Why it matters
//! A tag or branch can be moved by whoever controls the action's
//! repository: the tj-actions/changed-files compromise (2025) rewrote tags
//! to exfiltrate secrets from thousands of pipelines. A SHA cannot be moved.
//!
//! ## Example
//! ```yaml
//! - uses: actions/checkout@v4
//! ```
//!
//! ## Fix
//! ```yaml
//! - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
//! ```
//!
//! ## References
//! - https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions
//! - SLSA Build L3: pinned dependencies

use crate::policy::model::{Body, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-CI-001",
    title: "Workflow actions are pinned to a commit SHA",
    severity: Severity::High,
    resources: &["github.workflow"],
    frameworks: &["slsa:build-l3", "sox:itgc-change", "soc2:CC8.1", "pci-dss:6.3.2"],
    equivalent: &["CKV_GHA_7"],
    check,
};

fn pinned(uses: &str) -> bool {
    if uses.starts_with("./") || uses.starts_with("docker://") && uses.contains("@sha256:") {
        return true;
    }
    match uses.rsplit_once('@') {
        Some((_, r)) => r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()),
        None => false,
    }
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(jobs) = r.body.block("jobs") else { return Outcome::Pass };
    for job in &jobs.body.blocks {
        let mut bodies: Vec<&Body> = vec![&job.body];
        bodies.extend(job.body.blocks("steps").map(|s| &s.body));
        for b in bodies {
            let g = b.get("uses");
            if let Some(u) = g.str()
                && !pinned(u)
            {
                return fail(g.span(), format!("`{u}` is not pinned to a commit SHA"));
            }
        }
    }
    Outcome::Pass
}
