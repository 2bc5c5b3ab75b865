//! # Cluster roles do not grant approval of certificate signing requests
//!
//! ## What it checks
//! ClusterRoles that grant both `update` or `patch` on
//! `certificatesigningrequests/approval` and `approve` on `signers` in the
//! `certificates.k8s.io` group (wildcards count): together they approve
//! CSRs.
//!
//! ## Why it matters
//! Whoever can approve certificate signing requests can mint a client
//! certificate for any user or group the signer allows, including
//! `system:masters` on some signers: an identity the API server trusts
//! completely and that cannot be revoked short of rotating the CA.
//!
//! ## Example
//! ```yaml
//! rules:
//!   - apiGroups: ["certificates.k8s.io"]
//!     resources: ["certificatesigningrequests/approval"]
//!     verbs: ["update"]
//!   - apiGroups: ["certificates.k8s.io"]
//!     resources: ["signers"]
//!     verbs: ["approve"]
//! ```
//!
//! ## Fix
//! Leave CSR approval to the controller manager and a few administrators.
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
//! - https://kubernetes.io/docs/reference/access-authn-authz/rbac/

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::rbac_grants;

pub static RULE: Rule = Rule {
    id: "LG-K8S-039",
    title: "Cluster roles do not grant approval of certificate signing requests",
    severity: Severity::High,
    resources: &["k8s.ClusterRole"],
    frameworks: &["cis-k8s:5.1.11", "nsa-k8s:authorization", "soc2:CC6.3"],
    equivalent: &["CKV_K8S_156"],
    check,
};

/// (API groups, verbs, resources): the role fails when, for every
/// entry, one of its rules grants it.
const OPERATIONS: &[(&[&str], &[&str], &[&str])] = &[
    (
        &["certificates.k8s.io"],
        &["update", "patch"],
        &["certificatesigningrequests/approval"],
    ),
    (&["certificates.k8s.io"], &["approve"], &["signers"]),
];

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
    fail(first, "role grants approval of certificate signing requests")
}
