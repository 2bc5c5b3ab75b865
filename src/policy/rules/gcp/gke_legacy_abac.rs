//! # GKE clusters have legacy ABAC disabled
//!
//! ## What it checks
//! A `google_container_cluster` does not set `enable_legacy_abac = true`
//! (the default is false). A value known only at apply time is not
//! reported.
//!
//! ## Why it matters
//! Legacy attribute-based access control grants broad, statically defined
//! permissions that Kubernetes RBAC cannot restrict: with it enabled, service
//! accounts and users can get far more access to the cluster than their RBAC
//! roles suggest. RBAC should be the only authorizer.
//!
//! ## Example
//! ```hcl
//! resource "google_container_cluster" "gke" {
//!   name               = "gke"
//!   location           = "europe-west1"
//!   enable_legacy_abac = true
//! }
//! ```
//!
//! ## Fix
//! Remove `enable_legacy_abac` or set it to `false`, and grant access with
//! Kubernetes RBAC and IAM.
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#leave_abac_disabled_default_for_110
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.8.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-024",
    title: "GKE clusters have legacy ABAC disabled",
    severity: Severity::High,
    resources: &["google_container_cluster"],
    frameworks: &["pci-dss:7.2.1", "soc2:CC6.3", "sox:itgc-access", "hipaa:164.312(a)(1)"],
    equivalent: &["CKV_GCP_7", "google-gke-no-legacy-authentication"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "enable_legacy_abac",
        false,
        false,
        "enable_legacy_abac is true: legacy ABAC grants permissions that RBAC cannot restrict",
    )
}
