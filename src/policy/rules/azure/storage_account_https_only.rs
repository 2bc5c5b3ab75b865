//! # Storage accounts accept only HTTPS traffic
//!
//! ## What it checks
//! An `azurerm_storage_account` does not set `https_traffic_only_enabled`
//! (azurerm v4) or `enable_https_traffic_only` (azurerm v2/v3) to `false`.
//! Both default to `true`, so an absent setting passes; an unknown value
//! (variable without default, data source) gives no finding.
//!
//! ## Why it matters
//! With secure transfer disabled, blob, file, queue and table requests over
//! plain HTTP are accepted, exposing shared keys, SAS tokens and data to
//! anyone on the network path. CIS requires "Secure transfer required" on
//! every storage account.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   name                      = "data"
//!   account_tier              = "Standard"
//!   account_replication_type  = "GRS"
//!   enable_https_traffic_only = false
//! }
//! ```
//!
//! ## Fix
//! Remove the setting or set `https_traffic_only_enabled = true`.
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/common/storage-require-secure-transfer
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-001",
    title: "Storage accounts accept only HTTPS traffic",
    severity: Severity::High,
    resources: &["azurerm_storage_account"],
    frameworks: &[
        "cis-azure:3.1",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_3", "AVD-AZU-0008", "azure-storage-enforce-https"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let msg = "secure transfer is disabled: the storage account accepts plain HTTP requests";
    all([
        expect_bool(r, "https_traffic_only_enabled", true, true, msg),
        expect_bool(r, "enable_https_traffic_only", true, true, msg),
    ])
}
