//! # GKE clusters enforce Binary Authorization
//!
//! ## What it checks
//! A `google_container_cluster` has
//! `binary_authorization { evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE" }`
//! (or `POLICY_BINDINGS_AND_PROJECT_SINGLETON_POLICY_ENFORCE`), or the
//! deprecated `binary_authorization { enabled = true }` /
//! `enable_binary_authorization = true`. A value known only at apply time is
//! not reported.
//!
//! ## Why it matters
//! Binary Authorization admits only container images that satisfy the
//! project's policy, for example images built by the trusted CI pipeline and
//! signed by its attestor. Without it, anyone who can create a pod can run
//! any image, including tampered or unscanned ones, which undermines
//! change-management controls.
//!
//! ## Example
//! ```hcl
//! resource "google_container_cluster" "gke" {
//!   name     = "gke"
//!   location = "europe-west1"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! binary_authorization {
//!   evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/binary-authorization/docs/setting-up
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.10.5

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-GCP-042",
    title: "GKE clusters enforce Binary Authorization",
    severity: Severity::Medium,
    resources: &["google_container_cluster"],
    frameworks: &["pci-dss:6.3.2", "soc2:CC8.1", "sox:itgc-change"],
    equivalent: &["CKV_GCP_66"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    match r.get("binary_authorization.evaluation_mode") {
        Get::Unknown(_) => unknown = true,
        g => {
            if g.str()
                .is_some_and(|m| m.to_ascii_uppercase().ends_with("PROJECT_SINGLETON_POLICY_ENFORCE"))
            {
                return Outcome::Pass;
            }
        }
    }
    for key in ["binary_authorization.enabled", "enable_binary_authorization"] {
        match r.get(key) {
            Get::Unknown(_) => unknown = true,
            g if g.bool() == Some(true) => return Outcome::Pass,
            _ => {}
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    let span = r.body.block("binary_authorization").map(|b| b.span);
    fail(
        span,
        "Binary Authorization is not enforced: any container image can run in the cluster",
    )
}
