//! # IAM does not grant basic roles (owner, editor, viewer)
//!
//! ## What it checks
//! `google_project_iam_member`, `google_project_iam_binding`,
//! `google_folder_iam_member`, `google_folder_iam_binding`,
//! `google_organization_iam_member` and `google_organization_iam_binding`
//! whose `role` is `roles/owner`, `roles/editor` or `roles/viewer`. A role
//! known only at apply time is not reported.
//!
//! ## Why it matters
//! Basic roles predate IAM's fine-grained roles and grant thousands of
//! permissions across every service in the project: editor can read and
//! change nearly all data, owner can also change IAM. They defeat least
//! privilege and make access reviews meaningless; predefined or custom roles
//! should be granted instead.
//!
//! ## Example
//! ```hcl
//! resource "google_project_iam_member" "dev" {
//!   project = "my-project"
//!   role    = "roles/editor"
//!   member  = "user:dev@example.com"
//! }
//! ```
//!
//! ## Fix
//! Grant the predefined roles the member needs, for example
//! `roles/compute.instanceAdmin.v1` or `roles/storage.objectViewer`.
//!
//! ## References
//! - https://cloud.google.com/iam/docs/understanding-roles#basic
//! - CIS Google Cloud Platform Foundation Benchmark 1.5 and 1.6

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_none_of};

pub static RULE: Rule = Rule {
    id: "LG-GCP-037",
    title: "IAM does not grant basic roles (owner, editor, viewer)",
    severity: Severity::High,
    resources: &[
        "google_project_iam_member",
        "google_project_iam_binding",
        "google_folder_iam_member",
        "google_folder_iam_binding",
        "google_organization_iam_member",
        "google_organization_iam_binding",
    ],
    frameworks: &[
        "cis-gcp:1.5",
        "pci-dss:7.2.2",
        "soc2:CC6.3",
        "sox:itgc-access",
        "hipaa:164.308(a)(4)(ii)(B)",
    ],
    equivalent: &["CKV_GCP_117", "CKV_GCP_116", "CKV_GCP_115"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_none_of(
        r,
        "role",
        &["roles/owner", "roles/editor", "roles/viewer"],
        "a basic role is granted: it carries broad permissions across every service",
    )
}
