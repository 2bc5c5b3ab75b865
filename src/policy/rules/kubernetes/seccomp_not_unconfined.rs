//! # Pods do not disable seccomp (Unconfined)
//!
//! ## What it checks
//! The pod's and every container's `securityContext.seccompProfile.type`,
//! and the legacy seccomp annotations of the pod template: none may be
//! `Unconfined` (`unconfined` for the annotations).
//!
//! ## Why it matters
//! `Unconfined` switches seccomp filtering off explicitly, even where the
//! cluster applies the runtime default to every pod. The baseline Pod
//! Security Standard forbids it.
//!
//! ## Example
//! ```yaml
//! spec:
//!   securityContext:
//!     seccompProfile:
//!       type: Unconfined
//! ```
//!
//! ## Fix
//! Remove the `Unconfined` profile, or better set `RuntimeDefault`.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Seccomp)
//! - https://kubernetes.io/docs/tutorials/security/seccomp/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, containers, name, pod_get, pod_metadata};

pub static RULE: Rule = Rule {
    id: "LG-K8S-014",
    title: "Pods do not disable seccomp (Unconfined)",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &["pss:baseline", "cis-k8s:5.7.2", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &[],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let pod = pod_get(r, "securityContext.seccompProfile.type");
    if pod.str() == Some("Unconfined") {
        return fail(pod.span(), "pod disables seccomp (`seccompProfile.type: Unconfined`)");
    }
    let notes = pod_metadata(r).and_then(|m| m.block("annotations"));
    for (key, a) in notes.map(|n| n.body.attrs.as_slice()).unwrap_or_default() {
        let seccomp = key == "seccomp.security.alpha.kubernetes.io/pod"
            || key.starts_with("container.seccomp.security.alpha.kubernetes.io/");
        if seccomp && a.value.as_str() == Some("unconfined") {
            return fail(Some(a.span), format!("annotation `{key}` disables seccomp"));
        }
    }
    all(containers(r).into_iter().map(|c| {
        let g = c.body.get("securityContext.seccompProfile.type");
        match g.str() {
            Some("Unconfined") => fail(
                g.span(),
                format!("container `{}` disables seccomp (`Unconfined`)", name(c)),
            ),
            _ => Outcome::Pass,
        }
    }))
}
