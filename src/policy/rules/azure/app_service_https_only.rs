//! # App Service apps accept only HTTPS
//!
//! ## What it checks
//! An `azurerm_app_service`, `azurerm_linux_web_app` or
//! `azurerm_windows_web_app` sets `https_only = true` (default `false`).
//! Unknown values give no finding.
//!
//! ## Why it matters
//! Without HTTPS-only, the app serves plain HTTP, so session cookies,
//! credentials and data can be read or altered in transit. Redirecting all
//! HTTP to HTTPS is required by CIS and PCI DSS.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_linux_web_app" "app" {
//!   name       = "app"
//!   https_only = false
//!   site_config {}
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   https_only = true
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 9.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-027",
    title: "App Service apps accept only HTTPS",
    severity: Severity::High,
    resources: &[
        "azurerm_app_service",
        "azurerm_linux_web_app",
        "azurerm_windows_web_app",
    ],
    frameworks: &[
        "cis-azure:9.2",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_14", "AVD-AZU-0004", "azure-appservice-enforce-https"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "https_only",
        true,
        false,
        "https_only is not true: the app serves plain HTTP",
    )
}
