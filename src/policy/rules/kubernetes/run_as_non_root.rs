//! # Containers do not run as root
//!
//! ## What it checks
//! Every container of a workload, with the pod's `securityContext` as the
//! default for the container's: it passes when `runAsNonRoot` is `true` or
//! `runAsUser` is above 0, and fails when neither is so (the image's user,
//! often root, is used) or when `runAsUser` is 0.
//!
//! ## Why it matters
//! A process running as UID 0 in a container is root on the node's kernel:
//! one container escape away from the node. `runAsNonRoot: true` makes the
//! kubelet refuse to start a container whose user is root. The restricted
//! Pod Security Standard requires it.
//!
//! ## Example
//! ```yaml
//! spec:
//!   securityContext:
//!     runAsUser: 0
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Set `securityContext.runAsNonRoot: true` (and a non-zero `runAsUser`) on
//! the pod or on every container, and build the image with a non-root `USER`.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Running as Non-root)
//! - CIS Kubernetes Benchmark 5.2.7

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, effective, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-006",
    title: "Containers do not run as root",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.7",
        "pss:restricted",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_23", "AVD-KSV-0012"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let non_root = effective(r, c, "runAsNonRoot");
        let user = effective(r, c, "runAsUser");
        if non_root.bool() == Some(true) || user.num().is_some_and(|u| u > 0.0) {
            return Outcome::Pass;
        }
        if non_root.is_unknown() || user.is_unknown() {
            return Outcome::Unknown;
        }
        match user.num() {
            Some(_) => fail(
                user.span(),
                format!("container `{}` runs as root (`runAsUser: 0`)", name(c)),
            ),
            None => fail(
                non_root.span().or(Some(c.span)),
                format!(
                    "container `{}` may run as root: neither `runAsNonRoot: true` nor a non-zero `runAsUser`",
                    name(c)
                ),
            ),
        }
    })
}
