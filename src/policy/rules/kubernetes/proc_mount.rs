//! # Containers use the default /proc mount
//!
//! ## What it checks
//! Every container of a workload: `securityContext.procMount` must be unset
//! or `Default`.
//!
//! ## Why it matters
//! The default /proc mount masks and makes read-only the paths that expose
//! the host kernel (`/proc/kcore`, `/proc/sys`, …). `Unmasked` removes that
//! protection; the baseline Pod Security Standard forbids it.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: app
//!     image: registry.example/app:1.4.2
//!     securityContext:
//!       procMount: Unmasked
//! ```
//!
//! ## Fix
//! Remove `procMount` (or set it to `Default`).
//!
//! ## References
//! - https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: /proc Mount Type)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};
use crate::policy::rules::common_k8s::{WORKLOADS, each_container, name};

pub static RULE: Rule = Rule {
    id: "LG-K8S-017",
    title: "Containers use the default /proc mount",
    severity: Severity::Medium,
    resources: WORKLOADS,
    frameworks: &["pss:baseline", "nsa-k8s:pod-security", "soc2:CC6.1"],
    equivalent: &["AVD-KSV-0027"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    each_container(r, |c| {
        let g = c.body.get("securityContext.procMount");
        match g.str() {
            Some(v) if v != "Default" => fail(g.span(), format!("container `{}` mounts /proc `{v}`", name(c))),
            _ => Outcome::Pass,
        }
    })
}
