//! # Pods are selected by a NetworkPolicy
//!
//! ## What it checks
//! Every workload against the NetworkPolicies of the same scan: some
//! NetworkPolicy in the workload's namespace must select its pods, either
//! with an empty `podSelector` (every pod of the namespace) or with
//! `matchLabels` that the pod template's labels satisfy. A policy with
//! `matchExpressions` is assumed to match. A CiliumNetworkPolicy in the
//! namespace, or any CiliumClusterwideNetworkPolicy, also counts.
//!
//! ## Why it matters
//! Kubernetes lets every pod talk to every other pod until a NetworkPolicy
//! selects it. A pod no policy selects can be reached from anywhere in the
//! cluster and can reach anything, so one compromised pod can scan and
//! attack every service.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   template:
//!     metadata:
//!       labels:
//!         app: web
//! ```
//!
//! ## Fix
//! Add a default-deny NetworkPolicy to each namespace (`podSelector: {}`
//! with `policyTypes: [Ingress, Egress]`) and policies that allow the
//! traffic each application needs.
//!
//! ## Differences from Checkov
//! CKV2_K8S_6 is a graph check on the Pods Checkov derives from workload
//! templates, connected to NetworkPolicies by label selectors. Checkov derives
//! no Pod from a template without `metadata`, so the two kube-bench Jobs of
//! kubernetes-goat escape it; this rule checks every workload and fails
//! them too (13 against Checkov's 11, the other 11 the same).
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.3.2
//! - https://kubernetes.io/docs/concepts/services-networking/network-policies/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, namespace, pod_labels};

pub static RULE: Rule = Rule {
    id: "LG-K8S-036",
    title: "Pods are selected by a NetworkPolicy",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &[
        "cis-k8s:5.3.2",
        "nsa-k8s:network-separation",
        "pci-dss:1.3.1",
        "soc2:CC6.6",
    ],
    equivalent: &["CKV2_K8S_6", "AVD-KSV-0038"],
    check,
};

/// Whether the NetworkPolicy `np` selects pods labelled `labels`.
fn selects(np: &Resource, labels: &[(&str, String)]) -> bool {
    let Some(sel) = np.body.block("spec").and_then(|s| s.body.block("podSelector")) else {
        // No selector at all: treat like the empty selector.
        return true;
    };
    if sel.body.block("matchExpressions").is_some() || sel.body.attr("matchExpressions").is_some() {
        return true;
    }
    match sel.body.block("matchLabels") {
        None => true,
        Some(m) => m.body.attrs.iter().all(|(k, v)| {
            let want = v.value.to_string_lossy();
            labels
                .iter()
                .any(|(lk, lv)| lk == k && want.as_deref() == Some(lv.as_str()))
        }),
    }
}

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let ns = namespace(r);
    let labels = pod_labels(r);
    let covered = cx
        .of_kind("k8s.NetworkPolicy")
        .any(|np| namespace(np) == ns && selects(np, &labels))
        || cx.of_kind("k8s.CiliumNetworkPolicy").any(|np| namespace(np) == ns)
        || cx.of_kind("k8s.CiliumClusterwideNetworkPolicy").next().is_some();
    if covered {
        Outcome::Pass
    } else {
        fail(
            None,
            format!("no NetworkPolicy in namespace `{ns}` selects this workload's pods"),
        )
    }
}
