//! # Pods do not share the host's network namespace
//!
//! ## What it checks
//! Workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob) whose pod spec sets `hostNetwork: true`.
//!
//! ## Why it matters
//! A pod in the host's network namespace escapes the isolation the
//! namespace gives: it can see and reach what the node's own processes use.
//! The Pod Security Standards forbid host namespaces from the baseline level up.
//!
//! ## Example
//! ```yaml
//! spec:
//!   hostNetwork: true
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Remove `hostNetwork: true` (the default is `false`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Host Namespaces)
//! - CIS Kubernetes Benchmark 5.2.5

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_get};

pub static RULE: Rule = Rule {
    id: "LG-K8S-004",
    title: "Pods do not share the host's network namespace",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.5",
        "pss:baseline",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_19", "AVD-KSV-0009"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = pod_get(r, "hostNetwork");
    match g.bool() {
        Some(true) => fail(
            g.span(),
            "pod shares the host's network namespace (`hostNetwork: true`)",
        ),
        _ => Outcome::Pass,
    }
}
