//! # ECR repositories have immutable image tags
//!
//! ## What it checks
//! An `aws_ecr_repository` sets `image_tag_mutability = "IMMUTABLE"` (or
//! `"IMMUTABLE_WITH_EXCLUSION"`). Absent means `MUTABLE`. Unknown values do
//! not fire.
//!
//! ## Why it matters
//! With mutable tags, pushing a new image under an existing tag (`v1.4.2`,
//! `prod`) silently changes what every deployment of that tag runs. Immutable
//! tags make a release reference one reviewed, scanned image, and stop an
//! attacker with push rights from replacing it.
//!
//! ## Example
//! ```hcl
//! resource "aws_ecr_repository" "app" {
//!   name                 = "app"
//!   image_tag_mutability = "MUTABLE"
//! }
//! ```
//!
//! ## Fix
//! Set `image_tag_mutability = "IMMUTABLE"` and deploy by version tag or digest.
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AWS-058",
    title: "ECR repositories have immutable image tags",
    severity: Severity::Low,
    resources: &["aws_ecr_repository"],
    frameworks: &["sox:itgc-change", "soc2:CC8.1", "pci-dss:6.5.1"],
    equivalent: &["CKV_AWS_51", "AVD-AWS-0031", "aws-ecr-enforce-immutable-repository"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "image_tag_mutability",
        &["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"],
        Some("MUTABLE"),
        "image_tag_mutability is not IMMUTABLE: a pushed image can replace an existing tag",
    )
}
