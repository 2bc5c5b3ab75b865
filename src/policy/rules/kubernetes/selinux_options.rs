//! # Pods do not set custom SELinux users, roles or types
//!
//! ## What it checks
//! The pod's and every container's `securityContext.seLinuxOptions`: `type`
//! must be unset or one of `container_t`, `container_init_t`,
//! `container_kvm_t`, `container_engine_t`; `user` and `role` must be unset.
//!
//! ## Why it matters
//! An SELinux type such as `spc_t` (super-privileged container) or a custom
//! user or role lifts the confinement SELinux puts on container processes.
//! The baseline Pod Security Standard allows only the container types.
//!
//! ## Example
//! ```yaml
//! securityContext:
//!   seLinuxOptions:
//!     type: spc_t
//! ```
//!
//! ## Fix
//! Remove `seLinuxOptions.user`, `seLinuxOptions.role` and any type other than
//! the container types; setting `level` (MCS categories) is fine.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: SELinux)
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container

use crate::policy::model::{Body, Resource};
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, containers, name, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-016",
    title: "Pods do not set custom SELinux users, roles or types",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["pss:baseline", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["AVD-KSV-0025"],
    check,
};

const TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn selinux(body: &Body, who: &str) -> Outcome {
    let t = body.get("securityContext.seLinuxOptions.type");
    if let Some(v) = t.str()
        && !v.is_empty()
        && !TYPES.contains(&v)
    {
        return fail(t.span(), format!("{who} sets the SELinux type `{v}`"));
    }
    for key in ["user", "role"] {
        let g = body.get(&format!("securityContext.seLinuxOptions.{key}"));
        if let Some(v) = g.str()
            && !v.is_empty()
        {
            return fail(g.span(), format!("{who} sets the SELinux {key} `{v}`"));
        }
    }
    Outcome::Pass
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let pod = pod_spec(r).map_or(Outcome::Pass, |s| selinux(s, "pod"));
    all(std::iter::once(pod).chain(
        containers(r)
            .into_iter()
            .map(|c| selinux(&c.body, &format!("container `{}`", name(c)))),
    ))
}
