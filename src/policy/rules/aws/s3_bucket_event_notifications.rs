//! # S3 bucket has event notifications
//!
//! ## What it checks
//! An `aws_s3_bucket` has an `aws_s3_bucket_notification` referring to it.
//! Unknown links do not fire.
//!
//! ## Why it matters
//! Event notifications let monitoring, malware scanning or data-loss tooling
//! react to objects being created or deleted. Without them, changes to the
//! bucket's contents are only visible after the fact in logs, if at all.
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
//! resource "aws_s3_bucket_notification" "data" {
//!   bucket      = aws_s3_bucket.data.id
//!   eventbridge = true
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-009",
    title: "S3 bucket has event notifications",
    severity: Severity::Low,
    resources: &["aws_s3_bucket"],
    frameworks: &["soc2:CC7.2", "sox:itgc-operations"],
    equivalent: &["CKV2_AWS_62"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    companion(
        r,
        cx,
        "aws_s3_bucket_notification",
        "bucket",
        |_| Outcome::Pass,
        "the bucket has no aws_s3_bucket_notification: object changes trigger no event",
    )
}
