//! # S3 bucket has a public access block
//!
//! ## What it checks
//! Every `aws_s3_bucket` has an `aws_s3_bucket_public_access_block` that
//! refers to it with `block_public_acls`, `block_public_policy`,
//! `ignore_public_acls` and `restrict_public_buckets` all `true` (each
//! defaults to false). When the access block names the bucket through a value
//! known only at apply time, the rule does not fire.
//!
//! ## Why it matters
//! A public access block is the guard rail that keeps a later ACL or bucket
//! policy change from publishing the bucket's contents to the internet.
//! Most S3 data leaks come from a single permissive ACL or policy that a
//! public access block would have overridden.
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
//! resource "aws_s3_bucket_public_access_block" "data" {
//!   bucket                  = aws_s3_bucket.data.id
//!   block_public_acls       = true
//!   block_public_policy     = true
//!   ignore_public_acls      = true
//!   restrict_public_buckets = true
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
//! - CIS AWS Foundations Benchmark 2.1.4
//!
//! ## Differences from Checkov
//! CKV2_AWS_6 requires only `block_public_acls` and `block_public_policy`;
//! this rule also requires `ignore_public_acls` and
//! `restrict_public_buckets`, as CIS 2.1.4 does.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, all, expect_bool};
use crate::policy::rules::common_aws::companion;

pub static RULE: Rule = Rule {
    id: "LG-AWS-005",
    title: "S3 bucket has a public access block",
    severity: Severity::High,
    resources: &["aws_s3_bucket"],
    frameworks: &[
        "cis-aws:2.1.4",
        "pci-dss:1.4.1",
        "soc2:CC6.1",
        "hipaa:164.312(a)(1)",
        "gdpr:art-25",
    ],
    equivalent: &["CKV2_AWS_6", "AVD-AWS-0094", "aws-s3-specify-public-access-block"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    companion(
        r,
        cx,
        "aws_s3_bucket_public_access_block",
        "bucket",
        |c| {
            all([
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ]
            .map(|k| {
                expect_bool(
                    c,
                    k,
                    true,
                    false,
                    &format!("{k} is not true: public access to the bucket is not fully blocked"),
                )
            }))
        },
        "the bucket has no aws_s3_bucket_public_access_block: a public ACL or policy would expose it",
    )
}
