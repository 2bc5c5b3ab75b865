//! # BigQuery datasets are not accessible to everyone
//!
//! ## What it checks
//! `access` blocks of `google_bigquery_dataset` and
//! `google_bigquery_dataset_access` resources whose `special_group` or
//! `iam_member` is `allUsers` or `allAuthenticatedUsers`, and
//! `google_bigquery_dataset_iam_member` / `google_bigquery_dataset_iam_binding`
//! that grant a role to them. Values known only at apply time are not
//! reported.
//!
//! ## Why it matters
//! A grant to `allUsers` or `allAuthenticatedUsers` exposes every table in
//! the dataset to anyone on the internet or anyone with a Google account.
//! Analytics datasets typically hold bulk customer and business data, so
//! this is a direct data-breach risk.
//!
//! ## Example
//! ```hcl
//! resource "google_bigquery_dataset" "ds" {
//!   dataset_id = "analytics"
//!   access {
//!     role          = "READER"
//!     special_group = "allAuthenticatedUsers"
//!   }
//! }
//! ```
//!
//! ## Fix
//! Grant access to named groups instead (`group_by_email =
//! "analysts@example.com"`).
//!
//! ## References
//! - https://cloud.google.com/bigquery/docs/control-access-to-resources-iam
//! - CIS Google Cloud Platform Foundation Benchmark 7.1
//!
//! ## Differences from Checkov
//! CKV_GCP_15 fails any `access` block that uses none of its listed keys
//! (for example `iam_member = "group:x@example.com"`); this rule fails only
//! grants to `allUsers` or `allAuthenticatedUsers`, and also checks the
//! separate access and IAM resources.

use crate::policy::model::{Body, Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_gcp::{iam_public_members, is_public_member};

pub static RULE: Rule = Rule {
    id: "LG-GCP-030",
    title: "BigQuery datasets are not accessible to everyone",
    severity: Severity::Critical,
    resources: &[
        "google_bigquery_dataset",
        "google_bigquery_dataset_access",
        "google_bigquery_dataset_iam_member",
        "google_bigquery_dataset_iam_binding",
    ],
    frameworks: &[
        "cis-gcp:7.1",
        "pci-dss:7.2.1",
        "hipaa:164.312(a)(1)",
        "soc2:CC6.1",
        "gdpr:art-32",
        "sox:itgc-access",
    ],
    equivalent: &["CKV_GCP_15", "google-bigquery-no-public-access"],
    check,
};

const WHY: &str = "the dataset's tables are public";

fn access(body: &Body, unknown: &mut bool) -> Option<Outcome> {
    for key in ["special_group", "iam_member"] {
        let g = body.get(key);
        match g {
            Get::Unknown(_) => *unknown = true,
            g => {
                if let Some(m) = g.str().filter(|m| is_public_member(m)) {
                    return Some(fail(g.span(), format!("{key} is {m}: {WHY}")));
                }
            }
        }
    }
    None
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    match r.kind.as_str() {
        "google_bigquery_dataset_iam_member" | "google_bigquery_dataset_iam_binding" => {
            return iam_public_members(r, WHY);
        }
        "google_bigquery_dataset_access" => {
            if let Some(f) = access(&r.body, &mut unknown) {
                return f;
            }
        }
        _ => {
            for b in r.body.blocks("access") {
                if let Some(f) = access(&b.body, &mut unknown) {
                    return f;
                }
            }
            if r.body.attr("access").is_some_and(|a| a.value.has_unknown()) {
                unknown = true;
            }
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
