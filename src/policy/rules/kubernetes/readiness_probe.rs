//! # Containers define a readiness probe
//!
//! ## What it checks
//! Every container (not init containers) of a long-running workload (Pod,
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController)
//! must define `readinessProbe`. Jobs and CronJobs are not checked: they run to
//! completion.
//!
//! ## Why it matters
//! Without a readiness probe a pod receives traffic as soon as its
//! containers start, before the application can answer, and keeps
//! receiving it while it is overloaded or its dependencies are down.
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
//! Add a `readinessProbe` (`httpGet`, `tcpSocket`, `grpc` or `exec`) that reflects
//! whether the application is ready to serve.
//!
//! ## References
//! - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, fail};
use crate::policy::rules::common_k8s::{name, pod_spec};

pub static RULE: Rule = Rule {
    id: "LG-K8S-030",
    title: "Containers define a readiness probe",
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
    equivalent: &["CKV_K8S_9"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let Some(spec) = pod_spec(r) else { return Outcome::Pass };
    all(spec.blocks("containers").map(|c| {
        if c.body.get("readinessProbe").is_missing() {
            fail(Some(c.span), format!("container `{}` has no readiness probe", name(c)))
        } else {
            Outcome::Pass
        }
    }))
}
