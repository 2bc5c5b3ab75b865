//! # Containers set a CPU request
//!
//! ## What it checks
//! Every container, init container and ephemeral container of a workload
//! must set `resources.requests.cpu` (or `resources.limits.cpu`, which
//! Kubernetes then uses as the request).
//!
//! ## Why it matters
//! Without a CPU request the scheduler places the pod as if it needed no CPU:
//! nodes get overcommitted and the pod is the first to be starved under
//! contention, which turns load into outages.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     resources:
//!       requests:
//!         memory: 128Mi
//! ```
//!
//! ## Fix
//! Set `resources.requests.cpu` on every container (from load tests or
//! observed usage), or give the namespace a LimitRange with defaults and
//! suppress this finding with that reason.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_10 reports nothing (unknown) for a container that has a
//! `resources` section without `requests`, and fails one without any
//! `resources`. This rule passes a container whose cpu limit is set (Kubernetes
//! then uses it as the request) and fails every other container without a
//! cpu request. On kubernetes-goat both fail the same 6 workloads.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
//! - NSA/CISA Kubernetes Hardening Guide, Resource policies

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-025",
    title: "Containers set a CPU request",
    severity: Severity::Low,
    resources: WORKLOADS,
    frameworks: &["nsa-k8s:resource-policies", "soc2:A1.1", "pci-dss:2.2.1"],
    equivalent: &["CKV_K8S_10", "AVD-KSV-0015"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("resources.requests.cpu");
        let g = if g.is_missing() {
            c.body.get("resources.limits.cpu")
        } else {
            g
        };
        if g.is_unknown() {
            Outcome::Unknown
        } else if g.is_missing() || g.str() == Some("") {
            let at = c.body.get("resources").span().or(Some(c.span));
            fail(at, format!("container `{}` has no CPU request", name(c)))
        } else {
            Outcome::Pass
        }
    })
}
