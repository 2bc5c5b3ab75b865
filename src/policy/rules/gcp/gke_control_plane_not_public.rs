//! # GKE control planes are not reachable from the whole internet
//!
//! ## What it checks
//! A `google_container_cluster` has a `master_authorized_networks_config`
//! whose `cidr_blocks` do not include `0.0.0.0/0` or `::/0`, or has a private
//! endpoint only (`private_cluster_config.enable_private_endpoint = true`).
//! Without authorized networks, the public endpoint accepts connections from
//! any address, so an absent block fails too. Values known only at apply
//! time are not reported.
//!
//! ## Why it matters
//! The Kubernetes API server is the cluster's administrative interface.
//! Restricting which networks can reach it shrinks the attack surface for
//! credential theft, API vulnerabilities and brute force to known
//! administrative networks.
//!
//! ## Example
//! ```hcl
//! resource "google_container_cluster" "gke" {
//!   name     = "gke"
//!   location = "europe-west1"
//!   master_authorized_networks_config {
//!     cidr_blocks { cidr_block = "0.0.0.0/0" }
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! master_authorized_networks_config {
//!   cidr_blocks {
//!     cidr_block   = "203.0.113.0/24"
//!     display_name = "office"
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.6.3 and 5.6.4
//!
//! ## Differences from Checkov
//! CKV_GCP_18 passes a cluster without `master_authorized_networks_config`,
//! although its public endpoint then accepts every source address; this rule
//! fails it unless the endpoint is private.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail, is_public_cidr};
use crate::policy::rules::common_gcp::sub;

pub static RULE: Rule = Rule {
    id: "LG-GCP-029",
    title: "GKE control planes are not reachable from the whole internet",
    severity: Severity::High,
    resources: &["google_container_cluster"],
    frameworks: &["pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)", "sox:itgc-access"],
    equivalent: &["CKV_GCP_18", "google-gke-enable-master-networks"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("private_cluster_config.enable_private_endpoint") {
        Get::Unknown(_) => return Outcome::Unknown,
        g if g.bool() == Some(true) => return Outcome::Pass,
        _ => {}
    }
    let Some(man) = sub(&r.body, &["master_authorized_networks_config"]) else {
        if r.get("master_authorized_networks_config").is_unknown() {
            return Outcome::Unknown;
        }
        return fail(
            None,
            "no master_authorized_networks_config: the public control-plane endpoint accepts connections from any address",
        );
    };
    let mut unknown = false;
    for b in man.blocks("cidr_blocks") {
        let g = b.body.get("cidr_block");
        match g.str() {
            Some(c) if is_public_cidr(c) => {
                return fail(
                    g.span(),
                    format!("master authorized network {c} admits the whole internet to the control plane"),
                );
            }
            Some(_) => {}
            None => unknown |= g.is_unknown(),
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
