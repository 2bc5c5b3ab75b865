//! # VM instances do not disable OS Login
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template`: the `metadata` key
//! `enable-oslogin` must not be false (`false`, `"FALSE"`, `"0"`). Absent,
//! the instance follows the project-wide setting, which is where CIS asks
//! for OS Login to be enabled. A value known only at apply time is not
//! reported.
//!
//! ## Why it matters
//! OS Login ties SSH access to IAM identities, so access is granted and
//! revoked centrally, protected by 2-step verification and recorded in audit
//! logs. An instance that turns it off falls back to unmanaged metadata SSH
//! keys that survive staff departures.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_instance" "vm" {
//!   name         = "vm"
//!   machine_type = "e2-small"
//!   metadata = {
//!     enable-oslogin = false
//!   }
//! }
//! ```
//!
//! ## Fix
//! Remove `enable-oslogin` from the instance metadata (and set it to `TRUE`
//! in `google_compute_project_metadata`), or set it to `"TRUE"`.
//!
//! ## References
//! - https://cloud.google.com/compute/docs/oslogin
//! - CIS Google Cloud Platform Foundation Benchmark 4.4
//!
//! ## Differences from Checkov
//! Checkov matches only the boolean literal, so it misses string values such
//! as `enable-oslogin = "FALSE"`, which GCE honours; this rule reads them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::instance_metadata;

pub static RULE: Rule = Rule {
    id: "LG-GCP-019",
    title: "VM instances do not disable OS Login",
    severity: Severity::Medium,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &[
        "cis-gcp:4.4",
        "pci-dss:8.2.1",
        "soc2:CC6.1",
        "sox:itgc-access",
        "hipaa:164.312(d)",
    ],
    equivalent: &["CKV_GCP_34"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    instance_metadata(
        r,
        "enable-oslogin",
        true,
        true,
        "metadata enable-oslogin is false: SSH access bypasses IAM-managed OS Login",
    )
}
