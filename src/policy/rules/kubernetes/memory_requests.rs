//! # Containers set a memory request
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload
//! must set `resources.requests.memory` (or `resources.limits.memory`, which
//! Kubernetes then uses as the request).
//!
//! ## Why it matters
//! Without a memory request the scheduler cannot keep the node's memory
//! from being overcommitted; under pressure the kubelet evicts such pods
//! first.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     resources:
//!       requests:
//!         cpu: 100m
//! ```
//!
//! ## Fix
//! Set `resources.requests.memory` on every container (from load tests or
//! observed usage), or give the namespace a LimitRange with defaults and
//! suppress this finding with that reason.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_12 reports nothing (unknown) for a container that has a
//! `resources` section without `requests`, and fails one without any
//! `resources`. This rule passes a container whose memory limit is set (Kubernetes
//! then uses it as the request) and fails every other container without a
//! memory request. On kubernetes-goat both fail the same 6 workloads.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
//! - NSA/CISA Kubernetes Hardening Guide, Resource policies

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-027",
    title: "Containers set a memory request",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["nsa-k8s:resource-policies", "soc2:A1.1", "pci-dss:2.2.1"],
    equivalent: &["CKV_K8S_12", "AVD-KSV-0016"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("resources.requests.memory");
        let g = if g.is_missing() {
            c.body.get("resources.limits.memory")
        } else {
            g
        };
        if g.is_unknown() {
            Outcome::Unknown
        } else if g.is_missing() || g.str() == Some("") {
            let at = c.body.get("resources").span().or(Some(c.span));
            fail(at, format!("container `{}` has no memory request", name(c)))
        } else {
            Outcome::Pass
        }
    })
}
