//! # S3 bucket has versioning enabled
//!
//! ## What it checks
//! An `aws_s3_bucket` has versioning enabled: an inline `versioning` block
//! with `enabled = true` (AWS provider v3) or a separate
//! `aws_s3_bucket_versioning` resource referring to the bucket with
//! `versioning_configuration { status = "Enabled" }` (v4 and later). Absent
//! means disabled. When the companion resource names the bucket through a
//! value known only at apply time, the rule does not fire.
//!
//! ## Why it matters
//! Versioning keeps every prior version of an object, so an accidental
//! overwrite or deletion, or a ransomware-style encryption of objects, can be
//! rolled back. Without it, data integrity and recoverability controls for
//! the bucket rely on backups alone.
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
//! resource "aws_s3_bucket_versioning" "data" {
//!   bucket = aws_s3_bucket.data.id
//!   versioning_configuration { status = "Enabled" }
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
//! - CIS AWS Foundations Benchmark 2.1.3 (MFA delete requires versioning)

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of, fail};
use crate::policy::rules::common_aws::{companion, inline_true};

pub static RULE: Rule = Rule {
    id: "LG-AWS-003",
    title: "S3 bucket has versioning enabled",
    severity: Severity::Medium,
    resources: &["aws_s3_bucket"],
    frameworks: &[
        "cis-aws:2.1.3",
        "soc2:A1.2",
        "hipaa:164.308(a)(7)(ii)(A)",
        "pci-dss:10.5.1",
        "gdpr:art-32",
    ],
    equivalent: &["CKV_AWS_21", "AVD-AWS-0090", "aws-s3-enable-versioning"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if let Some(o) = inline_true(r, "versioning.enabled") {
        return o;
    }
    let out = companion(
        r,
        cx,
        "aws_s3_bucket_versioning",
        "bucket",
        |c| {
            expect_one_of(
                c,
                "versioning_configuration.status",
                &["Enabled"],
                None,
                "versioning_configuration.status is not \"Enabled\": the bucket keeps no prior object versions",
            )
        },
        "the bucket has no versioning enabled: overwritten or deleted objects cannot be recovered",
    );
    // An inline `enabled = false` with no companion: point at it.
    match (&out, r.get("versioning.enabled")) {
        (Outcome::Fail { span: None, .. }, g) if g.bool() == Some(false) => fail(
            g.span(),
            "versioning.enabled is false: overwritten or deleted objects cannot be recovered",
        ),
        _ => out,
    }
}
