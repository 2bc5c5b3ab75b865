//! # Containers drop all Linux capabilities
//!
//! ## What it checks
//! Every container of a workload: `securityContext.capabilities.drop` must
//! include `ALL`.
//!
//! ## Why it matters
//! Container runtimes grant a default set of capabilities (CHOWN, SETUID,
//! NET_RAW, …) that most applications never use, and each is kernel attack
//! surface. The restricted Pod Security Standard requires dropping `ALL` and
//! adding back only `NET_BIND_SERVICE` if needed.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       capabilities:
//!         drop: ["CHOWN"]
//! ```
//!
//! ## Fix
//! Add `capabilities: {drop: ["ALL"]}` to each container's `securityContext`
//! and add back only what the process needs.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Capabilities)
//! - CIS Kubernetes Benchmark 5.2.10

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, cap_is, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-009",
    title: "Containers drop all Linux capabilities",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.10",
        "pss:restricted",
        "nsa-k8s:pod-security",
        "pci-dss:2.2.1",
        "soc2:CC6.1",
    ],
    equivalent: &["CKV_K8S_37", "AVD-KSV-0003"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("securityContext.capabilities.drop");
        if g.is_unknown() {
            return Outcome::Unknown;
        }
        let dropped = g.strs().unwrap_or_default();
        if dropped.iter().any(|d| ["ALL"].iter().any(|w| cap_is(d, w))) {
            Outcome::Pass
        } else {
            fail(
                g.span().or(Some(c.span)),
                format!(
                    "container `{}` does not drop all capabilities (`capabilities.drop: [ALL]`)",
                    name(c)
                ),
            )
        }
    })
}
