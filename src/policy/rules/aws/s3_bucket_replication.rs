//! # S3 bucket has cross-region replication
//!
//! ## What it checks
//! An `aws_s3_bucket` has a replication configuration: an inline
//! `replication_configuration` block (AWS provider v3) or a separate
//! `aws_s3_bucket_replication_configuration` referring to the bucket (v4 and
//! later). Unknown links do not fire.
//!
//! ## Why it matters
//! Replication keeps a copy of the bucket's objects in another region (and
//! optionally another account), so a regional outage, an accidental bulk
//! deletion or a compromised account does not destroy the only copy.
//! Business-continuity and availability controls expect it for critical data.
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
//! resource "aws_s3_bucket_replication_configuration" "data" {
//!   bucket = aws_s3_bucket.data.id
//!   role   = aws_iam_role.replication.arn
//!   rule {
//!     status = "Enabled"
//!     destination { bucket = aws_s3_bucket.replica.arn }
//!   }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-008",
    title: "S3 bucket has cross-region replication",
    severity: Severity::Low,
    resources: &["aws_s3_bucket"],
    frameworks: &["soc2:A1.2", "hipaa:164.308(a)(7)(ii)(A)", "sox:itgc-operations"],
    equivalent: &["CKV_AWS_144"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("replication_configuration").is_missing() {
        return Outcome::Pass;
    }
    companion(
        r,
        cx,
        "aws_s3_bucket_replication_configuration",
        "bucket",
        |_| Outcome::Pass,
        "the bucket has no replication configuration: its objects exist in one region only",
    )
}
