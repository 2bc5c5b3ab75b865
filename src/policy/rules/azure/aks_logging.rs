//! # AKS clusters send logs to Azure Monitor
//!
//! ## What it checks
//! An `azurerm_kubernetes_cluster` has Container insights enabled — an
//! `oms_agent` block with a `log_analytics_workspace_id` (azurerm v3 and
//! later) or `addon_profile { oms_agent { enabled = true } }` (azurerm v2) —
//! or an `azurerm_monitor_diagnostic_setting` whose `target_resource_id`
//! refers to the cluster. Unknown values give no finding.
//!
//! ## Why it matters
//! Without logs shipped to Azure Monitor there is no record of API server
//! activity, node and container events to detect an intrusion or to
//! reconstruct what happened afterwards.
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
//!   oms_agent {
//!     log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-overview
//!
//! ## Differences from Checkov
//! CKV_AZURE_4 does not consider a separate
//! `azurerm_monitor_diagnostic_setting` for the cluster.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool, expect_set, fail};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-025",
    title: "AKS clusters send logs to Azure Monitor",
    severity: Severity::Medium,
    resources: &["azurerm_kubernetes_cluster"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AZURE_4", "AVD-AZU-0040", "azure-container-logging"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let diag = "azurerm_monitor_diagnostic_setting";
    if cx.linked(r, diag, "target_resource_id").next().is_some() {
        return Outcome::Pass;
    }
    if !r.get("oms_agent").is_missing() {
        return expect_set(
            r,
            "oms_agent.log_analytics_workspace_id",
            "oms_agent has no log analytics workspace",
        );
    }
    if !r.get("addon_profile.oms_agent").is_missing() {
        return expect_bool(
            r,
            "addon_profile.oms_agent.enabled",
            true,
            false,
            "the OMS agent is disabled: cluster logs are not sent to Azure Monitor",
        );
    }
    if cx.maybe_linked(diag, "target_resource_id") || r.get("addon_profile").is_unknown() {
        return Outcome::Unknown;
    }
    fail(
        None,
        "no OMS agent or diagnostic setting: cluster logs are not sent to Azure Monitor",
    )
}
