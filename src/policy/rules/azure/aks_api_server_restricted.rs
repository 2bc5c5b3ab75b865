//! # AKS API servers are not open to the whole internet
//!
//! ## What it checks
//! An `azurerm_kubernetes_cluster` is a private cluster
//! (`private_cluster_enabled = true`) or restricts its API server to
//! authorized IP ranges: `api_server_access_profile { authorized_ip_ranges
//! }` (azurerm v3 and later) or `api_server_authorized_ip_ranges` (v2). A
//! range list containing `0.0.0.0/0` does not count. Unknown values give no
//! finding.
//!
//! ## Why it matters
//! The Kubernetes API server is the control plane for the whole cluster.
//! Exposed to the internet, it is a target for credential stuffing and for
//! exploitation of API server vulnerabilities; limiting it to a private
//! network or known ranges removes that exposure.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_kubernetes_cluster" "k8s" {
//!   name       = "k8s"
//!   dns_prefix = "k8s"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   api_server_access_profile {
//!     authorized_ip_ranges = ["203.0.113.0/24"]
//!   }
//! ```
//! or `private_cluster_enabled = true`.
//!
//! ## References
//! - https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
//! - https://learn.microsoft.com/azure/aks/private-clusters
//!
//! ## Differences from Checkov
//! CKV_AZURE_6 accepts any non-empty range list, including `0.0.0.0/0`.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail, is_public_cidr};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-024",
    title: "AKS API servers are not open to the whole internet",
    severity: Severity::High,
    resources: &["azurerm_kubernetes_cluster"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)", "sox:itgc-access"],
    equivalent: &["CKV_AZURE_6", "AVD-AZU-0041", "azure-container-limit-authorized-ips"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let private = r.get("private_cluster_enabled");
    if private.is_unknown() {
        return Outcome::Unknown;
    }
    if private.bool() == Some(true) {
        return Outcome::Pass;
    }
    for path in [
        "api_server_access_profile.authorized_ip_ranges",
        "api_server_authorized_ip_ranges",
    ] {
        let g = r.get(path);
        match g {
            Get::Unknown(_) => return Outcome::Unknown,
            g if g.is_missing() => continue,
            g => {
                let Some(v) = g.val() else { continue };
                if v.has_unknown() {
                    return Outcome::Unknown;
                }
                let Some(ranges) = g.strs() else { continue };
                if ranges.is_empty() {
                    continue;
                }
                if ranges.iter().any(|c| is_public_cidr(c)) {
                    return fail(
                        g.span(),
                        "the authorized IP ranges include 0.0.0.0/0: the API server is open to the internet",
                    );
                }
                return Outcome::Pass;
            }
        }
    }
    fail(
        None,
        "the API server is public and has no authorized IP ranges: it accepts connections from the whole internet",
    )
}
