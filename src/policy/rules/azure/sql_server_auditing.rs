//! # SQL servers have auditing enabled
//!
//! ## What it checks
//! An `azurerm_mssql_server` or `azurerm_sql_server` has auditing: an
//! inline `extended_auditing_policy` block (azurerm v2) or a separate
//! `azurerm_mssql_server_extended_auditing_policy` resource whose `server_id`
//! refers to the server and that is not `enabled = false`. When such a
//! resource names its server through an unknown value, no finding.
//!
//! ## Why it matters
//! SQL auditing records logins, queries and permission changes. Without it
//! there is no trail to detect or investigate misuse of the database, and
//! PCI DSS, HIPAA and SOX all require audit logs of access to regulated data.
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
//! resource "azurerm_mssql_server_extended_auditing_policy" "db" {
//!   server_id              = azurerm_mssql_server.db.id
//!   log_monitoring_enabled = true
//!   retention_in_days      = 90
//! }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/auditing-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 4.1.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_azure::{linked_any, maybe_linked_any};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-008",
    title: "SQL servers have auditing enabled",
    severity: Severity::Medium,
    resources: &["azurerm_mssql_server", "azurerm_sql_server"],
    frameworks: &[
        "cis-azure:4.1.1",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AZURE_23"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let inline = r.get("extended_auditing_policy");
    if inline.is_unknown() {
        return Outcome::Unknown;
    }
    if !inline.is_missing() {
        return Outcome::Pass;
    }
    let kind = "azurerm_mssql_server_extended_auditing_policy";
    let mut unknown = false;
    for p in linked_any(cx, r, kind, &["server_id"]) {
        match p.get("enabled") {
            g if g.is_unknown() => unknown = true,
            g if g.bool() == Some(false) => {}
            _ => return Outcome::Pass,
        }
    }
    if unknown || maybe_linked_any(cx, kind, &["server_id"]) {
        return Outcome::Unknown;
    }
    fail(
        None,
        "the server has no auditing policy: database access is not recorded",
    )
}
