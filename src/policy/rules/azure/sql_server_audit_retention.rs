//! # SQL server audit logs are retained for at least 90 days
//!
//! ## What it checks
//! The auditing policy of an `azurerm_mssql_server` or `azurerm_sql_server`
//! (inline `extended_auditing_policy` block, or a separate
//! `azurerm_mssql_server_extended_auditing_policy` whose `server_id` refers
//! to the server) has `retention_in_days` of 90 or more, or `0`, which
//! Azure treats as unlimited retention (also the default). A server with no
//! auditing policy at all fails too, since nothing is retained. Unknown
//! values give no finding.
//!
//! ## Why it matters
//! Audit logs only help an investigation if they still exist when a breach
//! is found, often months later. CIS asks for more than 90 days and PCI DSS
//! for a year of audit history.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_server_extended_auditing_policy" "db" {
//!   server_id         = azurerm_mssql_server.db.id
//!   retention_in_days = 30
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   retention_in_days = 365
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/auditing-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 4.1.3
//!
//! ## Differences from Checkov
//! CKV_AZURE_24 requires `retention_in_days >= 90` and fails the default
//! `0`; Azure documents `0` as unlimited retention, which this rule accepts.

use crate::policy::model::{Body, Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_azure::{linked_any, maybe_linked_any};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-009",
    title: "SQL server audit logs are retained for at least 90 days",
    severity: Severity::Low,
    resources: &["azurerm_mssql_server", "azurerm_sql_server"],
    frameworks: &[
        "cis-azure:4.1.3",
        "pci-dss:10.5.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AZURE_24"],
    check,
};

const MSG: &str = "audit logs are kept for fewer than 90 days";

fn retention(b: &Body, path: &str) -> Outcome {
    match b.get(path) {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => Outcome::Pass,
        g => match g.num() {
            Some(n) if n == 0.0 || n >= 90.0 => Outcome::Pass,
            Some(_) => fail(g.span(), MSG),
            None => Outcome::Unknown,
        },
    }
}

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let inline = r.get("extended_auditing_policy");
    if inline.is_unknown() {
        return Outcome::Unknown;
    }
    if !inline.is_missing() {
        return retention(&r.body, "extended_auditing_policy.retention_in_days");
    }
    let kind = "azurerm_mssql_server_extended_auditing_policy";
    let policies = linked_any(cx, r, kind, &["server_id"]);
    if let Some(p) = policies.first() {
        return match retention(&p.body, "retention_in_days") {
            Outcome::Fail { .. } => fail(None, format!("{MSG} ({})", p.address)),
            o => o,
        };
    }
    if maybe_linked_any(cx, kind, &["server_id"]) {
        return Outcome::Unknown;
    }
    fail(None, "the server has no auditing policy, so no audit logs are retained")
}
