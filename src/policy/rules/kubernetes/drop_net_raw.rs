//! # Containers drop the NET_RAW capability
//!
//! ## What it checks
//! Every container of a workload: `securityContext.capabilities.drop` must
//! include `NET_RAW` or `ALL`.
//!
//! ## Why it matters
//! `NET_RAW` is in the runtime's default set. It lets a process craft raw
//! packets: ARP and DNS spoofing of other pods on the node's network, and it
//! has been the key to several container escapes.
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
//! Drop `ALL` capabilities (or at least `NET_RAW`) in each container's
//! `securityContext.capabilities.drop`.
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
//! - CIS Kubernetes Benchmark 5.2.8

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, cap_is, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-010",
    title: "Containers drop the NET_RAW capability",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.2.8", "nsa-k8s:pod-security", "pci-dss:2.2.1", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_28"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("securityContext.capabilities.drop");
        if g.is_unknown() {
            return Outcome::Unknown;
        }
        let dropped = g.strs().unwrap_or_default();
        if dropped.iter().any(|d| ["ALL", "NET_RAW"].iter().any(|w| cap_is(d, w))) {
            Outcome::Pass
        } else {
            fail(
                g.span().or(Some(c.span)),
                format!("container `{}` does not drop `NET_RAW` (or `ALL`)", name(c)),
            )
        }
    })
}
