//! # Cloud KMS keys rotate at least every 90 days
//!
//! ## What it checks
//! A symmetric `google_kms_crypto_key` (any `purpose` other than
//! `ASYMMETRIC_SIGN` / `ASYMMETRIC_DECRYPT`, which cannot rotate
//! automatically) has a `rotation_period` of at most 90 days
//! (`"7776000s"`). Without a rotation period the key never rotates. A value
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! Regular rotation limits how much data one key version protects and how
//! long a leaked key version stays useful. PCI DSS requires keys to be
//! changed at the end of a defined cryptoperiod, and CIS sets 90 days for
//! Cloud KMS.
//!
//! ## Example
//! ```hcl
//! resource "google_kms_crypto_key" "key" {
//!   name     = "data"
//!   key_ring = google_kms_key_ring.ring.id
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "google_kms_crypto_key" "key" {
//!   name            = "data"
//!   key_ring        = google_kms_key_ring.ring.id
//!   rotation_period = "7776000s"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/kms/docs/key-rotation
//! - CIS Google Cloud Platform Foundation Benchmark 1.10

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-GCP-036",
    title: "Cloud KMS keys rotate at least every 90 days",
    severity: Severity::Medium,
    resources: &["google_kms_crypto_key"],
    frameworks: &[
        "cis-gcp:1.10",
        "pci-dss:3.7.4",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_GCP_43", "google-kms-rotate-kms-keys"],
    check,
};

const NINETY_DAYS: f64 = 90.0 * 24.0 * 3600.0;

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.get("purpose") {
        Get::Unknown(_) => return Outcome::Unknown,
        g => {
            if g.str()
                .is_some_and(|p| p.to_ascii_uppercase().starts_with("ASYMMETRIC"))
            {
                return Outcome::Pass;
            }
        }
    }
    match r.get("rotation_period") {
        Get::Unknown(_) => Outcome::Unknown,
        g if g.is_missing() => fail(None, "no rotation_period: the key never rotates"),
        g => match g.str().map(|s| s.trim().trim_end_matches('s').parse::<f64>()) {
            Some(Ok(secs)) if secs > 0.0 && secs <= NINETY_DAYS => Outcome::Pass,
            Some(Ok(secs)) => fail(
                g.span(),
                format!(
                    "rotation_period is {:.0} days: the key rotates less often than every 90 days",
                    secs / 86400.0
                ),
            ),
            _ => Outcome::Unknown,
        },
    }
}
