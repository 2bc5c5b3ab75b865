//! # GKE workloads use Workload Identity and the GKE metadata server
//!
//! ## What it checks
//! A `google_container_cluster` (other than Autopilot, where it is always
//! on) has a `workload_identity_config` block, and its `node_config`, when
//! present, does not set `workload_metadata_config.mode` to anything other
//! than `GKE_METADATA`. A `google_container_node_pool` sets
//! `node_config.workload_metadata_config.mode = "GKE_METADATA"`, or leaves it
//! absent in a cluster of this configuration that has Workload Identity
//! enabled (new pools then default to the GKE metadata server). A pool whose
//! cluster is not in the configuration, or values known only at apply time,
//! are not reported.
//!
//! ## Why it matters
//! Without the GKE metadata server, every pod can read the node's metadata:
//! the node service account's OAuth token and the kubelet bootstrap
//! credentials, which let a compromised pod act as the node. Workload
//! Identity gives each workload its own, least-privilege identity instead.
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
//! workload_identity_config {
//!   workload_pool = "my-project.svc.id.goog"
//! }
//! node_config {
//!   workload_metadata_config { mode = "GKE_METADATA" }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.2.2 and 5.4.2
//!
//! ## Differences from Checkov
//! CKV_GCP_69 requires `workload_metadata_config` to be written in the
//! resource's own `node_config`: it fails a cluster with Workload Identity
//! whose default node pool is removed, and a node pool that inherits the GKE
//! metadata server from its cluster. This rule checks the cluster's
//! `workload_identity_config` and follows node pools to their cluster.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::{autopilot, pool_cluster};

pub static RULE: Rule = Rule {
    id: "LG-GCP-028",
    title: "GKE workloads use Workload Identity and the GKE metadata server",
    severity: Severity::High,
    resources: &["google_container_cluster", "google_container_node_pool"],
    frameworks: &["pci-dss:7.2.1", "soc2:CC6.1", "sox:itgc-access", "hipaa:164.312(a)(1)"],
    equivalent: &["CKV_GCP_69", "google-gke-metadata-endpoints-disabled"],
    check,
};

/// The metadata mode set in `node_config`: pass, fail or absent (`None`).
fn mode(r: &Resource) -> Option<Outcome> {
    for key in [
        "node_config.workload_metadata_config.mode",
        "node_config.workload_metadata_config.node_metadata",
    ] {
        match r.get(key) {
            Get::Unknown(_) => return Some(Outcome::Unknown),
            g if g.is_missing() => {}
            g => {
                return Some(match g.str() {
                    Some(m)
                        if m.eq_ignore_ascii_case("GKE_METADATA") || m.eq_ignore_ascii_case("GKE_METADATA_SERVER") =>
                    {
                        Outcome::Pass
                    }
                    Some(m) => fail(
                        g.span(),
                        format!(
                            "workload metadata mode is {m}: pods can read the node's credentials from the metadata server"
                        ),
                    ),
                    None => Outcome::Unknown,
                });
            }
        }
    }
    None
}

/// Whether the cluster has Workload Identity (`None` when unknown).
fn workload_identity(c: &Resource) -> Option<bool> {
    match autopilot(c) {
        None => return None,
        Some(true) => return Some(true),
        Some(false) => {}
    }
    match c.get("workload_identity_config.workload_pool") {
        Get::Unknown(_) => None,
        g if g.is_missing() => match c.get("workload_identity_config") {
            Get::Unknown(_) => None,
            // Older providers: `identity_namespace`.
            g if !g.is_missing() => match c.get("workload_identity_config.identity_namespace") {
                Get::Unknown(_) => None,
                g => Some(!g.is_missing()),
            },
            _ => Some(false),
        },
        g => Some(g.str().is_some_and(|s| !s.is_empty())),
    }
}

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let own = mode(r);
    if r.kind == "google_container_node_pool" {
        if let Some(o) = own {
            return o;
        }
        return match pool_cluster(cx, r).map(workload_identity) {
            None | Some(None) => Outcome::Unknown,
            Some(Some(true)) => Outcome::Pass,
            Some(Some(false)) => fail(
                None,
                "the node pool has no workload_metadata_config and its cluster has no Workload Identity: pods can read the node's credentials",
            ),
        };
    }
    match workload_identity(r) {
        None => Outcome::Unknown,
        Some(false) => fail(
            None,
            "no workload_identity_config: pods use the node service account and can read its credentials from the metadata server",
        ),
        Some(true) => own.unwrap_or(Outcome::Pass),
    }
}
