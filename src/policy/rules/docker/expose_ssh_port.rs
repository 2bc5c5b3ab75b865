//! # Images do not expose port 22
//!
//! ## What it checks
//! `EXPOSE` instructions must not include port 22 (`22`, `22/tcp`, or a
//! range containing it).
//!
//! ## Why it matters
//! An exposed SSH port means an SSH server in the container: another
//! daemon with credentials to manage, patch and brute-force, and a way in
//! that bypasses the orchestrator's access controls and audit
//! (`docker exec` / `kubectl exec` exist for that).
//!
//! ## Example
//! ```dockerfile
//! EXPOSE 22 8080
//! ```
//!
//! ## Fix
//! ```dockerfile
//! EXPOSE 8080
//! ```
//!
//! ## References
//! - CIS Docker Benchmark 5.7
//! - https://docs.docker.com/reference/dockerfile/#expose

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail, port_spec_includes};
use crate::policy::rules::common_docker::args;

pub static RULE: Rule = Rule {
    id: "LG-DOCKER-021",
    title: "Images do not expose port 22",
    severity: Severity::Medium,
    resources: &["dockerfile"],
    frameworks: &["cis-docker:5.7", "pci-dss:2.2.4", "soc2:CC6.6"],
    equivalent: &["CKV_DOCKER_1", "AVD-DS-0004"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for b in r.body.blocks("expose") {
        for w in args(b).split_whitespace() {
            let port = w.split('/').next().unwrap_or(w);
            if port_spec_includes(port, 22) {
                return fail(Some(b.span), "the image exposes port 22 (SSH)");
            }
        }
    }
    Outcome::Pass
}
