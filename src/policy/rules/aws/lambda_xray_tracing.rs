//! # Lambda functions have X-Ray tracing enabled
//!
//! ## What it checks
//! An `aws_lambda_function` has `tracing_config { mode = "Active" }` or
//! `"PassThrough"`. Absent means tracing is off. Unknown values do not fire.
//!
//! ## Why it matters
//! Tracing records each invocation's path through downstream services, which
//! is how failures, latency and unexpected calls (for example to an
//! attacker's endpoint) are found in serverless applications that have no
//! host to inspect.
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
//! tracing_config { mode = "Active" }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_one_of};

pub static RULE: Rule = Rule {
    id: "LG-AWS-044",
    title: "Lambda functions have X-Ray tracing enabled",
    severity: Severity::Low,
    resources: &["aws_lambda_function"],
    frameworks: &["soc2:CC7.2", "sox:itgc-operations"],
    equivalent: &["CKV_AWS_50", "AVD-AWS-0066", "aws-lambda-enable-tracing"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_one_of(
        r,
        "tracing_config.mode",
        &["Active", "PassThrough"],
        None,
        "tracing_config.mode is not Active or PassThrough: invocations are not traced",
    )
}
