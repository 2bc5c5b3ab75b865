//! # Lambda functions have a dead-letter queue
//!
//! ## What it checks
//! An `aws_lambda_function` has `dead_letter_config { target_arn = … }`
//! pointing to an SQS queue or SNS topic. Absent means failed asynchronous
//! invocations are dropped. Unknown values do not fire.
//!
//! ## Why it matters
//! Asynchronous events that still fail after Lambda's retries are discarded
//! without a dead-letter queue (or an on-failure destination): orders,
//! notifications or audit events are lost without a trace, and nobody can
//! reprocess them.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function" "fn" {
//!   function_name = "fn"
//!   role          = aws_iam_role.fn.arn
//!   runtime       = "python3.12"
//!   handler       = "app.handler"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! dead_letter_config { target_arn = aws_sqs_queue.fn_dlq.arn }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-060",
    title: "Lambda functions have a dead-letter queue",
    severity: Severity::Low,
    resources: &["aws_lambda_function"],
    frameworks: &["soc2:A1.2", "sox:itgc-operations"],
    equivalent: &["CKV_AWS_116"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "dead_letter_config.target_arn",
        "dead_letter_config has no target_arn: failed asynchronous invocations are discarded",
    )
}
