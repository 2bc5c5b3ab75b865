//! # EKS public endpoint is not open to the whole internet
//!
//! ## What it checks
//! When the `vpc_config` of an `aws_eks_cluster` leaves
//! `endpoint_public_access` on (the default), `public_access_cidrs` must be
//! set and must not contain `0.0.0.0/0` (absent means `0.0.0.0/0`). Clusters
//! with `endpoint_public_access = false` pass. Unknown values do not fire.
//!
//! ## Why it matters
//! If the Kubernetes API must be public, limiting it to known office or CI
//! ranges removes it from internet-wide scanning and brute force, so a
//! leaked token or an API server flaw is not immediately exploitable from
//! anywhere.
//!
//! ## Example
//! ```hcl
//! vpc_config {
//!   subnet_ids = var.subnets
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! vpc_config {
//!   subnet_ids          = var.subnets
//!   public_access_cidrs = ["203.0.113.0/24"]
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, fail, is_public_cidr};

pub static RULE: Rule = Rule {
    id: "LG-AWS-056",
    title: "EKS public endpoint is not open to the whole internet",
    severity: Severity::High,
    resources: &["aws_eks_cluster"],
    frameworks: &["pci-dss:1.4.1", "soc2:CC6.6", "hipaa:164.312(e)(1)"],
    equivalent: &["CKV_AWS_38", "AVD-AWS-0041", "aws-eks-no-public-cluster-access-to-cidr"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let public = r.get("vpc_config.endpoint_public_access");
    if public.is_unknown() {
        return Outcome::Unknown;
    }
    if public.bool() == Some(false) {
        return Outcome::Pass;
    }
    let g = r.get("vpc_config.public_access_cidrs");
    if g.is_unknown() {
        return Outcome::Unknown;
    }
    if g.is_missing() {
        return fail(
            None,
            "public_access_cidrs is not set: the public Kubernetes API accepts 0.0.0.0/0",
        );
    }
    match g.strs() {
        Some(v) if v.iter().any(|c| is_public_cidr(c)) => fail(
            g.span(),
            "public_access_cidrs includes 0.0.0.0/0: the Kubernetes API is open to the internet",
        ),
        Some(v) if v.is_empty() => fail(g.span(), "public_access_cidrs is empty: it defaults to 0.0.0.0/0"),
        Some(_) => Outcome::Pass,
        None => Outcome::Unknown,
    }
}
