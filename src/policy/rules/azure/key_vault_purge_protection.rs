//! # Key vaults are recoverable (purge protection and soft delete)
//!
//! ## What it checks
//! An `azurerm_key_vault` sets `purge_protection_enabled = true` (default
//! `false`) and does not set `soft_delete_enabled = false` (azurerm v2).
//! Unknown values give no finding.
//!
//! ## Why it matters
//! Without purge protection, a deleted vault or key can be purged at once by
//! a malicious insider or a compromised identity, permanently destroying the
//! keys that decrypt storage, disks and databases. Purge protection enforces
//! the retention period so deletions can always be recovered.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_key_vault" "kv" {
//!   name     = "kv"
//!   sku_name = "standard"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   purge_protection_enabled   = true
//!   soft_delete_retention_days = 90
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 8.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-018",
    title: "Key vaults are recoverable (purge protection and soft delete)",
    severity: Severity::Medium,
    resources: &["azurerm_key_vault"],
    frameworks: &[
        "cis-azure:8.4",
        "pci-dss:3.6.1",
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "gdpr:art-32",
    ],
    equivalent: &[
        "CKV_AZURE_110",
        "CKV_AZURE_42",
        "AVD-AZU-0016",
        "azure-keyvault-no-purge",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    all([
        expect_bool(
            r,
            "purge_protection_enabled",
            true,
            false,
            "purge protection is not enabled: deleted keys and secrets can be purged immediately",
        ),
        expect_bool(
            r,
            "soft_delete_enabled",
            true,
            true,
            "soft delete is disabled: deleted keys and secrets cannot be recovered",
        ),
    ])
}
