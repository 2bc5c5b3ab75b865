//! # Storage accounts keep deleted blobs recoverable (soft delete)
//!
//! ## What it checks
//! An `azurerm_storage_account` (other than `account_kind = "FileStorage"`,
//! which has no blob service) has `blob_properties {
//! delete_retention_policy { ... } }` with a retention of at least one day
//! (`days` defaults to 7). A missing `blob_properties` or
//! `delete_retention_policy` block fails. Unknown values give no finding.
//!
//! ## Why it matters
//! Without soft delete, a blob deleted or overwritten by mistake, by a
//! compromised key or by ransomware is gone immediately. Soft delete keeps
//! it recoverable for the retention period, which auditors treat as part of
//! backup and integrity controls.
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
//!   blob_properties {
//!     delete_retention_policy {
//!       days = 14
//!     }
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.8

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_at_least, fail};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-006",
    title: "Storage accounts keep deleted blobs recoverable (soft delete)",
    severity: Severity::Medium,
    resources: &["azurerm_storage_account"],
    frameworks: &[
        "cis-azure:3.8",
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "gdpr:art-32",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV2_AZURE_38"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("account_kind") {
        g if g.is_unknown() => return Outcome::Unknown,
        g if g.str().is_some_and(|k| k.eq_ignore_ascii_case("FileStorage")) => return Outcome::Pass,
        _ => {}
    }
    let policy = r.get("blob_properties.delete_retention_policy");
    if policy.is_unknown() {
        return Outcome::Unknown;
    }
    if policy.is_missing() {
        return fail(
            r.get("blob_properties").span(),
            "blob soft delete is not enabled: deleted blobs cannot be recovered",
        );
    }
    expect_at_least(
        r,
        "blob_properties.delete_retention_policy.days",
        1.0,
        Some(7.0),
        "the blob soft delete retention is less than one day",
    )
}
