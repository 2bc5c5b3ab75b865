//! # Cloud Storage buckets enforce public access prevention
//!
//! ## What it checks
//! A `google_storage_bucket` sets `public_access_prevention = "enforced"`.
//! Absent (or `"inherited"`), the bucket depends on an organization policy
//! that may not exist, and fails unless the same configuration enforces the
//! `storage.publicAccessPrevention` organization policy constraint. A value
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! Public access prevention blocks every grant to `allUsers` and
//! `allAuthenticatedUsers`, whether by IAM or ACL, so a later mistake cannot
//! make the data public. It is the guard rail auditors look for on buckets
//! that hold non-public data.
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
//!   name                     = "company-data"
//!   location                 = "EU"
//!   public_access_prevention = "enforced"
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/storage/docs/public-access-prevention
//! - CIS Google Cloud Platform Foundation Benchmark 5.1
//!
//! ## Differences from Checkov
//! CKV_GCP_114 does not consider an organization policy that enforces the
//! `storage.publicAccessPrevention` constraint in the same configuration.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::org_policy_enforced;

pub static RULE: Rule = Rule {
    id: "LG-GCP-013",
    title: "Cloud Storage buckets enforce public access prevention",
    severity: Severity::High,
    resources: &["google_storage_bucket"],
    frameworks: &[
        "cis-gcp:5.1",
        "pci-dss:1.4.1",
        "soc2:CC6.1",
        "hipaa:164.312(a)(1)",
        "gdpr:art-25",
    ],
    equivalent: &["CKV_GCP_114"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let g = r.get("public_access_prevention");
    let span = match g {
        Get::Unknown(_) => return Outcome::Unknown,
        g => match g.str() {
            Some(v) if v.eq_ignore_ascii_case("enforced") => return Outcome::Pass,
            Some(_) => g.span(),
            None if g.is_missing() => None,
            None => return Outcome::Unknown,
        },
    };
    if org_policy_enforced(cx, "storage.publicAccessPrevention") {
        return Outcome::Pass;
    }
    fail(
        span,
        "public_access_prevention is not \"enforced\": a grant to allUsers could make the bucket public",
    )
}
