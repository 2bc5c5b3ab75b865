//! # Managed disk encryption is not disabled
//!
//! ## What it checks
//! An `azurerm_managed_disk` does not turn Azure Disk Encryption off with
//! `encryption_settings { enabled = false }`. A disk with a
//! `disk_encryption_set_id` (customer-managed key) passes; a disk without
//! `encryption_settings` passes, since managed disks are encrypted at rest
//! with platform keys by default. Unknown values give no finding.
//!
//! ## Why it matters
//! An explicitly disabled encryption setting means the disk content is not
//! protected by the organisation's keys, and signals that a data disk was
//! deliberately left out of the encryption baseline auditors check.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_managed_disk" "data" {
//!   name                 = "data"
//!   storage_account_type = "Standard_LRS"
//!   create_option        = "Empty"
//!   disk_size_gb         = 1
//!   encryption_settings {
//!     enabled = false
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove `encryption_settings`, or set `disk_encryption_set_id` to a disk
//! encryption set with a customer-managed key.
//!
//! ## References
//! - https://learn.microsoft.com/azure/virtual-machines/disk-encryption
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 7.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-031",
    title: "Managed disk encryption is not disabled",
    severity: Severity::High,
    resources: &["azurerm_managed_disk"],
    frameworks: &[
        "cis-azure:7.2",
        "pci-dss:3.5.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_2", "AVD-AZU-0038", "azure-compute-enable-disk-encryption"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let des = r.get("disk_encryption_set_id");
    if !des.is_missing() {
        return Outcome::Pass;
    }
    if r.get("encryption_settings").is_missing() {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "encryption_settings.enabled",
        true,
        true,
        "disk encryption is disabled (encryption_settings.enabled = false)",
    )
}
