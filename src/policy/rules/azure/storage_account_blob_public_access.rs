//! # Storage accounts do not allow anonymous public blob access
//!
//! ## What it checks
//! An `azurerm_storage_account` sets `allow_nested_items_to_be_public =
//! false` (azurerm v3 and later, where it defaults to `true`), or, on azurerm
//! v2, leaves `allow_blob_public_access` at its default `false`. A true value
//! of either fails, and so does a resource that sets neither. Unknown values
//! give no finding.
//!
//! ## Why it matters
//! When the account allows it, any container can be switched to anonymous
//! read access, and a single mistaken container setting publishes its blobs
//! to the internet. Disabling it at the account level is the control CIS and
//! Microsoft recommend against accidental data exposure.
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
//!   allow_nested_items_to_be_public = false
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.5

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-003",
    title: "Storage accounts do not allow anonymous public blob access",
    severity: Severity::High,
    resources: &["azurerm_storage_account"],
    frameworks: &[
        "cis-azure:3.5",
        "pci-dss:1.4.1",
        "soc2:CC6.1",
        "hipaa:164.312(a)(1)",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_AZURE_190"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("allow_nested_items_to_be_public").is_missing() {
        return expect_bool(
            r,
            "allow_nested_items_to_be_public",
            false,
            true,
            "allow_nested_items_to_be_public is true: containers can be made anonymously readable",
        );
    }
    if !r.get("allow_blob_public_access").is_missing() {
        return expect_bool(
            r,
            "allow_blob_public_access",
            false,
            false,
            "allow_blob_public_access is true: containers can be made anonymously readable",
        );
    }
    expect_bool(
        r,
        "allow_nested_items_to_be_public",
        false,
        true,
        "allow_nested_items_to_be_public is not set to false: it defaults to true, so containers can be made anonymously readable",
    )
}
