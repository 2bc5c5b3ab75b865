//! # Key vault secrets have an expiration date
//!
//! ## What it checks
//! An `azurerm_key_vault_secret` sets `expiration_date`. An unknown value
//! counts as set.
//!
//! ## Why it matters
//! Secrets without an expiry (passwords, connection strings, API keys) are
//! never forced to rotate, so a leaked secret remains usable indefinitely.
//! CIS requires an expiration date on every secret.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_key_vault_secret" "db" {
//!   name         = "db-password"
//!   value        = random_password.db.result
//!   key_vault_id = azurerm_key_vault.kv.id
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   expiration_date = "2026-12-31T00:00:00Z"
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/key-vault/secrets/about-secrets
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 8.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-021",
    title: "Key vault secrets have an expiration date",
    severity: Severity::Medium,
    resources: &["azurerm_key_vault_secret"],
    frameworks: &["cis-azure:8.2", "pci-dss:8.3.9", "soc2:CC6.1", "sox:itgc-access"],
    equivalent: &["CKV_AZURE_41", "AVD-AZU-0017", "azure-keyvault-ensure-secret-expiry"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "expiration_date",
        "the secret has no expiration_date: it is never forced to rotate",
    )
}
