//! # S3 bucket ACL does not grant public access
//!
//! ## What it checks
//! The canned `acl` of an `aws_s3_bucket` (AWS provider v3) or of an
//! `aws_s3_bucket_acl` (v4 and later) is not `public-read`,
//! `public-read-write` or `authenticated-read`. An absent ACL is private;
//! unknown values do not fire.
//!
//! ## Why it matters
//! `public-read` lets anyone on the internet list and download the bucket's
//! objects, `public-read-write` also lets them upload or overwrite, and
//! `authenticated-read` grants access to every AWS account in the world.
//! These canned ACLs are the classic cause of S3 data breaches.
//!
//! ## Example
//! ```hcl
//! resource "aws_s3_bucket" "data" {
//!   bucket = "customer-data"
//!   acl    = "public-read"
//! }
//! ```
//!
//! ## Fix
//! Use `acl = "private"` (or no ACL with object ownership `BucketOwnerEnforced`)
//! and publish content through CloudFront with origin access control.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
//! - CIS AWS Foundations Benchmark 2.1.4

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_none_of};

pub static RULE: Rule = Rule {
    id: "LG-AWS-006",
    title: "S3 bucket ACL does not grant public access",
    severity: Severity::Critical,
    resources: &["aws_s3_bucket", "aws_s3_bucket_acl"],
    frameworks: &[
        "cis-aws:2.1.4",
        "pci-dss:1.4.1",
        "soc2:CC6.1",
        "hipaa:164.312(a)(1)",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_20", "AVD-AWS-0092", "aws-s3-no-public-access-with-acl"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_none_of(
        r,
        "acl",
        &["public-read", "public-read-write", "authenticated-read"],
        "the canned acl grants read access to everyone: the bucket's objects are public",
    )
}
