//! # Storage account network access is denied by default
//!
//! ## What it checks
//! An `azurerm_storage_account` restricts network access: its inline
//! `network_rules` block has `default_action = "Deny"`, or a separate
//! `azurerm_storage_account_network_rules` resource referring to the account
//! (`storage_account_id` or `storage_account_name`) does, or
//! `public_network_access_enabled = false`. Without any of these the account
//! accepts connections from every network. Each
//! `azurerm_storage_account_network_rules` resource is also checked for
//! `default_action = "Allow"`. Unknown values give no finding.
//!
//! ## Why it matters
//! A storage account reachable from any network depends solely on keys and
//! tokens; a leaked key or SAS is then usable from anywhere. Denying by
//! default and allowing only chosen virtual networks or addresses limits the
//! blast radius of leaked credentials.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   name                     = "data"
//!   account_tier             = "Standard"
//!   account_replication_type = "GRS"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   network_rules {
//!     default_action = "Deny"
//!     bypass         = ["AzureServices"]
//!     ip_rules       = ["203.0.113.0/24"]
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/common/storage-network-security
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.6
//!
//! ## Differences from Checkov
//! CKV_AZURE_35 returns no result for a storage account that has no network
//! rules at all; the account then allows every network, which this rule
//! reports.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of, fail};
use crate::policy::rules::common_azure::{linked_any, maybe_linked_any};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-004",
    title: "Storage account network access is denied by default",
    severity: Severity::Medium,
    resources: &["azurerm_storage_account", "azurerm_storage_account_network_rules"],
    frameworks: &["cis-azure:3.6", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AZURE_35", "AVD-AZU-0012", "azure-storage-default-action-deny"],
    check,
};

const MSG: &str = "the default network action is Allow: the storage account accepts connections from any network";

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if r.kind == "azurerm_storage_account_network_rules" {
        return expect_one_of(r, "default_action", &["Deny"], None, MSG);
    }
    match r.get("public_network_access_enabled").bool() {
        Some(false) => return Outcome::Pass,
        _ if r.get("public_network_access_enabled").is_unknown() => return Outcome::Unknown,
        _ => {}
    }
    if !r.get("network_rules").is_missing() {
        return expect_one_of(r, "network_rules.default_action", &["Deny"], None, MSG);
    }
    let kind = "azurerm_storage_account_network_rules";
    let attrs = ["storage_account_id", "storage_account_name"];
    let linked = linked_any(cx, r, kind, &attrs);
    if !linked.is_empty() {
        // The companion resource is reported on its own.
        return Outcome::Pass;
    }
    if maybe_linked_any(cx, kind, &attrs) {
        return Outcome::Unknown;
    }
    fail(
        None,
        "the storage account has no network rules: it accepts connections from any network",
    )
}
