//! # EC2 instance is EBS-optimized
//!
//! ## What it checks
//! An `aws_instance` sets `ebs_optimized = true` (absent means false).
//! Unknown values do not fire.
//!
//! ## Why it matters
//! An EBS-optimized instance has dedicated bandwidth to its volumes, so
//! storage traffic does not compete with network traffic; without it, heavy
//! network load can starve disk I/O and make the service unavailable.
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "m5.large"
//! }
//! ```
//!
//! ## Fix
//! Set `ebs_optimized = true` (current instance families are EBS-optimized by default and accept it).
//!
//! ## References
//! - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-027",
    title: "EC2 instance is EBS-optimized",
    severity: Severity::Low,
    resources: &["aws_instance"],
    frameworks: &["soc2:A1.1"],
    equivalent: &["CKV_AWS_135"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "ebs_optimized",
        true,
        false,
        "ebs_optimized is not true: volume traffic shares bandwidth with network traffic",
    )
}
