//! # Containers use a read-only root filesystem
//!
//! ## What it checks
//! Every container of a workload: `securityContext.readOnlyRootFilesystem`
//! must be `true`.
//!
//! ## Why it matters
//! A writable root filesystem lets an intruder drop tools, change binaries
//! and configuration, and persist inside the container. Mounting it read-only
//! (with `emptyDir` volumes where the process must write) takes that away.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       readOnlyRootFilesystem: false
//! ```
//!
//! ## Fix
//! Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir`
//! where the application writes (`/tmp`, caches).
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
//! - NSA/CISA Kubernetes Hardening Guide, Pod security: immutable container filesystems

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-008",
    title: "Containers use a read-only root filesystem",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["nsa-k8s:pod-security", "pci-dss:2.2.1", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_22", "AVD-KSV-0014"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("securityContext.readOnlyRootFilesystem");
        match g.bool() {
            Some(true) => Outcome::Pass,
            Some(false) => fail(
                g.span(),
                format!("container `{}` has a writable root filesystem", name(c)),
            ),
            None if g.is_unknown() => Outcome::Unknown,
            None => fail(
                Some(c.span),
                format!("container `{}` does not set `readOnlyRootFilesystem: true`", name(c)),
            ),
        }
    })
}
