//! # Cloud Storage buckets are not readable by everyone
//!
//! ## What it checks
//! Bucket access grants that name `allUsers` or `allAuthenticatedUsers`:
//! `member` of `google_storage_bucket_iam_member`, `members` of
//! `google_storage_bucket_iam_binding`, `entity` of
//! `google_storage_bucket_access_control` and
//! `google_storage_default_object_access_control`, and `role_entity` of
//! `google_storage_bucket_acl` and `google_storage_default_object_acl`.
//! Members known only at apply time are not reported.
//!
//! ## Why it matters
//! `allUsers` makes the objects readable by anyone on the internet, and
//! `allAuthenticatedUsers` by anyone with any Google account; both are the
//! classic cause of cloud data leaks. Public content belongs behind a CDN or
//! a load balancer with a dedicated, reviewed bucket.
//!
//! ## Example
//! ```hcl
//! resource "google_storage_bucket_iam_binding" "public" {
//!   bucket  = google_storage_bucket.data.name
//!   role    = "roles/storage.objectViewer"
//!   members = ["allUsers"]
//! }
//! ```
//!
//! ## Fix
//! Grant the role to named users, groups or service accounts
//! (`group:analysts@example.com`) and enforce public access prevention on
//! the bucket.
//!
//! ## References
//! - https://cloud.google.com/storage/docs/access-control/making-data-public
//! - CIS Google Cloud Platform Foundation Benchmark 5.1
//!
//! ## Differences from Checkov
//! CKV_GCP_28 covers only the IAM member and binding resources; this rule
//! also checks the ACL resources.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::{iam_public_members, is_public_member};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-GCP-011",
    title: "Cloud Storage buckets are not readable by everyone",
    severity: Severity::Critical,
    resources: &[
        "google_storage_bucket_iam_member",
        "google_storage_bucket_iam_binding",
        "google_storage_bucket_access_control",
        "google_storage_default_object_access_control",
        "google_storage_bucket_acl",
        "google_storage_default_object_acl",
    ],
    frameworks: &[
        "cis-gcp:5.1",
        "pci-dss:7.2.1",
        "hipaa:164.312(a)(1)",
        "soc2:CC6.1",
        "gdpr:art-32",
        "sox:itgc-access",
    ],
    equivalent: &["CKV_GCP_28", "google-storage-no-public-access"],
    check,
};

const WHY: &str = "the bucket's data is public";

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    match r.kind.as_str() {
        "google_storage_bucket_iam_member" | "google_storage_bucket_iam_binding" => iam_public_members(r, WHY),
        "google_storage_bucket_acl" | "google_storage_default_object_acl" => {
            let g = r.get("role_entity");
            match g {
                Get::Unknown(_) => Outcome::Unknown,
                g => {
                    let l = g.val().and_then(Val::as_list).unwrap_or_default();
                    let public = l
                        .iter()
                        .filter_map(Val::as_str)
                        .find(|e| e.rsplit(':').next().is_some_and(is_public_member));
                    match public {
                        Some(e) => fail(g.span(), format!("role_entity {e:?} grants public access: {WHY}")),
                        None if l.iter().any(Val::is_unknown) => Outcome::Unknown,
                        None => Outcome::Pass,
                    }
                }
            }
        }
        _ => {
            let g = r.get("entity");
            match g {
                Get::Unknown(_) => Outcome::Unknown,
                g => match g.str() {
                    Some(e) if is_public_member(e) => fail(g.span(), format!("entity is {e}: {WHY}")),
                    _ => Outcome::Pass,
                },
            }
        }
    }
}
