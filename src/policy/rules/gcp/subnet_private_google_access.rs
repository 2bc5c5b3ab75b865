//! # VPC subnetworks have Private Google Access enabled
//!
//! ## What it checks
//! A `google_compute_subnetwork` sets `private_ip_google_access = true`
//! (the default is false). Proxy-only subnetworks (`purpose` of
//! `REGIONAL_MANAGED_PROXY`, `GLOBAL_MANAGED_PROXY` or
//! `INTERNAL_HTTPS_LOAD_BALANCER`) are skipped. A value known only at apply
//! time is not reported.
//!
//! ## Why it matters
//! Private Google Access lets instances without external IP addresses reach
//! Google APIs (Cloud Storage, BigQuery, Artifact Registry) over Google's
//! network. Without it, workloads are pushed towards public IPs or broad NAT
//! egress just to reach those services.
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
//! private_ip_google_access = true
//! ```
//!
//! ## References
//! - https://cloud.google.com/vpc/docs/configure-private-google-access

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};
use crate::policy::rules::common_gcp::proxy_only_subnet;

pub static RULE: Rule = Rule {
    id: "LG-GCP-035",
    title: "VPC subnetworks have Private Google Access enabled",
    severity: Severity::Low,
    resources: &["google_compute_subnetwork"],
    frameworks: &["soc2:CC6.6", "pci-dss:1.4.1", "gdpr:art-25"],
    equivalent: &["CKV_GCP_74"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match proxy_only_subnet(r) {
        None => return Outcome::Unknown,
        Some(true) => return Outcome::Pass,
        Some(false) => {}
    }
    expect_bool(
        r,
        "private_ip_google_access",
        true,
        false,
        "private_ip_google_access is not true: instances without public IPs cannot reach Google APIs privately",
    )
}
