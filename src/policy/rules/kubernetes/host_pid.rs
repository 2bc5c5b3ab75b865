//! # Pods do not share the host's process id namespace
//!
//! ## What it checks
//! Workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob) whose pod spec sets `hostPID: true`.
//!
//! ## Why it matters
//! A pod in the host's process id namespace escapes the isolation the
//! namespace gives: it can see and reach what the node's own processes use.
//! The Pod Security Standards forbid host namespaces from the baseline level up.
//!
//! ## Example
//! ```yaml
//! spec:
//!   hostPID: true
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Remove `hostPID: true` (the default is `false`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Host Namespaces)
//! - CIS Kubernetes Benchmark 5.2.3

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_get};

pub static RULE: Rule = Rule {
    id: "LG-K8S-002",
    title: "Pods do not share the host's process id namespace",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.3",
        "pss:baseline",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_17", "AVD-KSV-0010"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = pod_get(r, "hostPID");
    match g.bool() {
        Some(true) => fail(g.span(), "pod shares the host's process id namespace (`hostPID: true`)"),
        _ => Outcome::Pass,
    }
}
