//! # VM instances do not enable the interactive serial console
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template`: the `metadata` key
//! `serial-port-enable` must not be true (`true`, `"TRUE"`, `"1"`). Absent,
//! the serial console is off. A value known only at apply time is not
//! reported.
//!
//! ## Why it matters
//! The interactive serial console accepts connections from any IP address
//! and is not covered by VPC firewall rules; anyone holding a valid SSH key
//! and the instance's details can reach the console. CIS requires it to stay
//! disabled outside break-glass troubleshooting.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_instance" "vm" {
//!   name         = "vm"
//!   machine_type = "e2-small"
//!   metadata = {
//!     serial-port-enable = true
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove `serial-port-enable` from the metadata or set it to `false`.
//!
//! ## References
//! - https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console
//! - CIS Google Cloud Platform Foundation Benchmark 4.5
//!
//! ## Differences from Checkov
//! Checkov matches only the boolean literal, so it misses string values such
//! as `serial-port-enable = "TRUE"`, which GCE honours; this rule reads them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::instance_metadata;

pub static RULE: Rule = Rule {
    id: "LG-GCP-018",
    title: "VM instances do not enable the interactive serial console",
    severity: Severity::Medium,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &["cis-gcp:4.5", "pci-dss:2.2.4", "soc2:CC6.6", "hipaa:164.312(a)(1)"],
    equivalent: &["CKV_GCP_35", "google-compute-no-serial-port"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    instance_metadata(
        r,
        "serial-port-enable",
        false,
        true,
        "metadata serial-port-enable is true: the interactive serial console is reachable",
    )
}
