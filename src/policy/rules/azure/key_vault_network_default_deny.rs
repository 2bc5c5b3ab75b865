//! # Key vault network access is denied by default
//!
//! ## What it checks
//! An `azurerm_key_vault` has a `network_acls` block with `default_action =
//! "Deny"`, or `public_network_access_enabled = false`. Without
//! `network_acls` the vault accepts connections from every network. Unknown
//! values give no finding.
//!
//! ## Why it matters
//! A vault reachable from any network relies on Azure AD tokens alone; a
//! stolen token or misassigned access policy is then usable from anywhere.
//! Denying by default and allowing selected networks or private endpoints
//! reduces the exposure of the keys that protect everything else.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_key_vault" "kv" {
//!   name     = "kv"
//!   sku_name = "standard"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   network_acls {
//!     default_action = "Deny"
//!     bypass         = "AzureServices"
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/key-vault/general/network-security
//!
//! ## Differences from Checkov
//! CKV_AZURE_109 only looks at `network_acls`; a vault with
//! `public_network_access_enabled = false` passes here.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of, fail};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-019",
    title: "Key vault network access is denied by default",
    severity: Severity::Medium,
    resources: &["azurerm_key_vault"],
    frameworks: &["pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AZURE_109", "AVD-AZU-0013", "azure-keyvault-specify-network-acl"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let public = r.get("public_network_access_enabled");
    if public.is_unknown() {
        return Outcome::Unknown;
    }
    if public.bool() == Some(false) {
        return Outcome::Pass;
    }
    if r.get("network_acls").is_missing() {
        return fail(
            None,
            "the key vault has no network ACLs: it accepts connections from any network",
        );
    }
    expect_one_of(
        r,
        "network_acls.default_action",
        &["Deny"],
        None,
        "network_acls default_action is Allow: the key vault accepts connections from any network",
    )
}
