//! # EKS cluster API endpoint is not public
//!
//! ## What it checks
//! The `vpc_config` of an `aws_eks_cluster` sets
//! `endpoint_public_access = false`. Absent means true (the provider
//! default), which fails. Unknown values do not fire.
//!
//! ## Why it matters
//! A public Kubernetes API endpoint can be reached, probed and brute-forced
//! from anywhere; a leaked kubeconfig or a Kubernetes authentication flaw is
//! then enough to take over the cluster. A private endpoint limits the API
//! to the VPC and connected networks.
//!
//! ## Example
//! ```hcl
//! resource "aws_eks_cluster" "main" {
//!   name     = "main"
//!   role_arn = aws_iam_role.eks.arn
//!   vpc_config {
//!     subnet_ids = var.subnets
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! vpc_config {
//!   subnet_ids              = var.subnets
//!   endpoint_private_access = true
//!   endpoint_public_access  = false
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-046",
    title: "EKS cluster API endpoint is not public",
    severity: Severity::Medium,
    resources: &["aws_eks_cluster"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_39", "AVD-AWS-0040", "aws-eks-no-public-cluster-access"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "vpc_config.endpoint_public_access",
        false,
        true,
        "vpc_config.endpoint_public_access is not false: the Kubernetes API is reachable from the internet",
    )
}
