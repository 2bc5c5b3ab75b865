//! # AKS clusters enforce network policies
//!
//! ## What it checks
//! An `azurerm_kubernetes_cluster` has `network_profile { network_policy =
//! ... }` set (`azure`, `calico` or `cilium`). Without it Kubernetes
//! `NetworkPolicy` objects are silently ignored. Unknown values give no
//! finding.
//!
//! ## Why it matters
//! Without a network policy engine every pod can reach every other pod and
//! service in the cluster, so one compromised workload can move laterally
//! to databases and control components. Network policies are how pod
//! traffic is segmented.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_kubernetes_cluster" "k8s" {
//!   name = "k8s"
//!   network_profile {
//!     network_plugin = "azure"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   network_profile {
//!     network_plugin = "azure"
//!     network_policy = "azure"
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/aks/use-network-policies

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-023",
    title: "AKS clusters enforce network policies",
    severity: Severity::Medium,
    resources: &["azurerm_kubernetes_cluster"],
    frameworks: &["pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &[
        "CKV_AZURE_7",
        "AVD-AZU-0043",
        "azure-container-configured-network-policy",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "network_profile.network_policy",
        "no network policy engine is configured: all pods can reach each other",
    )
}
