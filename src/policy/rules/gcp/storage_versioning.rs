//! # Cloud Storage buckets have object versioning enabled
//!
//! ## What it checks
//! A `google_storage_bucket` has `versioning { enabled = true }`; versioning
//! is off by default, so an absent block fails. A value known only at apply
//! time is not reported.
//!
//! ## Why it matters
//! Without versioning, an overwritten or deleted object is gone for good,
//! whether by mistake, a faulty job or a malicious actor. Versioning keeps
//! noncurrent versions so data can be recovered, which supports integrity
//! and availability requirements.
//!
//! ## Example
//! ```hcl
//! resource "google_storage_bucket" "data" {
//!   name     = "company-data"
//!   location = "EU"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "google_storage_bucket" "data" {
//!   name     = "company-data"
//!   location = "EU"
//!   versioning { enabled = true }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/storage/docs/object-versioning

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-GCP-014",
    title: "Cloud Storage buckets have object versioning enabled",
    severity: Severity::Low,
    resources: &["google_storage_bucket"],
    frameworks: &["soc2:A1.2", "hipaa:164.312(c)(1)", "sox:itgc-operations", "gdpr:art-32"],
    equivalent: &["CKV_GCP_78"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "versioning.enabled",
        true,
        false,
        "versioning is not enabled: overwritten or deleted objects cannot be recovered",
    )
}
