//! # Key vault keys have an expiration date
//!
//! ## What it checks
//! An `azurerm_key_vault_key` sets `expiration_date`, or has a
//! `rotation_policy` with `expire_after`. An unknown value (for example
//! computed with `timeadd`) counts as set.
//!
//! ## Why it matters
//! Keys without an expiry are used indefinitely, so a compromised key stays
//! valid forever and rotation is never forced. An expiration date makes key
//! lifetime part of the configuration, as PCI DSS cryptoperiod requirements
//! and CIS ask.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_key_vault_key" "k" {
//!   name         = "k"
//!   key_vault_id = azurerm_key_vault.kv.id
//!   key_type     = "RSA"
//!   key_size     = 2048
//!   key_opts     = ["decrypt", "encrypt"]
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   expiration_date = "2026-12-31T00:00:00Z"
//! ```
//! or use a `rotation_policy` with `expire_after`.
//!
//! ## References
//! - https://learn.microsoft.com/azure/key-vault/keys/about-keys
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 8.1
//!
//! ## Differences from Checkov
//! CKV_AZURE_40 only accepts `expiration_date`; a key whose
//! `rotation_policy` sets `expire_after` also passes here.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-020",
    title: "Key vault keys have an expiration date",
    severity: Severity::Medium,
    resources: &["azurerm_key_vault_key"],
    frameworks: &[
        "cis-azure:8.1",
        "pci-dss:3.7.4",
        "soc2:CC6.1",
        "hipaa:164.312(a)(2)(iv)",
    ],
    equivalent: &["CKV_AZURE_40", "AVD-AZU-0014", "azure-keyvault-ensure-key-expiry"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if !r.get("rotation_policy.expire_after").is_missing() {
        return Outcome::Pass;
    }
    expect_set(
        r,
        "expiration_date",
        "the key has no expiration_date: it stays valid forever",
    )
}
