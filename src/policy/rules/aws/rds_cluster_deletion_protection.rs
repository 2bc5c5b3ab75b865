//! # RDS cluster has deletion protection
//!
//! ## What it checks
//! An `aws_rds_cluster` sets `deletion_protection = true` (absent means
//! false). Unknown values do not fire.
//!
//! ## Why it matters
//! Without deletion protection a single API call, or a Terraform plan that
//! replaces the cluster, destroys it and all its instances. Deletion
//! protection forces a deliberate two-step change.
//!
//! ## Example
//! ```hcl
//! resource "aws_rds_cluster" "app" {
//!   cluster_identifier = "app"
//!   engine             = "aurora-postgresql"
//! }
//! ```
//!
//! ## Fix
//! Set `deletion_protection = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html#USER_DeletionProtection

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-016",
    title: "RDS cluster has deletion protection",
    severity: Severity::Low,
    resources: &["aws_rds_cluster"],
    frameworks: &["soc2:A1.2", "sox:itgc-change", "hipaa:164.308(a)(7)(ii)(A)"],
    equivalent: &["CKV_AWS_139"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "deletion_protection",
        true,
        false,
        "deletion_protection is not true: the cluster can be deleted in one step",
    )
}
