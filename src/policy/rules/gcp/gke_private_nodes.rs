//! # GKE clusters use private nodes
//!
//! ## What it checks
//! A `google_container_cluster` has
//! `private_cluster_config { enable_private_nodes = true }`, so nodes get
//! only internal IP addresses. An absent block or setting fails. A value
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! Nodes with public IP addresses are reachable from the internet, where
//! kubelet, NodePort services and SSH become attack surface. Private nodes
//! reach the internet only through Cloud NAT and cannot be addressed from
//! outside the VPC.
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
//! private_cluster_config {
//!   enable_private_nodes    = true
//!   enable_private_endpoint = false
//!   master_ipv4_cidr_block  = "172.16.0.0/28"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.6.5
//!
//! ## Differences from Checkov
//! CKV_GCP_64 and CKV_GCP_25 pass any `private_cluster_config` block, even one with
//! `enable_private_nodes = false`; this rule requires the setting to be true.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-027",
    title: "GKE clusters use private nodes",
    severity: Severity::Medium,
    resources: &["google_container_cluster"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)", "gdpr:art-25"],
    equivalent: &["CKV_GCP_64", "CKV_GCP_25", "google-gke-enable-private-cluster"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "private_cluster_config.enable_private_nodes",
        true,
        false,
        "private_cluster_config.enable_private_nodes is not true: nodes have public IP addresses",
    )
}
