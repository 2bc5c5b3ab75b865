//! # SNS topics are encrypted at rest
//!
//! ## What it checks
//! An `aws_sns_topic` sets `kms_master_key_id` (an AWS-managed
//! `alias/aws/sns` or a customer-managed key). Absent means messages are
//! stored unencrypted. Unknown values do not fire.
//!
//! ## Why it matters
//! Messages published to a topic often carry order, account or alert data.
//! Server-side encryption protects them while SNS stores them for delivery,
//! and with a customer-managed key, access to the messages also requires
//! permission on the key.
//!
//! ## Example
//! ```hcl
//! resource "aws_sns_topic" "alerts" {
//!   name = "alerts"
//! }
//! ```
//!
//! ## Fix
//! Set `kms_master_key_id = aws_kms_key.sns.arn` (or `"alias/aws/sns"`).
//!
//! ## References
//! - https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-053",
    title: "SNS topics are encrypted at rest",
    severity: Severity::Medium,
    resources: &["aws_sns_topic"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &["CKV_AWS_26", "AVD-AWS-0095", "aws-sns-enable-topic-encryption"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "kms_master_key_id",
        "kms_master_key_id is not set: messages are stored unencrypted",
    )
}
