//! # S3 bucket has server access logging enabled
//!
//! ## What it checks
//! An `aws_s3_bucket` has server access logging: an inline `logging` block
//! with a `target_bucket` (AWS provider v3) or a separate
//! `aws_s3_bucket_logging` resource referring to the bucket (v4 and later).
//! When the companion resource names the bucket through a value known only at
//! apply time, the rule does not fire.
//!
//! ## Why it matters
//! Access logs record every request made to the bucket (who, what, when,
//! from where). Without them an investigation of a data exposure cannot tell
//! which objects were read or by whom, and audit trails required for
//! cardholder and health data are incomplete.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "data" {
//!   bucket = "customer-data"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! resource "aws_s3_bucket_logging" "data" {
//!   bucket        = aws_s3_bucket.data.id
//!   target_bucket = aws_s3_bucket.logs.id
//!   target_prefix = "s3/data/"
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html
//! - CIS AWS Foundations Benchmark 3.6 (S3 bucket access logging on the CloudTrail bucket)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-004",
    title: "S3 bucket has server access logging enabled",
    severity: Severity::Medium,
    resources: &["aws_s3_bucket"],
    frameworks: &[
        "cis-aws:3.6",
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_18", "AVD-AWS-0089", "aws-s3-enable-bucket-logging"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("logging").is_missing() {
        return expect_set(
            r,
            "logging.target_bucket",
            "logging has no target_bucket: access is not logged",
        );
    }
    companion(
        r,
        cx,
        "aws_s3_bucket_logging",
        "bucket",
        |c| expect_set(c, "target_bucket", "aws_s3_bucket_logging has no target_bucket"),
        "the bucket has no server access logging: requests to it leave no audit trail",
    )
}
