//! # ECR repositories scan images on push
//!
//! ## What it checks
//! An `aws_ecr_repository` sets `image_scanning_configuration { scan_on_push = true }`
//! (absent means false). When the configuration also declares an
//! `aws_ecr_registry_scanning_configuration` (registry-wide basic or enhanced
//! scanning), repositories pass. Unknown values do not fire.
//!
//! ## Why it matters
//! Scanning on push finds known vulnerabilities (CVEs) in every image before
//! it is deployed; without it vulnerable images reach production unnoticed.
//! Vulnerability management controls ask for evidence of such scans.
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
//! image_scanning_configuration { scan_on_push = true }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-049",
    title: "ECR repositories scan images on push",
    severity: Severity::Medium,
    resources: &["aws_ecr_repository"],
    frameworks: &["pci-dss:6.3.3", "soc2:CC7.1", "hipaa:164.308(a)(1)(ii)(A)"],
    equivalent: &["CKV_AWS_163", "AVD-AWS-0030", "aws-ecr-enable-image-scans"],
    check,
};

fn check(r: &Resource, cx: &Ctx) -> Outcome {
    if cx.of_kind("aws_ecr_registry_scanning_configuration").next().is_some() {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "image_scanning_configuration.scan_on_push",
        true,
        false,
        "image_scanning_configuration.scan_on_push is not true: pushed images are not scanned for vulnerabilities",
    )
}
