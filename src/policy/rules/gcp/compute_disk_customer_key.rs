//! # Compute disks are encrypted with customer-managed or customer-supplied keys
//!
//! ## What it checks
//! A `google_compute_disk` (and `google_compute_region_disk`) has a
//! `disk_encryption_key` block with `kms_key_self_link`, `raw_key` or
//! `rsa_encrypted_key`; the boot disk of a `google_compute_instance` sets
//! `boot_disk.kms_key_self_link` or `boot_disk.disk_encryption_key_raw`
//! (or `disk_encryption_key_rsa`). A disk attached with `source` is checked
//! on its own resource. Values known only at apply time are not reported.
//!
//! ## Why it matters
//! Compute Engine always encrypts disks, but with Google-managed keys the
//! organisation cannot rotate, disable or audit the key, nor crypto-shred the
//! data. Customer-managed (Cloud KMS) or customer-supplied keys put key
//! control and key-usage logs in the organisation's hands, as required for
//! critical workloads.
//!
//! ## Example
//! ```hcl
//! resource "google_compute_disk" "data" {
//!   name = "data"
//!   zone = "europe-west1-b"
//!   size = 100
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "google_compute_disk" "data" {
//!   name = "data"
//!   zone = "europe-west1-b"
//!   size = 100
//!   disk_encryption_key {
//!     kms_key_self_link = google_kms_crypto_key.disks.id
//!   }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/compute/docs/disks/customer-managed-encryption
//! - CIS Google Cloud Platform Foundation Benchmark 4.7
//!
//! ## Differences from Checkov
//! CKV_GCP_38 fails an instance whose boot disk is an existing disk attached
//! with `boot_disk.source`; this rule checks that disk on its own resource
//! instead.

use crate::policy::model::{Body, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::{from_template, sub};

pub static RULE: Rule = Rule {
    id: "LG-GCP-032",
    title: "Compute disks are encrypted with customer-managed or customer-supplied keys",
    severity: Severity::Low,
    resources: &[
        "google_compute_disk",
        "google_compute_region_disk",
        "google_compute_instance",
    ],
    frameworks: &[
        "cis-gcp:4.7",
        "pci-dss:3.6.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_37", "CKV_GCP_38"],
    check,
};

/// Pass if any of `keys` is set in `body`; unknown if one is unknown.
fn keyed(body: &Body, keys: &[&str]) -> Option<Outcome> {
    let mut unknown = false;
    for k in keys {
        let g = body.get(k);
        if g.is_unknown() {
            unknown = true;
        } else if g.str().is_some_and(|s| !s.is_empty()) {
            return Some(Outcome::Pass);
        }
    }
    unknown.then_some(Outcome::Unknown)
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.kind == "google_compute_instance" {
        let Some(boot) = sub(&r.body, &["boot_disk"]) else {
            return if r.get("boot_disk").is_unknown() || from_template(r) {
                Outcome::Unknown
            } else {
                Outcome::Pass
            };
        };
        if !boot.get("source").is_missing() {
            return Outcome::Pass;
        }
        return keyed(
            boot,
            &[
                "kms_key_self_link",
                "disk_encryption_key_raw",
                "disk_encryption_key_rsa",
            ],
        )
        .unwrap_or_else(|| fail(None, "the boot disk uses a Google-managed key: set kms_key_self_link"));
    }
    if r.get("disk_encryption_key").is_unknown() {
        return Outcome::Unknown;
    }
    let Some(dek) = sub(&r.body, &["disk_encryption_key"]) else {
        return fail(None, "no disk_encryption_key: the disk uses a Google-managed key");
    };
    keyed(dek, &["kms_key_self_link", "raw_key", "rsa_encrypted_key"]).unwrap_or_else(|| {
        fail(
            Some(r.body.block("disk_encryption_key").map_or(r.span, |b| b.span)),
            "disk_encryption_key names no key: the disk uses a Google-managed key",
        )
    })
}
