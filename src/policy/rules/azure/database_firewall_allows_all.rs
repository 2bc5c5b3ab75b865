//! # Database firewall rules do not allow the whole internet
//!
//! ## What it checks
//! Firewall rules of Azure SQL, PostgreSQL, MySQL and MariaDB servers
//! (`azurerm_sql_firewall_rule`, `azurerm_mssql_firewall_rule`,
//! `azurerm_postgresql_firewall_rule`,
//! `azurerm_postgresql_flexible_server_firewall_rule`,
//! `azurerm_mysql_firewall_rule`, `azurerm_mysql_flexible_server_firewall_rule`,
//! `azurerm_mariadb_firewall_rule`) whose range runs from `0.0.0.0` to
//! `255.255.255.255`. Unknown addresses give no finding. (The special rule
//! `0.0.0.0`–`0.0.0.0`, "allow Azure services", is not reported here.)
//!
//! ## Why it matters
//! A rule covering every IPv4 address turns the server firewall off: the
//! database login is exposed to the whole internet and to continuous
//! password guessing.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_firewall_rule" "all" {
//!   name             = "all"
//!   server_id        = azurerm_mssql_server.db.id
//!   start_ip_address = "0.0.0.0"
//!   end_ip_address   = "255.255.255.255"
//! }
//! ```
//!
//! ## Fix
//! Allow only the addresses that need access, or use private endpoints.
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/firewall-configure
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 6.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_azure::str_setting;

pub static RULE: Rule = Rule {
    id: "LG-AZURE-012",
    title: "Database firewall rules do not allow the whole internet",
    severity: Severity::Critical,
    resources: &[
        "azurerm_sql_firewall_rule",
        "azurerm_mssql_firewall_rule",
        "azurerm_postgresql_firewall_rule",
        "azurerm_postgresql_flexible_server_firewall_rule",
        "azurerm_mysql_firewall_rule",
        "azurerm_mysql_flexible_server_firewall_rule",
        "azurerm_mariadb_firewall_rule",
    ],
    frameworks: &[
        "cis-azure:6.3",
        "pci-dss:1.3.1",
        "soc2:CC6.6",
        "hipaa:164.312(e)(1)",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_11"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let (Some(start), Some(end)) = (str_setting(r, "start_ip_address"), str_setting(r, "end_ip_address")) else {
        return Outcome::Unknown;
    };
    let start_any = start
        .as_ref()
        .is_some_and(|(s, _)| matches!(s.trim(), "0.0.0.0" | "0.0.0.0/0"));
    let end_all = end.as_ref().is_some_and(|(s, _)| s.trim() == "255.255.255.255");
    if start_any && end_all {
        return fail(
            start.and_then(|(_, sp)| sp),
            "the firewall rule allows every IPv4 address (0.0.0.0-255.255.255.255)",
        );
    }
    Outcome::Pass
}
