//! # API Gateway stages have access logging enabled
//!
//! ## What it checks
//! An `aws_api_gateway_stage` (REST) or `aws_apigatewayv2_stage` (HTTP and
//! WebSocket) has `access_log_settings` with a `destination_arn`. Unknown
//! values do not fire.
//!
//! ## Why it matters
//! Access logs record every call to the API (caller IP, identity, route,
//! status, latency). The API is often the front door to customer data;
//! without its logs abuse, credential stuffing and data scraping cannot be
//! detected or investigated.
//!
//! ## Example
//! ```hcl
//! resource "aws_apigatewayv2_stage" "prod" {
//!   api_id = aws_apigatewayv2_api.api.id
//!   name   = "prod"
//! }
//! ```
//!
//! ## Fix
//! ```hcl
//! access_log_settings {
//!   destination_arn = aws_cloudwatch_log_group.api.arn
//!   format          = jsonencode({ requestId = "$context.requestId", ip = "$context.identity.sourceIp" })
//! }
//! ```
//!
//! ## References
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html

use crate::policy::model::Resource;
use crate::policy::rule::{Ctx, Outcome, Rule, Severity, expect_set};

pub static RULE: Rule = Rule {
    id: "LG-AWS-070",
    title: "API Gateway stages have access logging enabled",
    severity: Severity::Medium,
    resources: &["aws_api_gateway_stage", "aws_apigatewayv2_stage"],
    frameworks: &[
        "pci-dss:10.2.1",
        "hipaa:164.312(b)",
        "soc2:CC7.2",
        "sox:itgc-operations",
    ],
    equivalent: &["CKV_AWS_76", "AVD-AWS-0001", "aws-api-gateway-enable-access-logging"],
    check,
};

fn check(r: &Resource, _cx: &Ctx) -> Outcome {
    expect_set(
        r,
        "access_log_settings.destination_arn",
        "access_log_settings has no destination_arn: calls to the API are not logged",
    )
}
