//! # Network security groups do not allow SSH from the internet
//!
//! ## What it checks
//! `azurerm_network_security_group` (its `security_rule` blocks, also from
//! `dynamic` blocks) and `azurerm_network_security_rule` rules that allow
//! inbound TCP (or `*`) traffic to port 22 — through
//! `destination_port_range` or `destination_port_ranges`, including ranges
//! such as `20-30` and `*` — from `*`, `Internet`, `Any`, `0.0.0.0` or any
//! `/0` prefix in `source_address_prefix` or `source_address_prefixes`.
//! Rules with unknown values give no finding.
//!
//! ## Why it matters
//! SSH exposed to the internet is scanned and brute-forced continuously,
//! and any weak password or unpatched daemon becomes a direct way in.
//! Administrative access belongs behind Azure Bastion, a VPN or a fixed
//! source range.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_network_security_group" "web" {
//!   security_rule {
//!     name                       = "ssh"
//!     priority                   = 100
//!     direction                  = "Inbound"
//!     access                     = "Allow"
//!     protocol                   = "Tcp"
//!     source_port_range          = "*"
//!     destination_port_range     = "22"
//!     source_address_prefix      = "*"
//!     destination_address_prefix = "*"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Restrict `source_address_prefix` to the administrators' range, or remove
//! the rule and use Azure Bastion.
//!
//! ## References
//! - https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 6.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_azure::nsg_open_port;

pub static RULE: Rule = Rule {
    id: "LG-AZURE-015",
    title: "Network security groups do not allow SSH from the internet",
    severity: Severity::High,
    resources: &["azurerm_network_security_group", "azurerm_network_security_rule"],
    frameworks: &["cis-azure:6.2", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &[
        "CKV_AZURE_10",
        "AVD-AZU-0050",
        "azure-network-ssh-blocked-from-internet",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    nsg_open_port(r, 22, "SSH (port 22)")
}
