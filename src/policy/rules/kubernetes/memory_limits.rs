//! # Containers set a memory limit
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload
//! must set `resources.limits.memory`.
//!
//! ## Why it matters
//! A container without a memory limit can exhaust its node's memory: the
//! kernel's OOM killer then takes down other pods, or the kubelet itself.
//! Unbounded memory is the easiest denial of service against a cluster.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     resources:
//!       limits:
//!         cpu: 100m
//! ```
//!
//! ## Fix
//! Set `resources.limits.memory` on every container (from load tests or
//! observed usage), or give the namespace a LimitRange with defaults and
//! suppress this finding with that reason.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
//! - NSA/CISA Kubernetes Hardening Guide, Resource policies

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-028",
    title: "Containers set a memory limit",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["nsa-k8s:resource-policies", "soc2:A1.1", "pci-dss:2.2.1"],
    equivalent: &["CKV_K8S_13", "AVD-KSV-0018"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("resources.limits.memory");

        if g.is_unknown() {
            Outcome::Unknown
        } else if g.is_missing() || g.str() == Some("") {
            let at = c.body.get("resources").span().or(Some(c.span));
            fail(at, format!("container `{}` has no memory limit", name(c)))
        } else {
            Outcome::Pass
        }
    })
}
