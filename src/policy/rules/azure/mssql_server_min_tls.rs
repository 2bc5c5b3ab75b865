//! # SQL servers require TLS 1.2 or later
//!
//! ## What it checks
//! An `azurerm_mssql_server` sets `minimum_tls_version = "1.2"` (or later).
//! An absent setting fails: before azurerm 3.0 it had no default and the
//! server accepted TLS 1.0, and an explicit value keeps the requirement
//! reviewable. `"Disabled"`, `"1.0"` and `"1.1"` fail. Unknown values give no
//! finding.
//!
//! ## Why it matters
//! TLS 1.0 and 1.1 are deprecated and not accepted by PCI DSS for data in
//! transit; allowing them lets clients negotiate weak ciphers on connections
//! that carry credentials and query results.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_server" "db" {
//!   name                = "db"
//!   version             = "12.0"
//!   minimum_tls_version = "1.0"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   minimum_tls_version = "1.2"
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings#minimal-tls-version

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-011",
    title: "SQL servers require TLS 1.2 or later",
    severity: Severity::Medium,
    resources: &["azurerm_mssql_server"],
    frameworks: &["pci-dss:4.2.1", "hipaa:164.312(e)(1)", "soc2:CC6.7", "gdpr:art-32"],
    equivalent: &["CKV_AZURE_52"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "minimum_tls_version",
        &["1.2", "1.3"],
        None,
        "minimum_tls_version is not 1.2: clients may connect with TLS 1.0 or 1.1",
    )
}
