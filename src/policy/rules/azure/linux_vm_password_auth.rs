//! # Linux virtual machines do not allow password authentication
//!
//! ## What it checks
//! `azurerm_linux_virtual_machine` and
//! `azurerm_linux_virtual_machine_scale_set` do not set
//! `disable_password_authentication = false` (default `true`), and the
//! legacy `azurerm_virtual_machine` does not set
//! `os_profile_linux_config { disable_password_authentication = false }`.
//! Unknown values give no finding.
//!
//! ## Why it matters
//! Password logins over SSH can be brute-forced and passwords are reused
//! and phished; SSH keys cannot be guessed. Requiring key-based
//! authentication removes the most common way Linux VMs are compromised.
//!
//! ## Example
//! ```hcl
//! resource "azurerm_linux_virtual_machine" "vm" {
//!   name                            = "vm"
//!   admin_username                  = "azureuser"
//!   admin_password                  = var.password
//!   disable_password_authentication = false
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//!   disable_password_authentication = true
//!   admin_ssh_key {
//!     username   = "azureuser"
//!     public_key = file("~/.ssh/id_ed25519.pub")
//!   }
//! ```
//!
//! ## References
//! - https://learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AZURE-030",
    title: "Linux virtual machines do not allow password authentication",
    severity: Severity::High,
    resources: &[
        "azurerm_linux_virtual_machine",
        "azurerm_linux_virtual_machine_scale_set",
        "azurerm_virtual_machine",
    ],
    frameworks: &["pci-dss:8.3.1", "soc2:CC6.1", "sox:itgc-access", "hipaa:164.312(d)"],
    equivalent: &[
        "CKV_AZURE_149",
        "CKV_AZURE_1",
        "AVD-AZU-0039",
        "azure-compute-disable-password-authentication",
    ],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let path = if r.kind == "azurerm_virtual_machine" {
        "os_profile_linux_config.disable_password_authentication"
    } else {
        "disable_password_authentication"
    };
    expect_bool(
        r,
        path,
        true,
        true,
        "password authentication is enabled: SSH logins can be brute-forced",
    )
}
