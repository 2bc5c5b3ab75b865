//! # Roles do not use wildcards
//!
//! ## What it checks
//! Roles and ClusterRoles: no rule may contain `*` in its `apiGroups`,
//! `resources` or `verbs` (`*` alone or in a pattern such as `*/scale`).
//!
//! ## Why it matters
//! A wildcard grants everything that matches today and everything added
//! later: new resource types, CRDs, subresources and verbs. A role meant to
//! read ConfigMaps that says `resources: ["*"]` also reads Secrets.
//!
//! ## Example
//! ```yaml
//! rules:
//!   - apiGroups: [""]
//!     resources: ["*"]
//!     verbs: ["get", "list", "watch"]
//! ```
//!
//! ## Fix
//! List the API groups, resources and verbs the subject needs explicitly.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_49 looks only at the first rule of a role; this rule
//! looks at all of them. Both fail the same 2 roles on kubernetes-goat.
//!
//! ## References
//! - CIS Kubernetes Benchmark 5.1.3
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{ROLES, list};

pub static RULE: Rule = Rule {
    id: "LG-K8S-037",
    title: "Roles do not use wildcards",
    severity: Severity::High,
    resources: ROLES,
    frameworks: &["cis-k8s:5.1.3", "nsa-k8s:authorization", "pci-dss:7.2.1", "soc2:CC6.3"],
    equivalent: &["CKV_K8S_49", "AVD-KSV-0044"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    for rule in r.body.blocks("rules") {
        for key in ["apiGroups", "resources", "verbs"] {
            if list(&rule.body, key).iter().any(|v| v.contains('*')) {
                let at = rule.body.attr(key).map_or(rule.span, |a| a.span);
                return fail(Some(at), format!("role grants a wildcard in `{key}`"));
            }
        }
    }
    Outcome::Pass
}
