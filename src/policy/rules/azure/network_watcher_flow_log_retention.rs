//! # NSG flow logs are enabled and retained for at least 90 days
//!
//! ## What it checks
//! An `azurerm_network_watcher_flow_log` has `enabled = true` and a
//! `retention_policy` block with `enabled = true` and `days` of 90 or more,
//! or `0` (keep forever). A disabled flow log, a missing or disabled
//! retention policy, or a shorter retention fails. Unknown values give no
//! finding.
//!
//! ## Why it matters
//! Flow logs are the network record of which addresses talked to which
//! hosts; investigations of lateral movement and exfiltration depend on
//! them, often months after the fact. CIS asks for at least 90 days.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_network_watcher_flow_log" "nsg" {
//!   enabled = true
//!   retention_policy {
//!     enabled = true
//!     days    = 10
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   retention_policy {
//!     enabled = true
//!     days    = 90
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 6.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool, fail};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-017",
    title: "NSG flow logs are enabled and retained for at least 90 days",
    severity: Severity::Medium,
    resources: &["azurerm_network_watcher_flow_log"],
    frameworks: &[
        "cis-azure:6.4",
        "pci-dss:10.5.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AZURE_12", "AVD-AZU-0049", "azure-network-retention-policy-set"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match expect_bool(
        r,
        "enabled",
        true,
        true,
        "the flow log is disabled: network traffic is not recorded",
    ) {
        Outcome::Pass => {}
        o => return o,
    }
    if r.get("retention_policy").is_missing() {
        return fail(None, "the flow log has no retention policy");
    }
    match expect_bool(
        r,
        "retention_policy.enabled",
        true,
        false,
        "the flow log retention policy is disabled",
    ) {
        Outcome::Pass => {}
        o => return o,
    }
    let g = r.get("retention_policy.days");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    match g.num() {
        Some(d) if d == 0.0 || d >= 90.0 => Outcome::Pass,
        Some(d) => fail(g.span(), format!("flow logs are kept for {d} days, fewer than 90")),
        None if g.is_missing() => fail(
            r.get("retention_policy").span(),
            "the flow log retention has no days set",
        ),
        None => Outcome::Unknown,
    }
}
