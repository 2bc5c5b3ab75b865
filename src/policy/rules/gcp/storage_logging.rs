//! # Cloud Storage buckets log access
//!
//! ## What it checks
//! A `google_storage_bucket` has a `logging` block with a non-empty
//! `log_bucket`, so usage and storage logs are delivered. A value known only
//! at apply time is not reported.
//!
//! ## Why it matters
//! Access logs show who read, wrote or deleted which objects and from where.
//! Without them an exfiltration or tampering incident on the bucket cannot be
//! investigated, and access-logging controls of PCI DSS and HIPAA are not
//! met for the data it stores.
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
//!   logging { log_bucket = google_storage_bucket.logs.name }
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/storage/docs/access-logs
//! - For full data-access auditing, also enable Data Access audit logs (CIS
//!   Google Cloud Platform Foundation Benchmark 2.1)
//!
//! ## Differences from Checkov
//! CKV_GCP_62 accepts `log_bucket = ""`; this rule fails it, since no logs
//! are delivered.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-GCP-015",
    title: "Cloud Storage buckets log access",
    severity: Severity::Medium,
    resources: &["google_storage_bucket"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_62"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "logging.log_bucket",
        "logging.log_bucket is not set: access to the bucket is not logged",
    )
}
