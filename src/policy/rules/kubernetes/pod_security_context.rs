//! # Pods set a security context
//!
//! ## What it checks
//! Workloads whose pod spec has no `securityContext`, or an empty one.
//!
//! ## Why it matters
//! The pod-level security context is where the settings that apply to every
//! container live: `runAsNonRoot`, `runAsUser`, `fsGroup`, `seccompProfile`.
//! A pod without one runs with the image's user and the runtime's defaults.
//!
//! ## Example
//! ```yaml
//! spec:
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Add a pod `securityContext`, for example `runAsNonRoot: true`,
//! `runAsUser: 10001` and `seccompProfile: {type: RuntimeDefault}`.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.7.3
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-023",
    title: "Pods set a security context",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.7.3", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_29"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    match spec.block("securityContext") {
        Some(sc) if !sc.body.attrs.is_empty() || !sc.body.blocks.is_empty() => Outcome::Pass,
        Some(sc) => fail(Some(sc.span), "pod has an empty `securityContext`"),
        None => fail(None, "pod sets no `securityContext`"),
    }
}
