//! # Roles do not grant the escalate verb
//!
//! ## What it checks
//! Roles and ClusterRoles with a rule that grants `escalate` on `roles` or
//! `clusterroles` in the `rbac.authorization.k8s.io` group (wildcards count).
//!
//! ## Why it matters
//! RBAC stops a user from creating or editing a role with permissions they
//! lack, unless they hold `escalate`. With it, a subject that can edit a
//! role it is bound to can give itself any permission.
//!
//! ## Example
//! ```yaml
//! rules:
//!   - apiGroups: ["rbac.authorization.k8s.io"]
//!     resources: ["roles"]
//!     verbs: ["escalate", "update"]
//! ```
//!
//! ## Fix
//! Remove `escalate`; keep role authoring with cluster administrators.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
//! - https://kubernetes.io/docs/reference/access-authn-authz/rbac/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{ROLES, rbac_grants};

pub static RULE: Rule = Rule {
    id: "LG-K8S-041",
    title: "Roles do not grant the escalate verb",
    severity: Severity::High,
    resources: ROLES,
    frameworks: &["cis-k8s:5.1.8", "nsa-k8s:authorization", "soc2:CC6.3"],
    equivalent: &["CKV_K8S_158"],
    check,
};

/// (API groups, verbs, resources): the role fails when, for every
/// entry, one of its rules grants it.
const OPERATIONS: &[(&[&str], &[&str], &[&str])] = &[(
    &["rbac.authorization.k8s.io"],
    &["escalate"],
    &["roles", "clusterroles"],
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
    fail(first, "role grants the `escalate` verb on roles")
}
