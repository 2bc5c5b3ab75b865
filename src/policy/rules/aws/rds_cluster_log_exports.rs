//! # RDS cluster exports logs to CloudWatch
//!
//! ## What it checks
//! An `aws_rds_cluster` lists at least one log type in
//! `enabled_cloudwatch_logs_exports` (absent or empty fails). Unknown values
//! do not fire.
//!
//! ## Why it matters
//! Cluster audit, error and slow-query logs are lost when instances are
//! replaced unless exported; in CloudWatch Logs they are retained, searchable
//! and can raise alerts on failed logins or unusual activity.
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
//! ```hcl
//! enabled_cloudwatch_logs_exports = ["audit", "error", "slowquery"]
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-022",
    title: "RDS cluster exports logs to CloudWatch",
    severity: Severity::Medium,
    resources: &["aws_rds_cluster"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_324"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "enabled_cloudwatch_logs_exports",
        "enabled_cloudwatch_logs_exports is empty: cluster logs are not exported",
    )
}
