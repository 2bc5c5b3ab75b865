//! # RDS database instance exports logs to CloudWatch
//!
//! ## What it checks
//! An `aws_db_instance` lists at least one log type in
//! `enabled_cloudwatch_logs_exports` (absent or empty fails). Unknown values
//! do not fire.
//!
//! ## Why it matters
//! Database audit, error and general logs stay on the instance and rotate
//! away unless exported; exported to CloudWatch Logs they are retained,
//! searchable and can raise alerts on failed logins or unusual queries.
//!
//! ## Example
//! ```hcl
//! resource "aws_db_instance" "db" {
//!   engine         = "mysql"
//!   instance_class = "db.t3.micro"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! enabled_cloudwatch_logs_exports = ["audit", "error", "general", "slowquery"]
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-021",
    title: "RDS database instance exports logs to CloudWatch",
    severity: Severity::Medium,
    resources: &["aws_db_instance"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_129"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "enabled_cloudwatch_logs_exports",
        "enabled_cloudwatch_logs_exports is empty: database logs are not exported",
    )
}
