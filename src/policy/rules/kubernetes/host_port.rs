//! # Containers do not bind host ports
//!
//! ## What it checks
//! Every container of a workload: no entry of `ports` may set a `hostPort`
//! other than 0.
//!
//! ## Why it matters
//! A host port opens the node's own network interface straight to the pod,
//! bypassing Services and most NetworkPolicy implementations, and ties the
//! pod to nodes where the port is free. The baseline Pod Security Standard
//! forbids host ports.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     ports:
//!       - containerPort: 8080
//!         hostPort: 8080
//! ```
//!
//! ## Fix
//! Remove `hostPort` and expose the pod through a Service.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_26 fails any `hostPort` key, even `hostPort: 0`
//! (which Kubernetes treats as no host port); this rule, like the Pod
//! Security Standard, lets 0 pass. Neither fires on kubernetes-goat.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: Host Ports)
//! - CIS Kubernetes Benchmark 5.2.13
//! - https://kubernetes.io/docs/concepts/configuration/overview/#services

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-020",
    title: "Containers do not bind host ports",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.2.13",
        "pss:baseline",
        "nsa-k8s:network-separation",
        "soc2:CC6.6",
    ],
    equivalent: &["CKV_K8S_26", "AVD-KSV-0024"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        for p in c.body.blocks("ports") {
            let g = p.body.get("hostPort");
            match g.num() {
                Some(n) if n != 0.0 => {
                    return fail(g.span(), format!("container `{}` binds the host port {n}", name(c)));
                }
                None if g.str().is_some() => {
                    return fail(g.span(), format!("container `{}` binds a host port", name(c)));
                }
                _ => {}
            }
        }
        Outcome::Pass
    })
}
