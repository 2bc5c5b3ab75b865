//! # EC2 instance has detailed monitoring
//!
//! ## What it checks
//! An `aws_instance` sets `monitoring = true` (absent means false). Unknown
//! values do not fire.
//!
//! ## Why it matters
//! Basic monitoring reports metrics every five minutes; detailed monitoring
//! reports every minute, so alarms on CPU, network or status checks fire in
//! time to act on an incident or abuse (cryptomining, data exfiltration).
//!
//! ## Example
//! ```hcl
//! resource "aws_instance" "web" {
//!   ami           = "ami-123"
//!   instance_type = "t3.micro"
//! }
//! ```
//!
//! ## Fix
//! Set `monitoring = true`.
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-cloudwatch-new.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-026",
    title: "EC2 instance has detailed monitoring",
    severity: Severity::Low,
    resources: &["aws_instance"],
    frameworks: &["soc2:CC7.2", "sox:itgc-operations"],
    equivalent: &["CKV_AWS_126"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_bool(
        r,
        "monitoring",
        true,
        false,
        "monitoring is not true: only 5-minute basic metrics are collected",
    )
}
