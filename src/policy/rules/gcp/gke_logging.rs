//! # GKE clusters send logs to Cloud Logging
//!
//! ## What it checks
//! A `google_container_cluster` does not set `logging_service = "none"` and
//! does not disable every component with
//! `logging_config { enable_components = [] }`. Absent, GKE logs to Cloud
//! Logging. A value known only at apply time is not reported.
//!
//! ## Why it matters
//! Cluster, control-plane and workload logs are the record of what ran and
//! who changed what in the cluster. With logging off, incidents in
//! containers cannot be investigated and logging requirements of PCI DSS,
//! HIPAA and SOC 2 are not met.
//!
//! ## Example
//! ```hcl
//! resource "google_container_cluster" "gke" {
//!   name            = "gke"
//!   location        = "europe-west1"
//!   logging_service = "none"
//! }
//! ```
//!
//! ## Fix
//! Remove `logging_service` or set it to
//! `"logging.googleapis.com/kubernetes"`.
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/concepts/about-logs
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.7.1
//!
//! ## Differences from Checkov
//! CKV_GCP_1 checks only `logging_service`; this rule also fails
//! `logging_config { enable_components = [] }`, which turns logging off.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_none_of, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-GCP-025",
    title: "GKE clusters send logs to Cloud Logging",
    severity: Severity::Medium,
    resources: &["google_container_cluster"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_GCP_1", "google-gke-enable-stackdriver-logging"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let components = match r.get("logging_config.enable_components") {
        Get::Unknown(_) => Outcome::Unknown,
        g => match g.val() {
            Some(Val::List(l)) if l.is_empty() => fail(
                g.span(),
                "logging_config.enable_components is empty: the cluster sends no logs",
            ),
            _ => Outcome::Pass,
        },
    };
    all([
        expect_none_of(
            r,
            "logging_service",
            &["none"],
            "logging_service is \"none\": the cluster sends no logs to Cloud Logging",
        ),
        components,
    ])
}
