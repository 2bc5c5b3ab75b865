//! # Containers set a security context
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload
//! must have a non-empty `securityContext`.
//!
//! ## Why it matters
//! Some protections exist only per container: `allowPrivilegeEscalation`,
//! `readOnlyRootFilesystem`, `capabilities`. A container without a security
//! context gets none of them.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Give each container a `securityContext`, at least
//! `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true` and
//! `capabilities: {drop: ["ALL"]}`.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.7.3
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-024",
    title: "Containers set a security context",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.7.3", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_30"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| match c.body.block("securityContext") {
        Some(sc) if !sc.body.attrs.is_empty() || !sc.body.blocks.is_empty() => Outcome::Pass,
        Some(sc) => fail(
            Some(sc.span),
            format!("container `{}` has an empty `securityContext`", name(c)),
        ),
        None => fail(
            Some(c.span),
            format!("container `{}` sets no `securityContext`", name(c)),
        ),
    })
}
