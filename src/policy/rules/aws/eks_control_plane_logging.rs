//! # EKS control plane logging is enabled for all log types
//!
//! ## What it checks
//! The `enabled_cluster_log_types` of an `aws_eks_cluster` includes all of
//! `api`, `audit`, `authenticator`, `controllerManager` and `scheduler`.
//! Absent means no control plane logging. Unknown values do not fire.
//!
//! ## Why it matters
//! The Kubernetes audit and authenticator logs are the only record of who
//! did what through the cluster API (created pods, read secrets, changed
//! RBAC); without them an intrusion into the cluster cannot be investigated.
//!
//! ## Example
//! ```hcl
//! resource "aws_eks_cluster" "main" {
//!   name                      = "main"
//!   role_arn                  = aws_iam_role.eks.arn
//!   enabled_cluster_log_types = ["api"]
//!   vpc_config { subnet_ids = var.subnets }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-048",
    title: "EKS control plane logging is enabled for all log types",
    severity: Severity::Medium,
    resources: &["aws_eks_cluster"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_37", "AVD-AWS-0038", "aws-eks-enable-control-plane-logging"],
    check,
};

const TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = r.get("enabled_cluster_log_types");
    if g.is_unknown() || g.val().is_some_and(|v| v.has_unknown()) {
        return Outcome::Unknown;
    }
    let have = g.strs().unwrap_or_default();
    let missing: Vec<&str> = TYPES.iter().copied().filter(|t| !have.contains(t)).collect();
    if missing.is_empty() {
        Outcome::Pass
    } else {
        fail(
            g.span(),
            format!("control plane log types not enabled: {}", missing.join(", ")),
        )
    }
}
