//! # Storage accounts replicate data to a second region
//!
//! ## What it checks
//! An `azurerm_storage_account` has `account_replication_type` set to a
//! geo-redundant option: `GRS`, `RAGRS`, `GZRS` or `RAGZRS`. `LRS` and `ZRS`
//! keep every copy in one region and fail. Unknown values give no finding.
//!
//! ## Why it matters
//! Locally or zone-redundant storage does not survive a regional outage or
//! disaster; geo-redundant replication keeps a copy in the paired region so
//! data stays available and recoverable, as business continuity and
//! availability controls require.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_storage_account" "data" {
//!   name                     = "data"
//!   account_tier             = "Standard"
//!   account_replication_type = "LRS"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   account_replication_type = "GZRS"
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/common/storage-redundancy

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-007",
    title: "Storage accounts replicate data to a second region",
    severity: Severity::Low,
    resources: &["azurerm_storage_account"],
    frameworks: &["soc2:A1.2", "hipaa:164.308(a)(7)(ii)(B)", "sox:itgc-operations"],
    equivalent: &["CKV_AZURE_206"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "account_replication_type",
        &["GRS", "RAGRS", "GZRS", "RAGZRS"],
        None,
        "account_replication_type is not geo-redundant: a regional outage loses access to the data",
    )
}
