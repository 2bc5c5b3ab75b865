//! # EKS cluster encrypts Kubernetes secrets with KMS
//!
//! ## What it checks
//! An `aws_eks_cluster` has an `encryption_config` block whose `resources`
//! list includes `"secrets"` (with a `provider { key_arn }`). Unknown values
//! do not fire.
//!
//! ## Why it matters
//! Envelope encryption with a customer-managed KMS key protects Kubernetes
//! secrets (database passwords, tokens, certificates) in etcd beyond the
//! default storage encryption: decryption needs the key, every use is logged
//! in CloudTrail, and disabling the key revokes access.
//!
//! ## Example
//! ```hcl
//! resource "aws_eks_cluster" "main" {
//!   name     = "main"
//!   role_arn = aws_iam_role.eks.arn
//!   vpc_config { subnet_ids = var.subnets }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! encryption_config {
//!   resources = ["secrets"]
//!   provider { key_arn = aws_kms_key.eks.arn }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail};

pub static RULE: Rule = Rule {
    id: "LG-AWS-047",
    title: "EKS cluster encrypts Kubernetes secrets with KMS",
    severity: Severity::Medium,
    resources: &["aws_eks_cluster"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &["CKV_AWS_58", "AVD-AWS-0039", "aws-eks-encrypt-secrets"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let g = r.get("encryption_config.resources");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    match g.strs() {
        Some(v) if v.contains(&"secrets") => Outcome::Pass,
        None if g.val().is_some_and(|v| v.has_unknown()) => Outcome::Unknown,
        _ => fail(
            g.span(),
            "no encryption_config for \"secrets\": Kubernetes secrets are not envelope-encrypted with a KMS key",
        ),
    }
}
