//! # RDS cluster copies tags to snapshots
//!
//! ## What it checks
//! An `aws_rds_cluster` sets `copy_tags_to_snapshot = true` (absent means
//! false). Unknown values do not fire.
//!
//! ## Why it matters
//! Snapshots inherit the cluster's data but not its tags unless copied:
//! data-classification, owner and retention tags then go missing on exactly
//! the copies most likely to be shared or kept past their retention period.
//!
//! ## Example
//! ```hcl
//! resource "aws_rds_cluster" "app" {
//!   cluster_identifier = "app"
//!   engine             = "aurora-mysql"
//! }
//! ```
//!
//! ## Fix
//! Set `copy_tags_to_snapshot = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Tagging.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-023",
    title: "RDS cluster copies tags to snapshots",
    severity: Severity::Low,
    resources: &["aws_rds_cluster"],
    frameworks: &["soc2:CC6.1", "gdpr:art-5"],
    equivalent: &["CKV_AWS_313"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "copy_tags_to_snapshot",
        true,
        false,
        "copy_tags_to_snapshot is not true: snapshots lose the cluster's classification tags",
    )
}
