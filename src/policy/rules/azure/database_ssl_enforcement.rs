//! # PostgreSQL, MySQL and MariaDB servers enforce SSL connections
//!
//! ## What it checks
//! `azurerm_postgresql_server`, `azurerm_mysql_server` and
//! `azurerm_mariadb_server` set `ssl_enforcement_enabled = true` (or, on
//! old azurerm v1/v2 configurations, `ssl_enforcement = "Enabled"`). A
//! server that sets neither fails. Unknown values give no finding.
//!
//! ## Why it matters
//! Without SSL enforcement, clients may connect in clear text, exposing
//! database credentials and query results to anyone on the network path.
//! CIS and PCI DSS require encryption of data in transit to databases.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_postgresql_server" "db" {
//!   name                    = "db"
//!   sku_name                = "GP_Gen5_2"
//!   version                 = "11"
//!   ssl_enforcement_enabled = false
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   ssl_enforcement_enabled          = true
//!   ssl_minimal_tls_version_enforced = "TLS1_2"
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/postgresql/single-server/concepts-ssl-connection-security
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 4.3.1, 4.3.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-032",
    title: "PostgreSQL, MySQL and MariaDB servers enforce SSL connections",
    severity: Severity::High,
    resources: &[
        "azurerm_postgresql_server",
        "azurerm_mysql_server",
        "azurerm_mariadb_server",
    ],
    frameworks: &[
        "cis-azure:4.3.1",
        "cis-azure:4.3.2",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_29", "CKV_AZURE_28", "CKV_AZURE_47"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let msg = "SSL enforcement is disabled: clients may connect without encryption";
    if r.get("ssl_enforcement_enabled").is_missing() && !r.get("ssl_enforcement").is_missing() {
        return expect_one_of(r, "ssl_enforcement", &["Enabled"], None, msg);
    }
    expect_bool(r, "ssl_enforcement_enabled", true, false, msg)
}
