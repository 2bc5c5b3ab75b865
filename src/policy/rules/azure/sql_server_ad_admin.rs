//! # SQL servers have an Azure AD administrator
//!
//! ## What it checks
//! An `azurerm_mssql_server` has an `azuread_administrator` block with a
//! non-empty `login_username`, or, for it and for `azurerm_sql_server`, a
//! separate `azurerm_sql_active_directory_administrator` resource whose
//! `server_name` refers to the server. When that resource names its server
//! through an unknown value, no finding.
//!
//! ## Why it matters
//! With only SQL authentication, database access is governed by local
//! passwords outside the identity provider: no MFA, no central
//! deprovisioning, no conditional access. An Azure AD administrator lets
//! access be managed and revoked with the organisation's identities.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_server" "db" {
//!   name                         = "db"
//!   version                      = "12.0"
//!   administrator_login          = "sqladmin"
//!   administrator_login_password = var.password
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   azuread_administrator {
//!     login_username = "sql-admins"
//!     object_id      = var.sql_admins_group_id
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/authentication-aad-configure
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 4.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set, fail};
use crate::policy::rules::common_azure::{linked_any, maybe_linked_any};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-013",
    title: "SQL servers have an Azure AD administrator",
    severity: Severity::Medium,
    resources: &["azurerm_mssql_server", "azurerm_sql_server"],
    frameworks: &[
        "cis-azure:4.4",
        "pci-dss:8.2.1",
        "soc2:CC6.1",
        "sox:itgc-access",
        "hipaa:164.312(d)",
    ],
    equivalent: &["CKV2_AZURE_7", "CKV2_AZURE_27"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let inline = r.get("azuread_administrator");
    if inline.is_unknown() {
        return Outcome::Unknown;
    }
    if !inline.is_missing() {
        return expect_set(
            r,
            "azuread_administrator.login_username",
            "azuread_administrator has no login_username",
        );
    }
    let kind = "azurerm_sql_active_directory_administrator";
    let attrs = ["server_name", "server_id"];
    if !linked_any(cx, r, kind, &attrs).is_empty() {
        return Outcome::Pass;
    }
    if maybe_linked_any(cx, kind, &attrs) {
        return Outcome::Unknown;
    }
    fail(
        None,
        "the server has no Azure AD administrator: access relies on SQL logins only",
    )
}
