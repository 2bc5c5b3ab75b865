//! # SQS queues are encrypted at rest
//!
//! ## What it checks
//! An `aws_sqs_queue` does not set `sqs_managed_sse_enabled = false` without
//! a `kms_master_key_id`. When neither is set, AWS encrypts new queues with
//! SQS-managed keys (SSE-SQS, the default since October 2022), which passes.
//! Unknown values do not fire.
//!
//! ## Why it matters
//! Queued messages often carry orders, personal data or tokens. Server-side
//! encryption keeps them encrypted while SQS stores them; turning it off
//! explicitly leaves them in the clear on AWS storage.
//!
//! ## Example
//! ```hcl
//! resource "aws_sqs_queue" "orders" {
//!   name                    = "orders"
//!   sqs_managed_sse_enabled = false
//! }
//! ```
//!
//! ## Fix
//! Remove `sqs_managed_sse_enabled = false`, or set `kms_master_key_id` to a
//! customer-managed key.
//!
//! ## References
//! - https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
//!
//! ## Differences from Checkov
//! CKV_AWS_27 fails a queue that sets neither `sqs_managed_sse_enabled` nor
//! `kms_master_key_id`; AWS encrypts such queues with SSE-SQS by default, so
//! this rule passes them.

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_bool};

pub static RULE: Rule = Rule {
    id: "LG-AWS-071",
    title: "SQS queues are encrypted at rest",
    severity: Severity::Medium,
    resources: &["aws_sqs_queue"],
    frameworks: &["pci-dss:3.5.1", "hipaa:164.312(a)(2)(iv)", "soc2:CC6.1", "gdpr:art-32"],
    equivalent: &["CKV_AWS_27"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    let kms = r.get("kms_master_key_id");
    if kms.is_unknown() {
        return Outcome::Unknown;
    }
    if kms.str().is_some_and(|s| !s.is_empty()) {
        return Outcome::Pass;
    }
    expect_bool(
        r,
        "sqs_managed_sse_enabled",
        true,
        true,
        "sqs_managed_sse_enabled is false and no kms_master_key_id is set: messages are stored unencrypted",
    )
}
