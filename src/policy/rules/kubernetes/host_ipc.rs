//! # Pods do not share the host's IPC namespace
//!
//! ## What it checks
//! Workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob) whose pod spec sets `hostIPC: true`.
//!
//! ## Why it matters
//! A pod in the host's IPC namespace escapes the isolation the
//! namespace gives: it can see and reach what the node's own processes use.
//! The Pod Security Standards forbid host namespaces from the baseline level up.
//!
//! ## Example
//! ```yaml
//! spec:
//!   hostIPC: true
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Remove `hostIPC: true` (the default is `false`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Host Namespaces)
//! - CIS Kubernetes Benchmark 5.2.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_get};

pub static RULE: Rule = Rule {
    id: "LG-K8S-003",
    title: "Pods do not share the host's IPC namespace",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.4",
        "pss:baseline",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_18", "AVD-KSV-0008"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = pod_get(r, "hostIPC");
    match g.bool() {
        Some(true) => fail(g.span(), "pod shares the host's IPC namespace (`hostIPC: true`)"),
        _ => Outcome::Pass,
    }
}
