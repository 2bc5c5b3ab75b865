//! # VM instances do not use the default service account with full API access
//!
//! ## What it checks
//! `google_compute_instance`, `google_compute_instance_template`,
//! `google_compute_region_instance_template` and
//! `google_compute_instance_from_template` whose `service_account` uses the
//! Compute Engine default service account (`email` absent or
//! `<number>-compute@developer.gserviceaccount.com`) together with the
//! `cloud-platform` scope. Instances whose `name` starts with `gke-` are
//! skipped. Values known only at apply time are not reported.
//!
//! ## Why it matters
//! The default service account holds the Editor role on the project in
//! many organisations; with the `cloud-platform` scope, any process on the
//! instance, or anyone who reaches its metadata server through SSRF, can act
//! as a project editor. Workloads should run as dedicated, least-privilege
//! service accounts.
//!
//! ## Example
//! ```hcl
//! service_account {
//!   scopes = ["cloud-platform"]
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! service_account {
//!   email  = google_service_account.app.email
//!   scopes = ["cloud-platform"]
//! }
//! ```
//!
//! ## References
//! - https://cloud.google.com/compute/docs/access/service-accounts#default_service_account
//! - CIS Google Cloud Platform Foundation Benchmark 4.2

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-GCP-047",
    title: "VM instances do not use the default service account with full API access",
    severity: Severity::High,
    resources: &[
        "google_compute_instance",
        "google_compute_instance_template",
        "google_compute_region_instance_template",
        "google_compute_instance_from_template",
    ],
    frameworks: &["cis-gcp:4.2", "pci-dss:7.2.2", "soc2:CC6.3", "sox:itgc-access"],
    equivalent: &["CKV_GCP_31"],
    check,
};

fn is_default_sa(email: &str) -> bool {
    email
        .strip_suffix("-compute@developer.gserviceaccount.com")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    if r.get("name").str().is_some_and(|n| n.starts_with("gke-")) {
        return Outcome::Pass;
    }
    let Some(sa) = r.body.block("service_account") else {
        return if r.get("service_account").is_unknown() {
            Outcome::Unknown
        } else {
            Outcome::Pass
        };
    };
    let email = sa.body.get("email");
    let default = match email {
        Get::Unknown(_) => return Outcome::Unknown,
        g if g.is_missing() => true,
        g => match g.str() {
            Some(e) => e.eq_ignore_ascii_case("default") || is_default_sa(e),
            None => return Outcome::Unknown,
        },
    };
    if !default {
        return Outcome::Pass;
    }
    let scopes = sa.body.get("scopes");
    match scopes {
        Get::Unknown(_) => Outcome::Unknown,
        g => {
            let l = g.val().and_then(Val::as_list).unwrap_or_default();
            let full = l
                .iter()
                .filter_map(Val::as_str)
                .any(|s| s == "cloud-platform" || s == "https://www.googleapis.com/auth/cloud-platform");
            if full {
                fail(
                    g.span(),
                    "the default compute service account has the cloud-platform scope: the instance can use every API the account may",
                )
            } else if l.iter().any(Val::is_unknown) {
                Outcome::Unknown
            } else {
                Outcome::Pass
            }
        }
    }
}
