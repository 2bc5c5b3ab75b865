//! # Lambda function URLs require authentication
//!
//! ## What it checks
//! An `aws_lambda_function_url` does not set `authorization_type = "NONE"`
//! (the attribute is required; only `AWS_IAM` passes). Unknown values do not
//! fire.
//!
//! ## Why it matters
//! A function URL with `NONE` is a public HTTPS endpoint: anyone on the
//! internet can invoke the function, run up its cost, and reach whatever
//! data its execution role can read, unless the code authenticates every
//! request itself.
//!
//! ## Example
//! ```hcl
//! resource "aws_lambda_function_url" "fn" {
//!   function_name      = aws_lambda_function.fn.function_name
//!   authorization_type = "NONE"
//! }
//! ```
//!
//! ## Fix
//! Set `authorization_type = "AWS_IAM"` and sign requests with SigV4, or
//! front the function with API Gateway and an authorizer.
//!
//! ## References
//! - https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_none_of};

pub static RULE: Rule = Rule {
    id: "LG-AWS-072",
    title: "Lambda function URLs require authentication",
    severity: Severity::High,
    resources: &["aws_lambda_function_url"],
    frameworks: &["pci-dss:8.2.1", "soc2:CC6.1", "hipaa:164.312(d)"],
    equivalent: &["CKV_AWS_258"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_none_of(
        r,
        "authorization_type",
        &["NONE"],
        "authorization_type is NONE: anyone on the internet can invoke the function",
    )
}
