//! # Containers run as a high UID (10000 or above)
//!
//! ## What it checks
//! Every container of a workload, with the pod's `securityContext` as the
//! default for the container's: `runAsUser` must be set and be 10000 or more.
//!
//! ## Why it matters
//! UIDs below 10000 are the ones the node's own users and system services
//! have. A container escape as such a UID lands with that user's rights on
//! the host's files; a high UID that no host account owns has none.
//!
//! ## Example
//! ```yaml
//! spec:
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//!       securityContext:
//!         runAsUser: 1000
//! ```
//!
//! ## Fix
//! Set `securityContext.runAsUser` to 10000 or more on the pod (or every
//! container), and build the image to work with that UID.
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
//! - NSA/CISA Kubernetes Hardening Guide, Pod security: non-root containers

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, effective, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-007",
    title: "Containers run as a high UID (10000 or above)",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_40", "AVD-KSV-0020"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let user = effective(r, c, "runAsUser");
        match user.num() {
            Some(u) if u >= 10000.0 => Outcome::Pass,
            Some(u) => fail(
                user.span(),
                format!("container `{}` runs as UID {u}, below 10000", name(c)),
            ),
            None if user.is_missing() => fail(
                Some(c.span),
                format!("container `{}` does not set `runAsUser`", name(c)),
            ),
            None => Outcome::Unknown,
        }
    })
}
