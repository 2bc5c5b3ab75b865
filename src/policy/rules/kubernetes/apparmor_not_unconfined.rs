//! # Containers do not disable AppArmor
//!
//! ## What it checks
//! The pod's and every container's `securityContext.appArmorProfile.type`
//! must not be `Unconfined`, and the pod template's annotations
//! `container.apparmor.security.beta.kubernetes.io/<name>` must be
//! `runtime/default` or `localhost/…` (not `unconfined`).
//!
//! ## Why it matters
//! On nodes with AppArmor, the runtime's default profile denies containers
//! the riskiest file and mount operations. An `unconfined` profile removes
//! that layer. The baseline Pod Security Standard only allows the runtime
//! default or a profile loaded on the node.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     container.apparmor.security.beta.kubernetes.io/app: unconfined
//! ```
//!
//! ## Fix
//! Remove the override, or set `appArmorProfile.type: RuntimeDefault`
//! (annotation `runtime/default`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: AppArmor)
//! - https://kubernetes.io/docs/tutorials/security/apparmor/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, containers, name, pod_get, pod_metadata};

pub static RULE: Rule = Rule {
    id: "LG-K8S-015",
    title: "Containers do not disable AppArmor",
    severity: Severity::High,
    resources: WORKLOADS,
    frameworks: &["pss:baseline", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["AVD-KSV-0002"],
    check,
};

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let pod = pod_get(r, "securityContext.appArmorProfile.type");
    if pod.str() == Some("Unconfined") {
        return fail(pod.span(), "pod disables AppArmor (`appArmorProfile.type: Unconfined`)");
    }
    let notes = pod_metadata(r).and_then(|m| m.block("annotations"));
    for (key, a) in notes.map(|n| n.body.attrs.as_slice()).unwrap_or_default() {
        let Some(container) = key.strip_prefix(ANNOTATION) else {
            continue;
        };
        match a.value.as_str() {
            Some(v) if v == "runtime/default" || v.starts_with("localhost/") || v.contains("{{") => {}
            Some(v) => {
                return fail(
                    Some(a.span),
                    format!("container `{container}` runs with the AppArmor profile `{v}`"),
                );
            }
            None => {}
        }
    }
    all(containers(r).into_iter().map(|c| {
        let g = c.body.get("securityContext.appArmorProfile.type");
        match g.str() {
            Some("Unconfined") => fail(
                g.span(),
                format!("container `{}` disables AppArmor (`Unconfined`)", name(c)),
            ),
            _ => Outcome::Pass,
        }
    }))
}
