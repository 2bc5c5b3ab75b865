//! # VM instances have no public IP address
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template`: no `network_interface` has an
//! `access_config` block (also from `dynamic` blocks), which assigns an
//! external IPv4 address. Instances whose `name` starts with `gke-` are
//! skipped; an instance from a template without `network_interface` is not
//! reported, since the template decides.
//!
//! ## Why it matters
//! An external IP makes the instance directly reachable from the internet,
//! one firewall mistake away from exposing its services. Instances should use
//! internal addresses and reach the internet through Cloud NAT, and be
//! reached through load balancers or Identity-Aware Proxy.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_instance" "vm" {
//!   name         = "vm"
//!   machine_type = "e2-small"
//!   network_interface {
//!     subnetwork = google_compute_subnetwork.private.id
//!     access_config {}
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove the `access_config` block; add Cloud NAT to the subnetwork's
//! router for outbound access.
//!
//! ## References
//! - https://cloud.google.com/compute/docs/ip-addresses/reserve-static-external-ip-address
//! - CIS Google Cloud Platform Foundation Benchmark 4.9
//!
//! ## Differences from Checkov
//! Checkov reports a `dynamic "access_config"` block even when its
//! `for_each` is empty; this rule evaluates it. Instances named `gke-*` are
//! skipped, as CIS does.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::from_template;

pub static RULE: Rule = Rule {
    id: "LG-GCP-023",
    title: "VM instances have no public IP address",
    severity: Severity::High,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &[
        "cis-gcp:4.9",
        "pci-dss:1.4.1",
        "soc2:CC6.6",
        "hipaa:164.312(e)(1)",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_GCP_40", "google-compute-no-public-ip"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.get("name").str().is_some_and(|n| n.starts_with("gke-")) {
        return Outcome::Pass;
    }
    let mut any = false;
    let mut unknown = false;
    for ni in r.body.blocks("network_interface") {
        any = true;
        if let Some(ac) = ni.body.block("access_config") {
            return fail(
                Some(ac.span),
                "network_interface has an access_config: the instance has an external IP address",
            );
        }
        if let Some(a) = ni.body.attr("access_config") {
            match &a.value {
                crate::policy::terraform::value::Val::List(l) if l.is_empty() => {}
                crate::policy::terraform::value::Val::Null => {}
                v if v.has_unknown() => unknown = true,
                _ => {
                    return fail(
                        Some(a.span),
                        "network_interface has an access_config: the instance has an external IP address",
                    );
                }
            }
        }
    }
    if r.body.attr("network_interface").is_some_and(|a| a.value.has_unknown()) {
        unknown = true;
    }
    if unknown || (!any && from_template(r)) {
        return Outcome::Unknown;
    }
    Outcome::Pass
}
