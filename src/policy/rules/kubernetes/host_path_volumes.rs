//! # Pods do not mount hostPath volumes
//!
//! ## What it checks
//! Workloads whose pod spec has a volume of type `hostPath`.
//!
//! ## Why it matters
//! A hostPath volume exposes the node's filesystem to the container: its
//! credentials, the kubelet's and runtime's sockets and state, other pods'
//! data. Even read-only, it leaks secrets; writable, it is a node takeover.
//! The baseline Pod Security Standard forbids hostPath volumes.
//!
//! ## Example
//! ```yaml
//! volumes:
//!   - name: host
//!     hostPath:
//!       path: /
//! ```
//!
//! ## Fix
//! Use a `persistentVolumeClaim`, `configMap`, `secret`, `emptyDir` or CSI
//! volume instead. Node agents that really need the host's files belong in a
//! separately governed namespace; suppress the finding there with a reason.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: HostPath Volumes)
//! - CIS Kubernetes Benchmark 5.2.12
//! - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-019",
    title: "Pods do not mount hostPath volumes",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.12",
        "pss:baseline",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["AVD-KSV-0023"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    for v in spec.blocks("volumes") {
        if let Some(h) = v.body.block("hostPath") {
            let path = h.body.get("path").str().unwrap_or("?");
            let vol = v.body.get("name").str().unwrap_or("?");
            return fail(Some(h.span), format!("volume `{vol}` mounts the host path `{path}`"));
        }
    }
    Outcome::Pass
}
