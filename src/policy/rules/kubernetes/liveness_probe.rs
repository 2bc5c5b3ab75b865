//! # Containers define a liveness probe
//!
//! ## What it checks
//! Every container (not init containers) of a long-running workload (Pod,
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController)
//! must define `livenessProbe`. Jobs and CronJobs are not checked: they run to
//! completion.
//!
//! ## Why it matters
//! Without a liveness probe the kubelet restarts a container only when its
//! process exits; a deadlocked or wedged process keeps its place and keeps
//! failing requests.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     ports:
//!       - containerPort: 8080
//! ```
//!
//! ## Fix
//! Add a `livenessProbe` (`httpGet`, `tcpSocket`, `grpc` or `exec`) that reflects
//! whether the application is alive.
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_k8s::{name, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-029",
    title: "Containers define a liveness probe",
    severity: Severity::Low,
    resources: &[
        "k8s.Pod",
        "k8s.Deployment",
        "k8s.StatefulSet",
        "k8s.DaemonSet",
        "k8s.ReplicaSet",
        "k8s.ReplicationController",
    ],
    frameworks: &["soc2:A1.1", "nsa-k8s:logging-monitoring"],
    equivalent: &["CKV_K8S_8"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    all(spec.blocks("containers").map(|c| {
        if c.body.get("livenessProbe").is_missing() {
            fail(Some(c.span), format!("container `{}` has no liveness probe", name(c)))
        } else {
            Outcome::Pass
        }
    }))
}
