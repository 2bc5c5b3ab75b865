//! # Containers add no Linux capabilities
//!
//! ## What it checks
//! Every container of a workload: `securityContext.capabilities.add` must be
//! absent or empty.
//!
//! ## Why it matters
//! Each added capability widens what a compromised process can do to the
//! kernel and the node. CIS asks that containers run with the runtime's
//! default set at most; anything more should be an exception reviewed on its
//! own (and suppressed here with a reason).
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: agent
//!     image: registry.example/agent:2.0.1
//!     securityContext:
//!       capabilities:
//!         add: ["AUDIT_CONTROL"]
//! ```
//!
//! ## Fix
//! Remove `capabilities.add`; if the process truly needs one capability, keep
//! it and suppress this finding with the reason.
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
//! - CIS Kubernetes Benchmark 5.2.9

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, added_caps, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-011",
    title: "Containers add no Linux capabilities",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.2.9", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_25"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let (caps, span) = added_caps(c);
        match caps.first() {
            Some(cap) => fail(span, format!("container `{}` adds the capability `{cap}`", name(c))),
            None => Outcome::Pass,
        }
    })
}
