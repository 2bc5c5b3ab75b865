//! # GKE clusters send metrics to Cloud Monitoring
//!
//! ## What it checks
//! A `google_container_cluster` does not set `monitoring_service = "none"`
//! and does not disable every component with
//! `monitoring_config { enable_components = [] }`. Absent, GKE sends metrics
//! to Cloud Monitoring. A value known only at apply time is not reported.
//!
//! ## Why it matters
//! Cluster metrics are how operators notice resource exhaustion, crash
//! loops and abnormal workload behaviour such as crypto-mining. Without them,
//! availability incidents and some compromises go unnoticed, and monitoring
//! controls cannot be evidenced.
//!
//! ## Example
//! ```hcl
//! resource "google_container_cluster" "gke" {
//!   name               = "gke"
//!   location           = "europe-west1"
//!   monitoring_service = "none"
//! }
//! ```
//!
//! ## Fix
//! Remove `monitoring_service` or set it to
//! `"monitoring.googleapis.com/kubernetes"`.
//!
//! ## References
//! - https://cloud.google.com/kubernetes-engine/docs/how-to/configure-metrics
//! - CIS Google Kubernetes Engine (GKE) Benchmark 5.7.1
//!
//! ## Differences from Checkov
//! CKV_GCP_8 checks only `monitoring_service`; this rule also fails
//! `monitoring_config { enable_components = [] }`, which turns monitoring off.

use crate::policy::model::{Get, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_none_of, fail};
use crate::policy::terraform::value::Val;

pub static RULE: Rule = Rule {
    id: "LG-GCP-031",
    title: "GKE clusters send metrics to Cloud Monitoring",
    severity: Severity::Low,
    resources: &["google_container_cluster"],
    frameworks: &["soc2:CC7.2", "pci-dss:10.7.1", "sox:itgc-operations"],
    equivalent: &["CKV_GCP_8", "google-gke-enable-stackdriver-monitoring"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let components = match r.get("monitoring_config.enable_components") {
        Get::Unknown(_) => Outcome::Unknown,
        g => match g.val() {
            Some(Val::List(l)) if l.is_empty() => fail(
                g.span(),
                "monitoring_config.enable_components is empty: the cluster sends no metrics",
            ),
            _ => Outcome::Pass,
        },
    };
    all([
        expect_none_of(
            r,
            "monitoring_service",
            &["none"],
            "monitoring_service is \"none\": the cluster sends no metrics to Cloud Monitoring",
        ),
        components,
    ])
}
