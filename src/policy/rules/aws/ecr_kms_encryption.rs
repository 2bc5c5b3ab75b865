//! # ECR repositories are encrypted with KMS
//!
//! ## What it checks
//! An `aws_ecr_repository` has
//! `encryption_configuration { encryption_type = "KMS" }` (or `KMS_DSSE`).
//! Absent means `AES256`, S3-managed keys. Unknown values do not fire.
//!
//! ## Why it matters
//! Container images embed application code and, too often, configuration
//! and credentials. With KMS, pulling the image layers also requires
//! permission on the key, key use is logged, and disabling the key revokes
//! access to the images.
//!
//! ## Example
//! ```hcl
//! resource "aws_ecr_repository" "app" {
//!   name = "app"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! encryption_configuration {
//!   encryption_type = "KMS"
//!   kms_key         = aws_kms_key.ecr.arn
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AWS-068",
    title: "ECR repositories are encrypted with KMS",
    severity: Severity::Low,
    resources: &["aws_ecr_repository"],
    frameworks: &["pci-dss:3.6.1", "soc2:CC6.1", "hipaa:164.312(a)(2)(iv)"],
    equivalent: &["CKV_AWS_136", "AVD-AWS-0033", "aws-ecr-repository-customer-key"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "encryption_configuration.encryption_type",
        &["KMS", "KMS_DSSE"],
        Some("AES256"),
        "encryption_type is not KMS: images are encrypted only with S3-managed keys",
    )
}
