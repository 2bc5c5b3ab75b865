//! # Storage queue service logs read, write and delete requests
//!
//! ## What it checks
//! An `azurerm_storage_account` of kind `Storage` or `StorageV2` (the
//! default) has `queue_properties { logging { read = true, write = true,
//! delete = true } }`, or a separate `azurerm_storage_account_queue_properties`
//! resource (azurerm v4) referring to it with the same logging. Other account
//! kinds have no queue service and pass. Unknown values give no finding.
//!
//! ## Why it matters
//! Storage Analytics logs are the record of who read, changed or deleted
//! queue messages. Without them an incident involving a leaked key cannot be
//! investigated and unauthorised access goes unnoticed.
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
//!   queue_properties {
//!     logging {
//!       read                  = true
//!       write                 = true
//!       delete                = true
//!       version               = "1.0"
//!       retention_policy_days = 90
//!     }
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/storage/common/storage-analytics-logging
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 3.3

use crate::policy::model::{Body, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_azure::{linked_any, maybe_linked_any};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-005",
    title: "Storage queue service logs read, write and delete requests",
    severity: Severity::Medium,
    resources: &["azurerm_storage_account"],
    frameworks: &[
        "cis-azure:3.3",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &[
        "CKV_AZURE_33",
        "AVD-AZU-0009",
        "azure-storage-queue-services-logging-enabled",
    ],
    check,
};

/// Some(true) logs all three, Some(false) not, None unknown.
fn logs_all(b: &Body, prefix: &str) -> Option<bool> {
    let mut unknown = false;
    for op in ["read", "write", "delete"] {
        let g = b.get(&format!("{prefix}.{op}"));
        if g.is_unknown() {
            unknown = true;
            continue;
        }
        match g.bool() {
            Some(true) => {}
            Some(false) => return Some(false),
            None if g.is_missing() => return Some(false),
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(true) }
}

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    match r.get("account_kind") {
        g if g.is_unknown() => return Outcome::Unknown,
        g => {
            if let Some(k) = g.str()
                && !k.eq_ignore_ascii_case("Storage")
                && !k.eq_ignore_ascii_case("StorageV2")
            {
                return Outcome::Pass;
            }
        }
    }
    let msg = "queue logging does not record read, write and delete requests";
    if !r.get("queue_properties").is_missing() {
        match logs_all(&r.body, "queue_properties.logging") {
            Some(true) => return Outcome::Pass,
            None => return Outcome::Unknown,
            Some(false) => {
                let span = r
                    .get("queue_properties.logging")
                    .span()
                    .or(r.get("queue_properties").span());
                return fail(span, msg);
            }
        }
    }
    let kind = "azurerm_storage_account_queue_properties";
    let attrs = ["storage_account_id"];
    let mut unknown = false;
    for o in linked_any(cx, r, kind, &attrs) {
        match logs_all(&o.body, "logging") {
            Some(true) => return Outcome::Pass,
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown || maybe_linked_any(cx, kind, &attrs) {
        return Outcome::Unknown;
    }
    fail(
        None,
        "queue logging is not configured: read, write and delete requests are not logged",
    )
}
