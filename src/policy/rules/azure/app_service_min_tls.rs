//! # App Service apps require TLS 1.2 or later
//!
//! ## What it checks
//! The `site_config` of an `azurerm_app_service` (`min_tls_version`) or of
//! an `azurerm_linux_web_app` / `azurerm_windows_web_app`
//! (`minimum_tls_version`) is not `1.0` or `1.1`. The provider default is
//! `1.2`, so an absent setting passes. Unknown values give no finding.
//!
//! ## Why it matters
//! TLS 1.0 and 1.1 are deprecated and not accepted by PCI DSS; allowing them
//! lets clients negotiate weak protocols for traffic that carries sessions
//! and personal data.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_app_service" "app" {
//!   name = "app"
//!   site_config {
//!     min_tls_version = "1.0"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   site_config {
//!     min_tls_version = "1.2"
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-tls-versions
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 9.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_none_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-028",
    title: "App Service apps require TLS 1.2 or later",
    severity: Severity::Medium,
    resources: &[
        "azurerm_app_service",
        "azurerm_linux_web_app",
        "azurerm_windows_web_app",
    ],
    frameworks: &[
        "cis-azure:9.3",
        "pci-dss:4.2.1",
        "hipaa:164.312(e)(1)",
        "soc2:CC6.7",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AZURE_15", "AVD-AZU-0006", "azure-appservice-use-secure-tls-policy"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let key = if r.kind == "azurerm_app_service" {
        "site_config.min_tls_version"
    } else {
        "site_config.minimum_tls_version"
    };
    expect_none_of(
        r,
        key,
        &["1.0", "1.1"],
        "the minimum TLS version is below 1.2: clients may connect with TLS 1.0 or 1.1",
    )
}
