//! # Cloud Storage buckets use uniform bucket-level access
//!
//! ## What it checks
//! A `google_storage_bucket` sets `uniform_bucket_level_access = true` (or
//! the older `bucket_policy_only = true`); the provider's default is false.
//! The bucket also passes when the same configuration enforces the
//! `storage.uniformBucketLevelAccess` organization policy constraint. A value
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! With fine-grained ACLs, every object can carry its own grants, so access
//! cannot be reviewed at the bucket level and a single object can be made
//! public unnoticed. Uniform bucket-level access makes IAM the only access
//! mechanism, which is what access reviews and public access prevention rely
//! on.
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
//!   name                        = "company-data"
//!   location                    = "EU"
//!   uniform_bucket_level_access = true
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/storage/docs/uniform-bucket-level-access
//! - CIS Google Cloud Platform Foundation Benchmark 5.2
//!
//! ## Differences from Checkov
//! CKV_GCP_29 does not consider an organization policy that enforces the
//! `storage.uniformBucketLevelAccess` constraint in the same configuration.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::org_policy_enforced;

pub static RULE: Rule = Rule {
    id: "LG-GCP-012",
    title: "Cloud Storage buckets use uniform bucket-level access",
    severity: Severity::Medium,
    resources: &["google_storage_bucket"],
    frameworks: &[
        "cis-gcp:5.2",
        "pci-dss:7.2.1",
        "soc2:CC6.1",
        "sox:itgc-access",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_GCP_29", "google-storage-enable-ubla"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let mut seen = None;
    for key in ["uniform_bucket_level_access", "bucket_policy_only"] {
        match r.get(key) {
            Get::Unknown(_) => return Outcome::Unknown,
            g => match g.bool() {
                Some(true) => return Outcome::Pass,
                Some(false) => seen = seen.or(g.span()),
                None => {}
            },
        }
    }
    if org_policy_enforced(cx, "storage.uniformBucketLevelAccess") {
        return Outcome::Pass;
    }
    fail(
        seen,
        "uniform_bucket_level_access is not true: object ACLs can grant access that bucket IAM does not show",
    )
}
