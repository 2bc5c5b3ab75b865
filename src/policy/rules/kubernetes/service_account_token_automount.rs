//! # Pods do not mount a service account token unless they need one
//!
//! ## What it checks
//! Workloads whose pod spec does not set `automountServiceAccountToken:
//! false`. A pod that leaves it unset passes when its ServiceAccount (by
//! `serviceAccountName`, in the same namespace, in the scan) sets
//! `automountServiceAccountToken: false`.
//!
//! ## Why it matters
//! Every pod gets an API token for its service account mounted at
//! `/var/run/secrets/kubernetes.io/serviceaccount` unless told otherwise.
//! Most applications never call the Kubernetes API, and a stolen token is
//! the first step of most lateral movement inside a cluster.
//!
//! ## Example
//! ```yaml
//! spec:
//!   containers:
//!     - name: app
//!       image: registry.example/app:1.4.2
//! ```
//!
//! ## Fix
//! Set `automountServiceAccountToken: false` on the pod spec (or on its
//! ServiceAccount); for pods that call the API, mount a projected token with
//! a short lifetime and a specific audience.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_38 looks only at the pod spec. This rule also accepts
//! a pod whose ServiceAccount (found in the same scan) turns automounting
//! off, since Kubernetes then mounts no token either. On kubernetes-goat
//! both fail the same 13 workloads.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.1.6
//! - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, namespace, pod_get};

pub static RULE: Rule = Rule {
    id: "LG-K8S-035",
    title: "Pods do not mount a service account token unless they need one",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["cis-k8s:5.1.6", "nsa-k8s:authentication", "pci-dss:7.2.1", "soc2:CC6.1"],
    equivalent: &["CKV_K8S_38", "AVD-KSV-0036"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let g = pod_get(r, "automountServiceAccountToken");
    match g.bool() {
        Some(false) => return Outcome::Pass,
        Some(true) => {
            return fail(
                g.span(),
                "pod mounts its service account token (`automountServiceAccountToken: true`)",
            );
        }
        None if g.is_unknown() => return Outcome::Unknown,
        None => {}
    }
    let sa = pod_get(r, "serviceAccountName").str().unwrap_or("default");
    let off = cx.of_kind("k8s.ServiceAccount").any(|s| {
        s.name == sa && namespace(s) == namespace(r) && s.get("automountServiceAccountToken").bool() == Some(false)
    });
    if off {
        Outcome::Pass
    } else {
        fail(
            None,
            format!("pod mounts the token of service account `{sa}` (no `automountServiceAccountToken: false`)"),
        )
    }
}
