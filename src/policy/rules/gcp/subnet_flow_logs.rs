//! # VPC subnetworks have flow logs enabled
//!
//! ## What it checks
//! A `google_compute_subnetwork` has a `log_config` block, which turns on
//! VPC Flow Logs. Proxy-only subnetworks (`purpose` of
//! `REGIONAL_MANAGED_PROXY`, `GLOBAL_MANAGED_PROXY` or
//! `INTERNAL_HTTPS_LOAD_BALANCER`) are skipped: they do not support flow
//! logs. A value known only at apply time is not reported.
//!
//! ## Why it matters
//! Flow logs record which addresses talked to which, on which ports. They
//! are the network evidence for detecting exfiltration, lateral movement and
//! scanning, and for reconstructing an incident afterwards.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_subnetwork" "app" {
//!   name          = "app"
//!   ip_cidr_range = "10.0.0.0/24"
//!   network       = google_compute_network.vpc.id
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! log_config {
//!   aggregation_interval = "INTERVAL_5_SEC"
//!   flow_sampling        = 0.5
//!   metadata             = "INCLUDE_ALL_METADATA"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/vpc/docs/using-flow-logs
//! - CIS Google Cloud Platform Foundation Benchmark 3.8

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};
use crate::policy::rules::common_gcp::proxy_only_subnet;

pub static RULE: Rule = Rule {
    id: "LG-GCP-034",
    title: "VPC subnetworks have flow logs enabled",
    severity: Severity::Medium,
    resources: &["google_compute_subnetwork"],
    frameworks: &[
        "cis-gcp:3.8",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_26", "google-compute-enable-vpc-flow-logs"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match proxy_only_subnet(r) {
        None => return Outcome::Unknown,
        Some(true) => return Outcome::Pass,
        Some(false) => {}
    }
    expect_set(
        r,
        "log_config",
        "no log_config: VPC Flow Logs are off for the subnetwork",
    )
}
