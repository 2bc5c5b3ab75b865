//! # Projects are created without the default network
//!
//! ## What it checks
//! A `google_project` sets `auto_create_network = false`; the provider's
//! default is true, which creates the `default` VPC network. The project also
//! passes when the same configuration enforces the
//! `compute.skipDefaultNetworkCreation` organization policy constraint. A
//! value known only at apply time is not reported.
//!
//! ## Why it matters
//! The default network comes with an auto-mode subnet in every region and
//! pre-populated firewall rules that allow SSH and RDP from anywhere
//! (`default-allow-ssh`, `default-allow-rdp`) and all internal traffic.
//! Networks should be designed and reviewed, not inherited.
//!
//! ## Example
//! ```hcl
//! resource "google_project" "app" {
//!   name       = "app"
//!   project_id = "app-1234"
//!   org_id     = "123456789"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! auto_create_network = false
//! ```
//!
//! ## References
//! - https://cloud.google.com/vpc/docs/vpc#default-network
//! - CIS Google Cloud Platform Foundation Benchmark 3.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};
use crate::policy::rules::common_gcp::org_policy_enforced;

pub static RULE: Rule = Rule {
    id: "LG-GCP-045",
    title: "Projects are created without the default network",
    severity: Severity::Medium,
    resources: &["google_project"],
    frameworks: &["cis-gcp:3.1", "pci-dss:1.2.1", "soc2:CC6.6"],
    equivalent: &["CKV_GCP_27"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if org_policy_enforced(cx, "compute.skipDefaultNetworkCreation") {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "auto_create_network",
        false,
        true,
        "auto_create_network is not false: the project gets the default network with SSH and RDP open to the internet",
    )
}
