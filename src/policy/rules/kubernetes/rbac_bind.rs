//! # Roles do not grant the bind verb
//!
//! ## What it checks
//! Roles and ClusterRoles with a rule that grants `bind` on `roles`,
//! `clusterroles`, `rolebindings` or `clusterrolebindings` in the
//! `rbac.authorization.k8s.io` group (wildcards count).
//!
//! ## Why it matters
//! RBAC stops a user from binding a role with permissions they lack, unless
//! they hold `bind` on it. With `bind` a subject can grant itself or others
//! any role it is allowed to bind, up to cluster-admin.
//!
//! ## Example
//! ```yaml
//! rules:
//!   - apiGroups: ["rbac.authorization.k8s.io"]
//!     resources: ["clusterroles"]
//!     verbs: ["bind"]
//! ```
//!
//! ## Fix
//! Remove `bind`, or limit it with `resourceNames` to the specific roles the
//! subject may hand out.
//!
//! ## Differences from Checkov
//! Checkov's CKV_K8S_157 looks for `bind` on `rolebindings` and
//! `clusterrolebindings`, while Kubernetes checks the `bind` verb on
//! `roles` and `clusterroles`. This rule accepts all four, so it fails
//! everything Checkov fails plus roles that grant `bind` on roles. Both fail
//! the same role on kubernetes-goat.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
//! - https://kubernetes.io/docs/reference/access-authn-authz/rbac/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{ROLES, rbac_grants};

pub static RULE: Rule = Rule {
    id: "LG-K8S-040",
    title: "Roles do not grant the bind verb",
    severity: Severity::High,
    resources: ROLES,
    frameworks: &["cis-k8s:5.1.8", "nsa-k8s:authorization", "soc2:CC6.3"],
    equivalent: &["CKV_K8S_157"],
    check,
};

/// (API groups, verbs, resources): the role fails when, for every
/// entry, one of its rules grants it.
const OPERATIONS: &[(&[&str], &[&str], &[&str])] = &[(
    &["rbac.authorization.k8s.io"],
    &["bind"],
    &["roles", "clusterroles", "rolebindings", "clusterrolebindings"],
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
    fail(first, "role grants the `bind` verb on roles")
}
