//! # S3 bucket has a lifecycle configuration
//!
//! ## What it checks
//! An `aws_s3_bucket` has a lifecycle configuration: an inline
//! `lifecycle_rule` block (AWS provider v3) or a separate
//! `aws_s3_bucket_lifecycle_configuration` referring to the bucket (v4 and
//! later). Unknown links do not fire.
//!
//! ## Why it matters
//! Retention rules make data minimisation and storage limitation enforceable:
//! without a lifecycle configuration objects (and noncurrent versions) are
//! kept forever, growing cost and the amount of personal data exposed in a
//! breach.
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
//! resource "aws_s3_bucket_lifecycle_configuration" "data" {
//!   bucket = aws_s3_bucket.data.id
//!   rule {
//!     id     = "expire"
//!     status = "Enabled"
//!     expiration { days = 365 }
//!   }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-010",
    title: "S3 bucket has a lifecycle configuration",
    severity: Severity::Low,
    resources: &["aws_s3_bucket"],
    frameworks: &["gdpr:art-5", "soc2:C1.2"],
    equivalent: &["CKV2_AWS_61"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("lifecycle_rule").is_missing() {
        return Outcome::Pass;
    }
    companion(
        r,
        cx,
        "aws_s3_bucket_lifecycle_configuration",
        "bucket",
        |_| Outcome::Pass,
        "the bucket has no lifecycle configuration: objects are retained indefinitely",
    )
}
