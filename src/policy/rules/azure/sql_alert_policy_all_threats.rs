//! # SQL threat detection covers all threat types
//!
//! ## What it checks
//! An `azurerm_mssql_server_security_alert_policy` has `state = "Enabled"`
//! and an empty (or absent) `disabled_alerts` list, so that SQL injection,
//! data exfiltration, anomalous access and the other alert types are all
//! raised. Unknown values give no finding.
//!
//! ## Why it matters
//! Advanced Threat Protection alerts on SQL injection attempts and unusual
//! access or data export. Disabling alert types, typically the most
//! valuable ones such as `Sql_Injection` and `Data_Exfiltration`, leaves
//! exactly those attacks undetected.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_mssql_server_security_alert_policy" "db" {
//!   server_name     = azurerm_mssql_server.db.name
//!   state           = "Enabled"
//!   disabled_alerts = ["Sql_Injection", "Data_Exfiltration"]
//! }
//! ```
//!
//! ## Fix
//! Remove `disabled_alerts` (or set it to `[]`).
//!
//! ## References
//! - https://learn.microsoft.com/azure/azure-sql/database/threat-detection-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 4.2.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of, fail};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-014",
    title: "SQL threat detection covers all threat types",
    severity: Severity::Medium,
    resources: &["azurerm_mssql_server_security_alert_policy"],
    frameworks: &[
        "cis-azure:4.2.1",
        "pci-dss:11.5.1",
        "soc2:CC7.2",
        "hipaa:164.308(a)(1)(ii)(D)",
    ],
    equivalent: &["CKV_AZURE_25"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match expect_one_of(
        r,
        "state",
        &["Enabled"],
        None,
        "the security alert policy is not enabled",
    ) {
        Outcome::Pass => {}
        o => return o,
    }
    let g = r.get("disabled_alerts");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    match g.strs() {
        Some(l) if l.iter().any(|s| !s.is_empty()) => fail(
            g.span(),
            format!("threat detection alert types are disabled: {}", l.join(", ")),
        ),
        Some(_) => Outcome::Pass,
        None if g.is_missing() => Outcome::Pass,
        None => Outcome::Unknown,
    }
}
