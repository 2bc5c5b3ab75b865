//! # VM instances block project-wide SSH keys
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template` set the `metadata` key
//! `block-project-ssh-keys` to true. Absent, project-wide keys are accepted,
//! so the rule fails (for an instance created from a template, where the
//! template may set it, an absent key is not reported). A value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! A project-wide SSH key opens every instance in the project: one leaked
//! key compromises them all. Blocking project keys limits each instance to
//! its own keys (or OS Login), keeping the blast radius of a key small.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_instance" "vm" {
//!   name         = "vm"
//!   machine_type = "e2-small"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! metadata = {
//!   block-project-ssh-keys = true
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/compute/docs/connect/restrict-ssh-keys
//! - CIS Google Cloud Platform Foundation Benchmark 4.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_gcp::instance_metadata;

pub static RULE: Rule = Rule {
    id: "LG-GCP-020",
    title: "VM instances block project-wide SSH keys",
    severity: Severity::Medium,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &["cis-gcp:4.3", "pci-dss:8.2.2", "soc2:CC6.1", "sox:itgc-access"],
    equivalent: &["CKV_GCP_32", "google-compute-no-project-wide-ssh-keys"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    instance_metadata(
        r,
        "block-project-ssh-keys",
        true,
        false,
        "metadata block-project-ssh-keys is not true: project-wide SSH keys can log in to the instance",
    )
}
