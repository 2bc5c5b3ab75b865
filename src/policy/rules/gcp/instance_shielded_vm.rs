//! # VM instances run as Shielded VMs
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template` have a `shielded_instance_config`
//! block that does not turn off `enable_vtpm` or
//! `enable_integrity_monitoring` (both default to true inside the block). An
//! absent block fails, except on an instance created from a template, which
//! may set it. Values known only at apply time are not reported.
//!
//! ## Why it matters
//! Shielded VM's virtual TPM and integrity monitoring detect boot-level and
//! kernel-level malware (rootkits, bootkits) by comparing each boot against a
//! known-good baseline. Without them, a persistent compromise of the boot
//! chain goes unnoticed.
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
//! shielded_instance_config {
//!   enable_secure_boot          = true
//!   enable_vtpm                 = true
//!   enable_integrity_monitoring = true
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/compute/shielded-vm/docs/shielded-vm
//! - CIS Google Cloud Platform Foundation Benchmark 4.8

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_bool, fail};
use crate::policy::rules::common_gcp::from_template;

pub static RULE: Rule = Rule {
    id: "LG-GCP-022",
    title: "VM instances run as Shielded VMs",
    severity: Severity::Medium,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &["cis-gcp:4.8", "pci-dss:11.5.2", "soc2:CC7.1", "hipaa:164.312(c)(1)"],
    equivalent: &["CKV_GCP_39"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = r.get("shielded_instance_config");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    if g.is_missing() {
        if from_template(r) {
            return Outcome::Unknown;
        }
        return fail(
            None,
            "no shielded_instance_config: vTPM and integrity monitoring are not enabled",
        );
    }
    all([
        expect_bool(
            r,
            "shielded_instance_config.enable_vtpm",
            true,
            true,
            "shielded_instance_config.enable_vtpm is false: boot integrity cannot be measured",
        ),
        expect_bool(
            r,
            "shielded_instance_config.enable_integrity_monitoring",
            true,
            true,
            "shielded_instance_config.enable_integrity_monitoring is false: boot tampering is not detected",
        ),
    ])
}
