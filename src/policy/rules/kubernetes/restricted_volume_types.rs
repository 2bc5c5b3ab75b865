//! # Pods use only the volume types the restricted standard allows
//!
//! ## What it checks
//! Every volume of the pod spec must be one of `configMap`, `csi`,
//! `downwardAPI`, `emptyDir`, `ephemeral`, `persistentVolumeClaim`,
//! `projected` or `secret`.
//!
//! ## Why it matters
//! Other volume types (hostPath, nfs, iscsi, rbd, gitRepo, …) reach outside
//! the pod's own storage: into the node, or into network storage with the
//! node's credentials. The restricted Pod Security Standard allows only the
//! types that go through the cluster's own abstractions.
//!
//! ## Example
//! ```yaml
//! volumes:
//!   - name: share
//!     nfs:
//!       server: nfs.example
//!       path: /exports
//! ```
//!
//! ## Fix
//! Use a PersistentVolumeClaim backed by a StorageClass (or a CSI driver)
//! instead of mounting the storage directly in the pod.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Volume Types)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-022",
    title: "Pods use only the volume types the restricted standard allows",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["pss:restricted", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["AVD-KSV-0028"],
    check,
};

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    for v in spec.blocks("volumes") {
        let vol = v.body.get("name").str().unwrap_or("?");
        for b in &v.body.blocks {
            if !ALLOWED.contains(&b.ident.as_str()) {
                return fail(Some(b.span), format!("volume `{vol}` is of type `{}`", b.ident));
            }
        }
    }
    Outcome::Pass
}
