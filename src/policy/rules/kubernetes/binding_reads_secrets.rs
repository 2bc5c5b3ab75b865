//! # Service accounts and nodes are not bound to roles that read secrets
//!
//! ## What it checks
//! RoleBindings and ClusterRoleBindings with a ServiceAccount or Node
//! subject whose role grants `get`, `list` or `watch` on `secrets` in the
//! core API group (wildcards count). The role is looked up in the scan (a
//! Role in the binding's namespace, or a ClusterRole); the built-in
//! `cluster-admin`, `admin` and `edit` ClusterRoles, which read secrets,
//! count without being in the scan.
//!
//! ## Why it matters
//! A service account token is mounted in pods and leaks with them; a pod
//! that can read Secrets hands every credential in its scope (API keys,
//! database passwords, other service accounts' tokens) to whoever breaks
//! into it.
//!
//! ## Example
//! ```yaml
//! kind: RoleBinding
//! subjects:
//!   - kind: ServiceAccount
//!     name: app
//! roleRef:
//!   kind: Role
//!   name: secret-reader
//! ```
//!
//! ## Fix
//! Bind workloads to roles that name the resources they use; when a pod
//! needs one Secret, mount it instead of granting API access, or restrict
//! the rule with `resourceNames`.
//!
//! ## Differences from Checkov
//! CKV2_K8S_5 is a graph check that needs the bound role in the scan, and it
//! matches `resources` and `verbs` across different rules of the role. This
//! rule matches within one rule, ignores rules limited by `resourceNames`,
//! and knows the built-in `cluster-admin`, `admin` and `edit` roles. On
//! kubernetes-goat it fails, besides Checkov's `secret-reader-binding`, the
//! `superadmin` binding (a service account bound to `cluster-admin`) and
//! Helm-tiller's `belong-to-us` binding (a service account bound to a
//! wildcard ClusterRole), which Checkov misses.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.1.2
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{bound_role, list, rbac_grants};

pub static RULE: Rule = Rule {
    id: "LG-K8S-042",
    title: "Service accounts and nodes are not bound to roles that read secrets",
    severity: Severity::High,
    resources: &["k8s.RoleBinding", "k8s.ClusterRoleBinding"],
    frameworks: &[
        "cis-k8s:5.1.2",
        "nsa-k8s:authorization",
        "pci-dss:7.2.1",
        "soc2:CC6.3",
        "hipaa:164.312(a)(1)",
    ],
    equivalent: &["CKV2_K8S_5"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    let subject = r
        .body
        .blocks("subjects")
        .find(|s| matches!(s.body.get("kind").str(), Some("ServiceAccount" | "Node")));
    let Some(subject) = subject else { return Outcome::Pass };
    let role_name = r.get("roleRef.name").str().unwrap_or("?");
    let reads = match bound_role(r, cx) {
        Some(role) => role.body.blocks("rules").any(|rule| {
            list(&rule.body, "resourceNames").is_empty()
                && rbac_grants(&rule.body, &[""], &["get", "list", "watch"], &["secrets"])
        }),
        None => {
            r.get("roleRef.kind").str() == Some("ClusterRole")
                && matches!(role_name, "cluster-admin" | "admin" | "edit")
        }
    };
    if reads {
        let kind = match subject.body.get("kind").str() {
            Some("Node") => "node",
            _ => "service account",
        };
        let who = match subject.body.get("name").str() {
            Some(n) => format!("{kind} `{n}`"),
            None => format!("a {kind}"),
        };
        fail(
            Some(subject.span),
            format!("binding lets {who} read secrets through the role `{role_name}`"),
        )
    } else {
        Outcome::Pass
    }
}
