//! # CloudTrail logs are encrypted with a KMS key
//!
//! ## What it checks
//! An `aws_cloudtrail` sets `kms_key_id` (absent means the log files are
//! encrypted only with SSE-S3). Unknown values do not fire.
//!
//! ## Why it matters
//! With SSE-KMS, reading the trail's log files requires permission on the
//! key as well as on the bucket, so a bucket policy mistake does not expose
//! the account's full API history, and key usage is itself logged.
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
//! Set `kms_key_id = aws_kms_key.trail.arn` (the key policy must allow
//! CloudTrail to use it).
//!
//! ## References
//! - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html
//! - CIS AWS Foundations Benchmark 3.7

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-055",
    title: "CloudTrail logs are encrypted with a KMS key",
    severity: Severity::Medium,
    resources: &["aws_cloudtrail"],
    frameworks: &["cis-aws:3.7", "pci-dss:10.3.2", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1"],
    equivalent: &["CKV_AWS_35", "AVD-AWS-0015", "aws-cloudtrail-enable-at-rest-encryption"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "kms_key_id",
        "kms_key_id is not set: trail logs are not encrypted with a KMS key",
    )
}
