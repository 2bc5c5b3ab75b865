//! # VM instances do not forward IP packets
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template` do not set
//! `can_ip_forward = true` (the default is false). Instances whose `name`
//! starts with `gke-` are skipped: GKE nodes need forwarding. A value known
//! only at apply time is not reported.
//!
//! ## Why it matters
//! IP forwarding lets an instance send and receive packets for addresses
//! that are not its own, so a compromised instance can route, spoof or
//! intercept traffic and bypass network segmentation. Only dedicated network
//! appliances (NAT, VPN, firewalls) should have it.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_instance" "vm" {
//!   name           = "vm"
//!   machine_type   = "e2-small"
//!   can_ip_forward = true
//! }
//! ```
//!
//! ## Fix
//! Remove `can_ip_forward` or set it to `false`; use Cloud NAT or a
//! dedicated, reviewed appliance for routing.
//!
//! ## References
//! - https://cloud.google.com/vpc/docs/using-routes#canipforward
//! - CIS Google Cloud Platform Foundation Benchmark 4.6

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-021",
    title: "VM instances do not forward IP packets",
    severity: Severity::Medium,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &["cis-gcp:4.6", "pci-dss:1.2.1", "soc2:CC6.6"],
    equivalent: &["CKV_GCP_36", "google-compute-disable-ip-forwarding"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.get("name").str().is_some_and(|n| n.starts_with("gke-")) {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "can_ip_forward",
        false,
        false,
        "can_ip_forward is true: the instance can route and spoof traffic for other addresses",
    )
}
