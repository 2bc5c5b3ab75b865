//! # AKS clusters have Kubernetes RBAC enabled
//!
//! ## What it checks
//! An `azurerm_kubernetes_cluster` does not disable Kubernetes role-based
//! access control: `role_based_access_control_enabled` (azurerm v3 and
//! later, default `true`) or `role_based_access_control { enabled }`
//! (azurerm v2) must not be `false`. Unknown values give no finding.
//!
//! ## Why it matters
//! Without RBAC every authenticated identity has full control of the
//! cluster API: any pod's service account or any user can read all secrets
//! and deploy privileged workloads. RBAC is the basis of least privilege in
//! Kubernetes.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_kubernetes_cluster" "k8s" {
//!   name                              = "k8s"
//!   role_based_access_control_enabled = false
//! }
//! ```
//!
//! ## Fix
//! Remove the setting or set `role_based_access_control_enabled = true`
//! (the cluster must be recreated).
//!
//! ## References
//! - https://learn.microsoft.com/azure/aks/manage-azure-rbac
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 8.5

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-022",
    title: "AKS clusters have Kubernetes RBAC enabled",
    severity: Severity::High,
    resources: &["azurerm_kubernetes_cluster"],
    frameworks: &[
        "cis-azure:8.5",
        "pci-dss:7.2.1",
        "soc2:CC6.3",
        "sox:itgc-access",
        "hipaa:164.312(a)(1)",
    ],
    equivalent: &["CKV_AZURE_5", "AVD-AZU-0042", "azure-container-use-rbac-permissions"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let msg = "Kubernetes RBAC is disabled: every authenticated identity has full cluster access";
    all([
        expect_bool(r, "role_based_access_control_enabled", true, true, msg),
        expect_bool(r, "role_based_access_control.enabled", true, true, msg),
    ])
}
