//! Checks shared by the Kubernetes rules: where the pod spec of each
//! workload kind is, and its containers.

use crate::policy::model::{Block, Body, Get, Resource, Span};
use crate::policy::rule::{Ctx, Outcome, all};

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

/// Every container's outcome: the first failure, else unknown if any was.
pub fn each_container<'a>(r: &'a Resource, f: impl Fn(&'a Block) -> Outcome) -> Outcome {
    all(containers(r).into_iter().map(f))
}

/// A setting of the pod spec (`hostPID`, `securityContext.runAsUser`).
pub fn pod_get<'a>(r: &'a Resource, path: &str) -> Get<'a> {
    pod_spec(r).map_or(Get::Missing, |s| s.get(path))
}

/// The metadata of the pod template (a Pod's own metadata).
pub fn pod_metadata(r: &Resource) -> Option<&Body> {
    fn meta(b: &Body) -> Option<&Body> {
        b.block("metadata").map(|m| &m.body)
    }
    match r.kind.as_str() {
        "k8s.Pod" => meta(&r.body),
        "k8s.CronJob" => meta(
            &r.body
                .block("spec")?
                .body
                .block("jobTemplate")?
                .body
                .block("spec")?
                .body
                .block("template")?
                .body,
        ),
        _ => meta(&r.body.block("spec")?.body.block("template")?.body),
    }
}

/// An annotation of the pod template.
pub fn pod_annotation<'a>(r: &'a Resource, key: &str) -> Option<(&'a str, Span)> {
    let a = pod_metadata(r)?.block("annotations")?;
    let at = a.body.attr(key)?;
    Some((at.value.as_str()?, at.span))
}

/// The labels of the pod template (values as text: `version: 2` is "2").
pub fn pod_labels(r: &Resource) -> Vec<(&str, String)> {
    pod_metadata(r)
        .and_then(|m| m.block("labels"))
        .map(|l| {
            l.body
                .attrs
                .iter()
                .filter_map(|(k, a)| Some((k.as_str(), a.value.to_string_lossy()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// The namespace a namespaced object lands in (`default` when unset).
pub fn namespace(r: &Resource) -> &str {
    r.get("metadata.namespace").str().unwrap_or("default")
}

/// A container's security setting, falling back to the pod's
/// (`runAsNonRoot`, `seccompProfile.type`): the container's wins.
pub fn effective<'a>(r: &'a Resource, c: &'a Block, path: &str) -> Get<'a> {
    let g = c.body.get(&format!("securityContext.{path}"));
    if g.is_missing() {
        pod_get(r, &format!("securityContext.{path}"))
    } else {
        g
    }
}

/// The strings of a list setting (empty when absent or not strings).
pub fn list<'a>(b: &'a Body, key: &str) -> Vec<&'a str> {
    b.get(key).strs().unwrap_or_default()
}

/// The capabilities a container adds, with the span of the list.
pub fn added_caps(c: &Block) -> (Vec<&str>, Option<Span>) {
    let g = c.body.get("securityContext.capabilities.add");
    (g.strs().unwrap_or_default(), g.span())
}

/// Whether a capability name matches `want` (`SYS_ADMIN` or `CAP_SYS_ADMIN`,
/// any case).
pub fn cap_is(cap: &str, want: &str) -> bool {
    let c = cap.trim();
    let c = c.strip_prefix("CAP_").or_else(|| c.strip_prefix("cap_")).unwrap_or(c);
    c.eq_ignore_ascii_case(want)
}

/// Roles and cluster roles.
pub const ROLES: &[&str] = &["k8s.Role", "k8s.ClusterRole"];

/// Whether one RBAC rule grants one of `verbs` on one of `resources` in one
/// of `groups` (wildcards count; `*/sub` matches a subresource).
pub fn rbac_grants(rule: &Body, groups: &[&str], verbs: &[&str], resources: &[&str]) -> bool {
    let any_of = |key: &str, want: &[&str]| list(rule, key).iter().any(|v| *v == "*" || want.contains(v));
    let res = list(rule, "resources").iter().any(|g| {
        *g == "*"
            || resources.iter().any(|w| {
                *g == *w
                    || (w.contains('/')
                        && g.starts_with("*/")
                        && w.split_once('/').map(|x| x.1) == g.split_once('/').map(|x| x.1))
            })
    });
    any_of("apiGroups", groups) && any_of("verbs", verbs) && res
}

/// The role a (cluster) role binding refers to, when it is in the scan.
pub fn bound_role<'a>(b: &Resource, cx: &Ctx<'a>) -> Option<&'a Resource> {
    let kind = b.get("roleRef.kind").str()?;
    let name = b.get("roleRef.name").str()?;
    match kind {
        "ClusterRole" => cx.of_kind("k8s.ClusterRole").find(|r| r.name == name),
        "Role" => cx
            .of_kind("k8s.Role")
            .find(|r| r.name == name && namespace(r) == namespace(b)),
        _ => None,
    }
}
