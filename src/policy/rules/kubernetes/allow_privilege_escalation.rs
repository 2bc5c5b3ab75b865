//! # Containers do not allow privilege escalation
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload:
//! `securityContext.allowPrivilegeEscalation` must be `false`. It fails when
//! the setting is `true` or absent (Kubernetes then allows escalation).
//!
//! ## Why it matters
//! Without `allowPrivilegeEscalation: false` the kernel's `no_new_privs` flag
//! is not set, so a process can gain more privileges than its parent through
//! setuid binaries or file capabilities. The restricted Pod Security Standard
//! requires it to be `false`.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       allowPrivilegeEscalation: true
//! ```
//!
//! ## Fix
//! Set `securityContext.allowPrivilegeEscalation: false` on every container.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Privilege Escalation)
//! - CIS Kubernetes Benchmark 5.2.6

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-005",
    title: "Containers do not allow privilege escalation",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.6",
        "pss:restricted",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_20", "AVD-KSV-0001"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("securityContext.allowPrivilegeEscalation");
        match g.bool() {
            Some(false) => Outcome::Pass,
            Some(true) => fail(g.span(), format!("container `{}` allows privilege escalation", name(c))),
            None if g.is_unknown() => Outcome::Unknown,
            None => fail(
                Some(c.span),
                format!("container `{}` does not set `allowPrivilegeEscalation: false`", name(c)),
            ),
        }
    })
}
