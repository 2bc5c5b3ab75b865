//! # S3 bucket is encrypted with KMS by default
//!
//! ## What it checks
//! The default encryption of an `aws_s3_bucket` uses AWS KMS
//! (`sse_algorithm = "aws:kms"` or `"aws:kms:dsse"`), either in an inline
//! `server_side_encryption_configuration` block (AWS provider v3) or in a
//! separate `aws_s3_bucket_server_side_encryption_configuration` referring
//! to the bucket (v4 and later). No default encryption, or `AES256`, fails.
//!
//! ## Why it matters
//! SSE-S3 (`AES256`) keys are managed entirely by S3: anyone who may read an
//! object may decrypt it. With SSE-KMS, decryption also needs permission on
//! the KMS key, every use of the key is logged in CloudTrail, and the key can
//! be disabled to revoke access to all data at once.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
//!   bucket = aws_s3_bucket.data.id
//!   rule {
//!     apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
//!   }
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! apply_server_side_encryption_by_default {
//!   sse_algorithm     = "aws:kms"
//!   kms_master_key_id = aws_kms_key.data.arn
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
//! - CIS AWS Foundations Benchmark 2.1.1

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-007",
    title: "S3 bucket is encrypted with KMS by default",
    severity: Severity::Medium,
    resources: &["aws_s3_bucket"],
    frameworks: &[
        "cis-aws:2.1.1",
        "pci-dss:3.6.1",
        "hipaa:164.312(a)(2)(iv)",
        "soc2:CC6.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_145", "AVD-AWS-0132", "aws-s3-encryption-customer-key"],
    check,
};

const PATH: &str = "rule.apply_server_side_encryption_by_default.sse_algorithm";
const MSG: &str = "sse_algorithm is not aws:kms: the bucket is not encrypted with a KMS key";

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if !r.get("server_side_encryption_configuration").is_missing() {
        return expect_one_of(
            r,
            &format!("server_side_encryption_configuration.{PATH}"),
            &["aws:kms", "aws:kms:dsse"],
            None,
            MSG,
        );
    }
    companion(
        r,
        cx,
        "aws_s3_bucket_server_side_encryption_configuration",
        "bucket",
        |c| expect_one_of(c, PATH, &["aws:kms", "aws:kms:dsse"], None, MSG),
        "the bucket has no default encryption with a KMS key",
    )
}
