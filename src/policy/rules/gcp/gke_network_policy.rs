//! # GKE clusters enforce network policies
//!
//! ## What it checks
//! A `google_container_cluster` has `network_policy { enabled = true }`, or
//! uses GKE Dataplane V2 (`datapath_provider = "ADVANCED_DATAPATH"`), which
//! enforces network policies natively, or is an Autopilot cluster. Otherwise
//! Kubernetes `NetworkPolicy` objects are silently ignored. Values known
//! only at apply time are not reported.
//!
//! ## Why it matters
//! Without network policy enforcement every pod can reach every other pod in
//! the cluster, so one compromised workload can move laterally to databases
//! and internal services. Network segmentation between workloads is an
//! explicit PCI DSS requirement.
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
//! datapath_provider = "ADVANCED_DATAPATH"
//! ```
//! or
//! ```hcl
//! network_policy {
//!   enabled  = true
//!   provider = "CALICO"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.6.7
//!
//! ## Differences from Checkov
//! CKV_GCP_12 requires a `network_policy` block even on Dataplane V2
//! (`datapath_provider = "ADVANCED_DATAPATH"`) and Autopilot clusters, which
//! enforce network policies without it; this rule passes them.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::autopilot;

pub static RULE: Rule = Rule {
    id: "LG-GCP-026",
    title: "GKE clusters enforce network policies",
    severity: Severity::Medium,
    resources: &["google_container_cluster"],
    frameworks: &["pci-dss:1.2.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_GCP_12", "google-gke-enable-network-policy"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match autopilot(r) {
        None => return Outcome::Unknown,
        Some(true) => return Outcome::Pass,
        Some(false) => {}
    }
    let dp = r.get("datapath_provider");
    if dp.is_unknown() {
        return Outcome::Unknown;
    }
    if dp.str().is_some_and(|d| d.eq_ignore_ascii_case("ADVANCED_DATAPATH")) {
        return Outcome::Pass;
    }
    match r.get("network_policy.enabled") {
        Get::Unknown(_) => Outcome::Unknown,
        g => match g.bool() {
            Some(true) => Outcome::Pass,
            Some(false) => fail(
                g.span(),
                "network_policy.enabled is false: pods can reach every other pod",
            ),
            None => fail(None, "network policy is not enforced: pods can reach every other pod"),
        },
    }
}
