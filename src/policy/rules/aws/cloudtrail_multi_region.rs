//! # CloudTrail trail covers all regions
//!
//! ## What it checks
//! An `aws_cloudtrail` sets `is_multi_region_trail = true` (absent means
//! false). Unknown values do not fire.
//!
//! ## Why it matters
//! A single-region trail records nothing in the other regions, which is
//! exactly where an attacker with stolen credentials launches resources to
//! go unnoticed. A multi-region trail also captures global service events
//! (IAM, STS, CloudFront) consistently.
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
//! Set `is_multi_region_trail = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
//! - CIS AWS Foundations Benchmark 3.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-041",
    title: "CloudTrail trail covers all regions",
    severity: Severity::Medium,
    resources: &["aws_cloudtrail"],
    frameworks: &[
        "cis-aws:3.1",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_67", "AVD-AWS-0014", "aws-cloudtrail-enable-all-regions"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "is_multi_region_trail",
        true,
        false,
        "is_multi_region_trail is not true: activity in other regions is not recorded",
    )
}
