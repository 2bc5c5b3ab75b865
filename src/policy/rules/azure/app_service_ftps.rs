//! # App Service apps do not allow plain FTP deployments
//!
//! ## What it checks
//! The `site_config.ftps_state` of an `azurerm_app_service`,
//! `azurerm_linux_web_app` or `azurerm_windows_web_app` is `Disabled` or
//! `FtpsOnly`. For `azurerm_app_service` the default is `AllAllowed`, so an
//! absent setting fails; for the newer web app resources the default is
//! `Disabled` and an absent setting passes. Unknown values give no finding.
//!
//! ## Why it matters
//! Plain FTP sends the deployment credentials and the application code
//! unencrypted; anyone on the path can capture the credentials and replace
//! the site's code.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_app_service" "app" {
//!   name = "app"
//!   site_config {
//!     ftps_state = "AllAllowed"
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   site_config {
//!     ftps_state = "Disabled"
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 9.10
//!
//! ## Differences from Checkov
//! CKV_AZURE_78 also fails `azurerm_linux_web_app` and
//! `azurerm_windows_web_app` without `ftps_state`, although their default is
//! `Disabled`.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-029",
    title: "App Service apps do not allow plain FTP deployments",
    severity: Severity::Medium,
    resources: &[
        "azurerm_app_service",
        "azurerm_linux_web_app",
        "azurerm_windows_web_app",
    ],
    frameworks: &["cis-azure:9.10", "pci-dss:4.2.1", "soc2:CC6.7", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AZURE_78"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let default = if r.kind == "azurerm_app_service" {
        "AllAllowed"
    } else {
        "Disabled"
    };
    expect_one_of(
        r,
        "site_config.ftps_state",
        &["Disabled", "FtpsOnly"],
        Some(default),
        "plain FTP deployments are allowed (ftps_state is AllAllowed): credentials and code travel unencrypted",
    )
}
