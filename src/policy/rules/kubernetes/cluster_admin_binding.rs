//! # Nothing is bound to the cluster-admin role
//!
//! ## What it checks
//! ClusterRoleBindings and RoleBindings whose `roleRef` is the ClusterRole
//! `cluster-admin`.
//!
//! ## Why it matters
//! `cluster-admin` can do anything to any object in the cluster. Bound to a
//! service account it sits in a pod's token, and bound to users it makes
//! every mistake or stolen credential cluster-wide. CIS asks that it be used
//! only where strictly required.
//!
//! ## Example
//! ```yaml
//! kind: ClusterRoleBinding
//! roleRef:
//!   kind: ClusterRole
//!   name: cluster-admin
//! subjects:
//!   - kind: ServiceAccount
//!     name: superadmin
//!     namespace: kube-system
//! ```
//!
//! ## Fix
//! Bind a role with the permissions the subject needs; keep cluster-admin
//! for break-glass accounts managed outside the manifests.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.1.1
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-K8S-043",
    title: "Nothing is bound to the cluster-admin role",
    severity: Severity::High,
    resources: &["k8s.RoleBinding", "k8s.ClusterRoleBinding"],
    frameworks: &[
        "cis-k8s:5.1.1",
        "nsa-k8s:authorization",
        "pci-dss:7.2.1",
        "soc2:CC6.3",
        "sox:itgc-access",
    ],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let name = r.get("roleRef.name");
    if r.get("roleRef.kind").str() == Some("ClusterRole") && name.str() == Some("cluster-admin") {
        fail(name.span(), "binding grants the `cluster-admin` role")
    } else {
        Outcome::Pass
    }
}
