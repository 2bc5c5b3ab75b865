//! # AKS clusters disable local accounts
//!
//! ## What it checks
//! An `azurerm_kubernetes_cluster` sets `local_account_disabled = true`
//! (default `false`). Unknown values give no finding.
//!
//! ## Why it matters
//! The local `clusterAdmin` account gives static, non-expiring
//! cluster-admin credentials that bypass Azure AD, MFA, conditional access
//! and audit attribution. Disabling it makes all access go through
//! identities that can be reviewed and revoked.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_kubernetes_cluster" "k8s" {
//!   name = "k8s"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   local_account_disabled = true
//!   azure_active_directory_role_based_access_control {
//!     azure_rbac_enabled = true
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-026",
    title: "AKS clusters disable local accounts",
    severity: Severity::Medium,
    resources: &["azurerm_kubernetes_cluster"],
    frameworks: &["pci-dss:8.2.2", "soc2:CC6.1", "sox:itgc-access", "hipaa:164.312(d)"],
    equivalent: &["CKV_AZURE_141"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "local_account_disabled",
        true,
        false,
        "local accounts are enabled: static cluster-admin credentials bypass Azure AD",
    )
}
