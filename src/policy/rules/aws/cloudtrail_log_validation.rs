//! # CloudTrail log file validation is enabled
//!
//! ## What it checks
//! An `aws_cloudtrail` sets `enable_log_file_validation = true` (absent
//! means false). Unknown values do not fire.
//!
//! ## Why it matters
//! Log file validation writes signed digest files, so that any later
//! modification or deletion of trail logs can be detected. Without it an
//! attacker (or insider) can alter the audit trail undetected, and the logs
//! lose their value as evidence.
//!
//! ## Example
//! ```hcl
//! resource "aws_cloudtrail" "main" {
//!   name           = "main"
//!   s3_bucket_name = aws_s3_bucket.trail.id
//! }
//! ```
//!
//! ## Fix
//! Set `enable_log_file_validation = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
//! - CIS AWS Foundations Benchmark 3.2

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-042",
    title: "CloudTrail log file validation is enabled",
    severity: Severity::Medium,
    resources: &["aws_cloudtrail"],
    frameworks: &[
        "cis-aws:3.2",
        "pci-dss:10.3.4",
        "hipaa:164.312(c)(1)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_36", "AVD-AWS-0016", "aws-cloudtrail-enable-log-validation"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "enable_log_file_validation",
        true,
        false,
        "enable_log_file_validation is not true: tampering with trail logs cannot be detected",
    )
}
