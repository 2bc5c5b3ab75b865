//! # Network security groups do not allow RDP from the internet
//!
//! ## What it checks
//! `azurerm_network_security_group` (its `security_rule` blocks, also from
//! `dynamic` blocks) and `azurerm_network_security_rule` rules that allow
//! inbound TCP (or `*`) traffic to port 3389 — through
//! `destination_port_range` or `destination_port_ranges`, including ranges
//! and `*` — from `*`, `Internet`, `Any`, `0.0.0.0` or any `/0` prefix in
//! `source_address_prefix` or `source_address_prefixes`. Rules with unknown
//! values give no finding.
//!
//! ## Why it matters
//! Internet-facing RDP is one of the most common initial access vectors for
//! ransomware: it is brute-forced constantly and has had wormable
//! vulnerabilities. Remote desktop belongs behind Azure Bastion, a VPN or
//! just-in-time access.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_network_security_rule" "rdp" {
//!   name                        = "rdp"
//!   priority                    = 100
//!   direction                   = "Inbound"
//!   access                      = "Allow"
//!   protocol                    = "Tcp"
//!   source_port_range           = "*"
//!   destination_port_range      = "3389"
//!   source_address_prefix       = "Internet"
//!   destination_address_prefix  = "*"
//!   network_security_group_name = azurerm_network_security_group.web.name
//! }
//! ```
//!
//! ## Fix
//! Restrict the source to a known range, or use Azure Bastion or
//! just-in-time VM access.
//!
//! ## References
//! - https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
//! - CIS Microsoft Azure Foundations Benchmark v1.3.0 6.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_azure::nsg_open_port;

pub static RULE: Rule = Rule {
    id: "LG-AZURE-016",
    title: "Network security groups do not allow RDP from the internet",
    severity: Severity::High,
    resources: &["azurerm_network_security_group", "azurerm_network_security_rule"],
    frameworks: &["cis-azure:6.1", "pci-dss:1.3.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AZURE_9", "AVD-AZU-0048", "azure-network-disable-rdp-from-internet"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    nsg_open_port(r, 3389, "RDP (port 3389)")
}
