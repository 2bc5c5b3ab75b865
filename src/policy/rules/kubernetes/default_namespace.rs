//! # Objects are not placed in the default namespace
//!
//! ## What it checks
//! Namespaced objects (workloads, Services, Secrets, ConfigMaps, Ingresses,
//! ServiceAccounts, Roles and RoleBindings) whose `metadata.namespace` is
//! `default` or is not set (so they land in the default namespace, or in
//! whatever namespace the person applying them happens to use). The
//! `default` ServiceAccount and the `kubernetes` Service are exempt.
//!
//! ## Why it matters
//! Namespaces are the boundary for RBAC, NetworkPolicies, quotas and Pod
//! Security admission. Everything in `default` shares one boundary, usually
//! the least governed one, and a manifest without a namespace goes
//! wherever the current kubectl context points.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   name: web
//!   namespace: default
//! ```
//!
//! ## Fix
//! Create a namespace per application or team and set `metadata.namespace`
//! explicitly.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.7.4
//! - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-K8S-034",
    title: "Objects are not placed in the default namespace",
    severity: Severity::Low,
    resources: &[
        "k8s.Pod",
        "k8s.Deployment",
        "k8s.DaemonSet",
        "k8s.StatefulSet",
        "k8s.ReplicaSet",
        "k8s.ReplicationController",
        "k8s.Job",
        "k8s.CronJob",
        "k8s.Service",
        "k8s.Secret",
        "k8s.ServiceAccount",
        "k8s.Role",
        "k8s.RoleBinding",
        "k8s.ConfigMap",
        "k8s.Ingress",
    ],
    frameworks: &["cis-k8s:5.7.4", "nsa-k8s:namespaces", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_21", "AVD-KSV-0110"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let exempt =
        (r.kind == "k8s.ServiceAccount" && r.name == "default") || (r.kind == "k8s.Service" && r.name == "kubernetes");
    if exempt {
        return Outcome::Pass;
    }
    if r.get("metadata.name").str().is_none() {
        // A template (`name: {{ .Values.name }}`), not an object.
        return Outcome::Unknown;
    }
    let g = r.get("metadata.namespace");
    match g.str() {
        Some("default") => fail(g.span(), "object is in the `default` namespace"),
        Some(_) => Outcome::Pass,
        None if g.is_missing() => fail(None, "object sets no namespace, so it lands in `default`"),
        None => Outcome::Unknown,
    }
}
