//! # Containers do not run privileged
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload
//! (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob) whose
//! `securityContext.privileged` is `true`.
//!
//! ## Why it matters
//! A privileged container has every capability and the host's devices: a
//! compromise of the process is a compromise of the node and of every pod
//! on it. The Pod Security Standards forbid it from the baseline level up.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       privileged: true
//! ```
//!
//! ## Fix
//! Remove `privileged: true`; grant the one capability the process needs
//! with `capabilities.add` if it really needs one.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Privileged Containers)
//! - CIS Kubernetes Benchmark 5.2.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, containers, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-001",
    title: "Containers do not run privileged",
    severity: Severity::Critical,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.2.2", "pss:baseline", "nsa-k8s:pod-security", "pci-dss:2.2.1", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_16", "AVD-KSV-0017"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let mut unknown = false;
    for c in containers(r) {
        let g = c.body.get("securityContext.privileged");
        match g.bool() {
            Some(true) => return fail(g.span(), format!("container `{}` runs privileged", name(c))),
            None if g.is_unknown() => unknown = true,
            _ => {}
        }
    }
    if unknown { Outcome::Unknown } else { Outcome::Pass }
}
