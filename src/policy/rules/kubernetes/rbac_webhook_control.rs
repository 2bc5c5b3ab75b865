//! # Cluster roles do not grant control of admission webhooks
//!
//! ## What it checks
//! ClusterRoles with a rule that grants `create`, `update` or `patch` on
//! `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` in
//! the `admissionregistration.k8s.io` group (wildcards count).
//!
//! ## Why it matters
//! Admission webhooks see, and mutating ones can rewrite, every object sent
//! to the API server, Secrets included. Whoever can register one can inject
//! containers into every new pod or disable the policy webhooks that guard
//! the cluster.
//!
//! ## Example
//! ```yaml
//! rules:
//!   - apiGroups: ["admissionregistration.k8s.io"]
//!     resources: ["mutatingwebhookconfigurations"]
//!     verbs: ["create", "patch"]
//! ```
//!
//! ## Fix
//! Keep write access to webhook configurations with cluster administrators
//! and the controllers that own them; grant others `get`/`list` at most.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
//! - https://kubernetes.io/docs/reference/access-authn-authz/rbac/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::rbac_grants;

pub static RULE: Rule = Rule {
    id: "LG-K8S-038",
    title: "Cluster roles do not grant control of admission webhooks",
    severity: Severity::High,
    resources: &["k8s.ClusterRole"],
    frameworks: &["cis-k8s:5.1.12", "nsa-k8s:authorization", "soc2:CC6.3"],
    equivalent: &["CKV_K8S_155"],
    check,
};

/// (API groups, verbs, resources): the role fails when, for every
/// entry, one of its rules grants it.
const OPERATIONS: &[(&[&str], &[&str], &[&str])] = &[(
    &["admissionregistration.k8s.io"],
    &["create", "update", "patch"],
    &["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
)];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let rules: Vec<_> = r.body.blocks("rules").collect();
    let mut first = None;
    for (groups, verbs, resources) in OPERATIONS {
        match rules.iter().find(|b| rbac_grants(&b.body, groups, verbs, resources)) {
            Some(b) => {
                first.get_or_insert(b.span);
            }
            None => return Outcome::Pass,
        }
    }
    fail(first, "role grants control of admission webhook configurations")
}
