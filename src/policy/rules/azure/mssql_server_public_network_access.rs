//! # SQL servers disable public network access
//!
//! ## What it checks
//! An `azurerm_mssql_server` sets `public_network_access_enabled = false`.
//! The provider default is `true`, so an absent setting fails. Unknown
//! values give no finding.
//!
//! ## Why it matters
//! With public network access the server's endpoint is reachable from the
//! internet and protected only by firewall rules and credentials. Private
//! endpoints keep the database off the internet entirely, removing it as a
//! target for brute force and exploitation.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_server" "db" {
//!   name    = "db"
//!   version = "12.0"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   public_network_access_enabled = false
//! ```
//! and connect through an `azurerm_private_endpoint`.
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-010",
    title: "SQL servers disable public network access",
    severity: Severity::High,
    resources: &["azurerm_mssql_server"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)", "gdpr:art-32"],
    equivalent: &["CKV_AZURE_113"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "public_network_access_enabled",
        false,
        true,
        "public network access is enabled: the SQL server endpoint is reachable from the internet",
    )
}
