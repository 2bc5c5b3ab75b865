//! # Storage accounts require TLS 1.2 or later
//!
//! ## What it checks
//! An `azurerm_storage_account` sets `min_tls_version` to `TLS1_2` (or
//! later). An absent setting fails: azurerm provider versions before 3.0
//! defaulted to `TLS1_0`, and an explicit value keeps the requirement
//! visible whatever provider version is used. Unknown values give no finding.
//!
//! ## Why it matters
//! TLS 1.0 and 1.1 have known weaknesses and are no longer accepted by PCI
//! DSS for protecting data in transit. Requiring TLS 1.2 stops clients from
//! negotiating a weak protocol with the storage endpoints.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   name                     = "data"
//!   account_tier             = "Standard"
//!   account_replication_type = "GRS"
//!   min_tls_version          = "TLS1_0"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   min_tls_version = "TLS1_2"
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.12

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-002",
    title: "Storage accounts require TLS 1.2 or later",
    severity: Severity::Medium,
    resources: &["azurerm_storage_account"],
    frameworks: &[
        "cis-azure:3.12",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_44", "AVD-AZU-0011", "azure-storage-use-secure-tls-policy"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "min_tls_version",
        &["TLS1_2", "TLS1_3"],
        None,
        "min_tls_version is not TLS1_2: clients may connect with TLS 1.0 or 1.1",
    )
}
