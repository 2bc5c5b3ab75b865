//! # GKE nodes use Secure Boot
//!
//! ## What it checks
//! `node_config.shielded_instance_config.enable_secure_boot = true` on a
//! `google_container_node_pool`, and on a `google_container_cluster` whose
//! default node pool is kept. Secure Boot is off by default, so an absent
//! setting fails. Autopilot clusters, and clusters that remove the default
//! node pool and have no `node_config`, are skipped. A value known only at
//! apply time is not reported.
//!
//! ## Why it matters
//! Secure Boot makes nodes boot only firmware and kernel components signed
//! by trusted authorities, which protects them against boot-level rootkits
//! that would survive reboots and hide from the operating system and from
//! integrity monitoring.
//!
//! ## Example
//! ```hcl
//! resource "google_container_node_pool" "pool" {
//!   cluster = google_container_cluster.gke.name
//!   node_config {
//!     machine_type = "e2-standard-2"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! node_config {
//!   shielded_instance_config {
//!     enable_secure_boot          = true
//!     enable_integrity_monitoring = true
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.5.7
//!
//! ## Differences from Checkov
//! CKV_GCP_68 does not report a node pool or cluster without `node_config`
//! (unknown); such nodes boot without Secure Boot, so this rule fails a node
//! pool without it, and a cluster that keeps its default node pool.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};
use crate::policy::rules::common_gcp::autopilot;

pub static RULE: Rule = Rule {
    id: "LG-GCP-043",
    title: "GKE nodes use Secure Boot",
    severity: Severity::Low,
    resources: &["google_container_cluster", "google_container_node_pool"],
    frameworks: &["pci-dss:11.5.2", "soc2:CC7.1", "hipaa:164.312(c)(1)"],
    equivalent: &["CKV_GCP_68"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "google_container_cluster" {
        match autopilot(r) {
            None => return Outcome::Unknown,
            Some(true) => return Outcome::Pass,
            Some(false) => {}
        }
        if r.get("node_config").is_missing() {
            let remove = r.get("remove_default_node_pool");
            if remove.is_unknown() {
                return Outcome::Unknown;
            }
            if remove.bool() == Some(true) {
                return Outcome::Pass;
            }
        }
    }
    expect_bool(
        r,
        "node_config.shielded_instance_config.enable_secure_boot",
        true,
        false,
        "node_config.shielded_instance_config.enable_secure_boot is not true: nodes boot without Secure Boot",
    )
}
