//! Checks shared by the Kubernetes rules: where the pod spec of each
//! workload kind is, and its containers.

use crate::policy::model::{Block, Body, Resource};

/// Every kind that runs pods.
pub const WORKLOADS: &[&str] = &[
    "k8s.Pod",
    "k8s.Deployment",
    "k8s.StatefulSet",
    "k8s.DaemonSet",
    "k8s.ReplicaSet",
    "k8s.ReplicationController",
    "k8s.Job",
    "k8s.CronJob",
];

/// The pod spec: `spec` of a Pod, `spec.jobTemplate.spec.template.spec` of
/// a CronJob, `spec.template.spec` of the others.
pub fn pod_spec(r: &Resource) -> Option<&Body> {
    let spec = &r.body.block("spec")?.body;
    match r.kind.as_str() {
        "k8s.Pod" => Some(spec),
        "k8s.CronJob" => Some(
            &spec
                .block("jobTemplate")?
                .body
                .block("spec")?
                .body
                .block("template")?
                .body
                .block("spec")?
                .body,
        ),
        _ => Some(&spec.block("template")?.body.block("spec")?.body),
    }
}

/// Containers, init containers and ephemeral containers of the pod.
pub fn containers(r: &Resource) -> Vec<&Block> {
    let Some(spec) = pod_spec(r) else { return Vec::new() };
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| spec.blocks(k))
        .collect()
}

/// A container's name, for messages.
pub fn name(c: &Block) -> &str {
    c.body.get("name").str().unwrap_or("?")
}
